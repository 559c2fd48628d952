// The OpenAI adapter with the real `openai` package (OPENAI_BASE_URL points it at the stand-in, as the
// package reads it) against scripted Responses API event streams: text, fragmented function-call
// arguments, usage, refusals and mid-stream failures; the key read once from Secrets Manager.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStreamingModel } from '../../../functions/shared/adapters/models/model-factory';
import { openAiModel } from '../../../functions/shared/adapters/models/openai-model';
import { ConfigError } from '../../../functions/shared/core/errors';
import { ProviderError, type ModelRequest, type ToolSpec } from '../../../functions/shared/core/agent/model-port';
import { startOpenAiFake, type OpenAiFake } from '../../fakes/openai-responses-fake';
import { startSecretsManagerFake } from '../../fakes/secrets-manager-fake';
import { collectStream as collect } from '../../helpers/model-stream';

const TOOLS: ToolSpec[] = [
  { name: 'create_task', description: 'Create a task', inputSchema: { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] } },
];
const request = (over: Partial<ModelRequest> = {}): ModelRequest => ({
  system: 'You manage tasks.',
  messages: [{ role: 'user', content: 'add a task: buy milk' }],
  tools: TOOLS,
  ...over,
});

describe('openAiModel', () => {
  let fake: OpenAiFake;
  beforeAll(async () => {
    fake = await startOpenAiFake();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.turns.reset();
    vi.stubEnv('OPENAI_BASE_URL', fake.baseUrl);
  });
  afterEach(() => vi.unstubAllEnvs());
  const model = () => openAiModel({ model: 'gpt-4.1-mini', maxOutputTokens: 300, apiKey: async () => 'sk-stand-in' });

  it('streams text deltas, then usage, then the stop reason', async () => {
    fake.turns.script({ text: ['Hel', 'lo ', 'there'], usage: { input: 42, output: 7 } });
    const { events, error } = await collect(model().stream(request()));
    expect(error).toBeNull();
    expect(events).toEqual([
      { type: 'text', delta: 'Hel' },
      { type: 'text', delta: 'lo ' },
      { type: 'text', delta: 'there' },
      { type: 'usage', inputTokens: 42, outputTokens: 7 },
      { type: 'end', stopReason: 'end_turn' },
    ]);
  });

  it('sends one streamed, unstored Responses request with the tools as function tools and the key as bearer', async () => {
    fake.turns.script({ text: ['ok'] });
    await collect(model().stream(request()));
    const [sent] = fake.turns.requests;
    expect(sent!.headers.authorization).toBe('Bearer sk-stand-in');
    expect(sent!.body).toMatchObject({
      model: 'gpt-4.1-mini',
      instructions: 'You manage tasks.',
      input: [{ role: 'user', content: 'add a task: buy milk' }],
      tools: [{ type: 'function', name: 'create_task', description: 'Create a task', parameters: TOOLS[0]!.inputSchema, strict: false }],
      max_output_tokens: 300,
      store: false,
      stream: true,
    });
  });

  it('assembles function_call_arguments deltas into one tool call per call', async () => {
    fake.turns.script({
      toolCalls: [
        { id: 'call_1', name: 'create_task', argumentFragments: ['{"ti', 'tle": "buy ', 'milk"}'] },
        { id: 'call_2', name: 'create_task', argumentFragments: ['{"title":', '"call mum"}'] },
      ],
      usage: { input: 10, output: 20 },
    });
    const { events, error } = await collect(model().stream(request()));
    expect(error).toBeNull();
    expect(events).toEqual([
      { type: 'tool_call', call: { id: 'call_1', name: 'create_task', arguments: '{"title": "buy milk"}' } },
      { type: 'tool_call', call: { id: 'call_2', name: 'create_task', arguments: '{"title":"call mum"}' } },
      { type: 'usage', inputTokens: 10, outputTokens: 20 },
      { type: 'end', stopReason: 'tool_use' },
    ]);
  });

  it('sends earlier tool calls and results as function_call and function_call_output items', async () => {
    fake.turns.script({ text: ['Done.'] });
    await collect(
      model().stream(
        request({
          messages: [
            { role: 'user', content: 'add buy milk' },
            { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'create_task', arguments: '{"title":"buy milk"}' }] },
            { role: 'tool', toolCallId: 'call_1', name: 'create_task', content: '{"task":{"id":"x"}}' },
          ],
        }),
      ),
    );
    expect(fake.turns.requests[0]!.body.input).toEqual([
      { role: 'user', content: 'add buy milk' },
      { type: 'function_call', call_id: 'call_1', name: 'create_task', arguments: '{"title":"buy milk"}' },
      { type: 'function_call_output', call_id: 'call_1', output: '{"task":{"id":"x"}}' },
    ]);
  });

  it('retries a throttled request once, then fails with a throttled ProviderError carrying Retry-After', async () => {
    fake.turns.script({ refuse: 429, retryAfterSeconds: 1 }, { refuse: 429, retryAfterSeconds: 1 });
    const { events, error } = await collect(model().stream(request()));
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'throttled', retryAfterSeconds: 1 });
    expect(fake.turns.requests).toHaveLength(2);
  });

  it.each([500, 503] as const)('maps a %i before the stream to an unavailable ProviderError', async (status) => {
    fake.turns.script({ refuse: status }, { refuse: status });
    const { error } = await collect(model().stream(request()));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('unavailable');
    expect((error as ProviderError).message).not.toMatch(/stand-in/);
  });

  it('fails with a ProviderError after the first delta when the stream carries an error event', async () => {
    fake.turns.script({ text: ['Partial '], failMidStream: 'error' });
    const { events, error } = await collect(model().stream(request()));
    expect(events).toEqual([{ type: 'text', delta: 'Partial ' }]);
    expect(error).toBeInstanceOf(ProviderError);
  });

  it('fails with a ProviderError when the stream is cut before response.completed', async () => {
    fake.turns.script({ text: ['Partial '], failMidStream: 'drop' });
    const { events, error } = await collect(model().stream(request()));
    expect(events.filter((e) => e.type === 'end')).toEqual([]);
    expect(error).toBeInstanceOf(ProviderError);
  });

  it('reads the key from Secrets Manager once per cold start when OPENAI_API_KEY_ARN is set', async () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:openai-AbCdEf';
    const secrets = await startSecretsManagerFake({ [arn]: 'sk-from-secrets-manager' });
    try {
      vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', secrets.endpoint);
      vi.stubEnv('AWS_REGION', 'eu-west-1');
      vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDSTANDIN');
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'stand-in-secret');
      // As a deployed function builds it: the factory, with only the secret's ARN in its environment.
      const deployed = createStreamingModel({ provider: 'openai', model: 'gpt-4.1-mini', maxOutputTokens: 300 }, { OPENAI_API_KEY_ARN: arn });
      fake.turns.script({ text: ['one'] }, { text: ['two'] });
      await collect(deployed.stream(request()));
      await collect(deployed.stream(request()));
      expect(fake.turns.requests.map((r) => r.headers.authorization)).toEqual(['Bearer sk-from-secrets-manager', 'Bearer sk-from-secrets-manager']);
      expect(secrets.reads).toEqual([arn]);
    } finally {
      await secrets.close();
    }
  });

  it('refuses to build without a key or a key secret, naming the variable', () => {
    expect(() => createStreamingModel({ provider: 'openai', model: 'gpt-4.1-mini', maxOutputTokens: 300 }, {})).toThrow(ConfigError);
    expect(() => createStreamingModel({ provider: 'openai', model: 'gpt-4.1-mini', maxOutputTokens: 300 }, {})).toThrow('OPENAI_API_KEY: required (or OPENAI_API_KEY_ARN)');
  });
});
