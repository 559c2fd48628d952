// Chooses the StreamingChatModel behind the agent from AGENT_PROVIDER / AGENT_MODEL, once per cold
// start. `rules` is the built-in offline model (the default locally and in tests).
import type { ModelConfig } from '../../config';
import type { StreamingChatModel } from '../../core/agent/model-port';
import { rulesModel } from '../../core/agent/rules-model';
import { ConfigError } from '../../core/errors';

export function createStreamingModel(config: ModelConfig): StreamingChatModel {
  switch (config.provider) {
    case 'rules':
      return rulesModel;
    default:
      throw new ConfigError(`Invalid configuration: AGENT_PROVIDER: ${config.provider} is not available in this build`);
  }
}
