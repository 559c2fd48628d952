// Chooses the StreamingChatModel behind the agent from AGENT_PROVIDER / AGENT_MODEL, once per cold
// start. `rules` is the built-in offline model (the default locally and in tests); `bedrock` and
// `openai` are the hosted providers, configured by their SDKs' own environment (region, credentials,
// AWS_ENDPOINT_URL_BEDROCK_RUNTIME; OPENAI_BASE_URL) plus the OpenAI key from its secret source.
import type { ModelConfig } from '../../config';
import type { StreamingChatModel } from '../../core/agent/model-port';
import { rulesModel } from '../../core/agent/rules-model';
import { secretSource } from '../secret-source';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { ClientInstrument } from '../tenant-clients';
import { bedrockModel } from './bedrock-model';

/**
 * The OpenAI SDK is loaded on the first reply, and only when OpenAI is the provider: the CDK stack
 * leaves it out of the bundle of a deployment that uses another provider (infra/constructs/service-function.ts).
 */
function lazyModel(load: () => Promise<StreamingChatModel>): StreamingChatModel {
  let model: Promise<StreamingChatModel> | undefined;
  return {
    async *stream(request) {
      model ??= load();
      yield* (await model).stream(request);
    },
  };
}

export function createStreamingModel(
  config: ModelConfig,
  env: Record<string, string | undefined>,
  instrument: ClientInstrument = (client) => client,
): StreamingChatModel {
  switch (config.provider) {
    case 'rules':
      return rulesModel;
    case 'bedrock':
      return bedrockModel({ modelId: config.model, maxOutputTokens: config.maxOutputTokens, client: instrument(new BedrockRuntimeClient({ maxAttempts: 2 })) });
    case 'openai': {
      // OPENAI_API_KEY locally, OPENAI_API_KEY_ARN (Secrets Manager) deployed; read on first use, then kept.
      const key = secretSource({ name: 'OPENAI_API_KEY', env });
      return lazyModel(async () => (await import('./openai-model')).openAiModel({ model: config.model, maxOutputTokens: config.maxOutputTokens, apiKey: key.get }));
    }
  }
}
