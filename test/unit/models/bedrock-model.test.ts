// The Bedrock adapter with the real @aws-sdk/client-bedrock-runtime client, built exactly as deployed
// (no endpoint in code: AWS_ENDPOINT_URL_BEDROCK_RUNTIME points it at the h2c stand-in), against
// scripted Converse streams: text, fragmented tool input, usage, refusals and mid-stream failures.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { bedrockModel } from '../../../functions/shared/adapters/models/bedrock-model';
import { ProviderError, type ModelRequest, type ToolSpec } from '../../../functions/shared/core/agent/model-port';
import { startBedrockFake, type BedrockFake } from '../../fakes/bedrock-runtime-fake';
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

describe('bedrockModel', () => {
  let fake: BedrockFake;
  beforeAll(async () => {
    fake = await startBedrockFake();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.turns.reset();
    vi.stubEnv('AWS_ENDPOINT_URL_BEDROCK_RUNTIME', fake.endpoint);
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDSTANDIN');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'stand-in-secret');
    vi.stubEnv('AWS_SESSION_TOKEN', '');
  });
  afterEach(() => vi.unstubAllEnvs());
  const model = () => bedrockModel({ modelId: 'eu.amazon.nova-lite-v1:0', maxOutputTokens: 300 });

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

  it('sends a signed Converse request for the configured model, with the tools as toolConfig', async () => {
    fake.turns.script({ text: ['ok'] });
    await collect(model().stream(request()));
    const [sent] = fake.turns.requests;
    expect(sent!.path).toBe('/model/eu.amazon.nova-lite-v1:0/converse-stream');
    expect(String(sent!.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDSTANDIN\/\d{8}\/eu-west-1\/bedrock\//);
    expect(sent!.body).toEqual({
      system: [{ text: 'You manage tasks.' }],
      messages: [{ role: 'user', content: [{ text: 'add a task: buy milk' }] }],
      toolConfig: { tools: [{ toolSpec: { name: 'create_task', description: 'Create a task', inputSchema: { json: TOOLS[0]!.inputSchema } } }] },
      inferenceConfig: { maxTokens: 300 },
    });
  });

  it('joins streamed tool input fragments into one tool call per content block', async () => {
    fake.turns.script({
      text: ['On it.'],
      toolCalls: [
        { id: 'tooluse_1', name: 'create_task', argumentFragments: ['{"ti', 'tle": "buy ', 'milk"}'] },
        { id: 'tooluse_2', name: 'create_task', argumentFragments: ['{"title":', '"call mum"}'] },
      ],
      usage: { input: 10, output: 20 },
    });
    const { events, error } = await collect(model().stream(request()));
    expect(error).toBeNull();
    expect(events).toEqual([
      { type: 'text', delta: 'On it.' },
      { type: 'tool_call', call: { id: 'tooluse_1', name: 'create_task', arguments: '{"title": "buy milk"}' } },
      { type: 'tool_call', call: { id: 'tooluse_2', name: 'create_task', arguments: '{"title":"call mum"}' } },
      { type: 'usage', inputTokens: 10, outputTokens: 20 },
      { type: 'end', stopReason: 'tool_use' },
    ]);
  });

  it('sends earlier tool calls and results as toolUse and toolResult blocks, alternating roles', async () => {
    fake.turns.script({ text: ['Done.'] });
    await collect(
      model().stream(
        request({
          messages: [
            { role: 'user', content: 'add buy milk' },
            { role: 'assistant', content: '', toolCalls: [{ id: 't1', name: 'create_task', arguments: '{"title":"buy milk"}' }] },
            { role: 'tool', toolCallId: 't1', name: 'create_task', content: '{"task":{"id":"x"}}' },
          ],
        }),
      ),
    );
    expect(fake.turns.requests[0]!.body.messages).toEqual([
      { role: 'user', content: [{ text: 'add buy milk' }] },
      { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'create_task', input: { title: 'buy milk' } } }] },
      { role: 'user', content: [{ toolResult: { toolUseId: 't1', content: [{ text: '{"task":{"id":"x"}}' }], status: 'success' } }] },
    ]);
  });

  it('renders tool history as text when no tools are offered (Converse refuses tool blocks without toolConfig)', async () => {
    fake.turns.script({ text: ['Stopping here.'] });
    await collect(
      model().stream(
        request({
          tools: [],
          messages: [
            { role: 'user', content: 'go' },
            { role: 'assistant', content: 'ok', toolCalls: [{ id: 't1', name: 'create_task', arguments: '{}' }] },
            { role: 'tool', toolCallId: 't1', name: 'create_task', content: '{"error":{}}', isError: true },
          ],
        }),
      ),
    );
    const body = fake.turns.requests[0]!.body;
    expect(body.toolConfig).toBeUndefined();
    expect(JSON.stringify(body.messages)).not.toMatch(/toolUse|toolResult/);
  });

  it('retries a throttled request once, then fails with a throttled ProviderError carrying Retry-After', async () => {
    fake.turns.script({ refuse: 429, retryAfterSeconds: 1 }, { refuse: 429, retryAfterSeconds: 1 });
    const { events, error } = await collect(model().stream(request()));
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'throttled', retryAfterSeconds: 1 });
    expect(fake.turns.requests).toHaveLength(2);
  });

  it('answers after a retry when the second attempt succeeds', async () => {
    fake.turns.script({ refuse: 503 }, { text: ['fine'] });
    const { events, error } = await collect(model().stream(request()));
    expect(error).toBeNull();
    expect(events[0]).toEqual({ type: 'text', delta: 'fine' });
  });

  it.each([500, 503] as const)('maps a %i before the stream to an unavailable ProviderError', async (status) => {
    fake.turns.script({ refuse: status }, { refuse: status });
    const { error } = await collect(model().stream(request()));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('unavailable');
    expect((error as ProviderError).message).not.toMatch(/stand-in/); // the provider's text never reaches a client
  });

  it('fails with a ProviderError after the first delta when the stream carries an exception', async () => {
    fake.turns.script({ text: ['Partial '], failMidStream: 'error' });
    const { events, error } = await collect(model().stream(request()));
    expect(events).toEqual([{ type: 'text', delta: 'Partial ' }]);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('bad_response');
  });

  it('fails with a ProviderError when the stream is cut before it finished', async () => {
    fake.turns.script({ text: ['Partial '], failMidStream: 'drop' });
    const { events, error } = await collect(model().stream(request()));
    expect(events.filter((e) => e.type === 'end')).toEqual([]);
    expect(error).toBeInstanceOf(ProviderError);
  });

  it('fails with an unavailable ProviderError when nothing listens at the endpoint', async () => {
    const gone = await startBedrockFake();
    await gone.close();
    vi.stubEnv('AWS_ENDPOINT_URL_BEDROCK_RUNTIME', gone.endpoint);
    const { error } = await collect(model().stream(request()));
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('unavailable');
  });
});
