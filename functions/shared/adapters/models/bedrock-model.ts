// Amazon Bedrock behind the streaming model port: the Converse streaming API (ConverseStreamCommand),
// tools as `toolConfig`. Tool-use input arrives as JSON text fragments per content block; they are
// joined and emitted as one tool call when the block stops. Usage comes from the `metadata` event.
// The endpoint is the SDK's own choice (AWS_ENDPOINT_URL_BEDROCK_RUNTIME overrides it, as for any
// AWS SDK client); nothing here builds a URL.
import {
  BedrockRuntimeClient,
  ConverseStreamCommand,
  type ContentBlock,
  type ConverseStreamCommandInput,
  type Message,
  type Tool,
  type ToolUseBlock,
} from '@aws-sdk/client-bedrock-runtime';
import {
  ProviderError,
  type ModelMessage,
  type ModelRequest,
  type ModelStreamEvent,
  type ProviderFailure,
  type StreamingChatModel,
  type ToolCall,
} from '../../core/agent/model-port';

export interface BedrockModelOptions {
  /** A model id or an inference profile id. */
  readonly modelId: string;
  readonly maxOutputTokens: number;
  /** Built from the SDK's own configuration (region, credentials, endpoint) when not given. */
  readonly client?: Pick<BedrockRuntimeClient, 'send'>;
}

// Failures by the exception names the Converse API documents (names survive bundling; classes may
// come from another SDK copy). Anything unknown, network errors included, is "unavailable".
const FAILURE_BY_NAME: Readonly<Record<string, ProviderFailure>> = {
  ThrottlingException: 'throttled',
  ServiceQuotaExceededException: 'throttled',
  ModelTimeoutException: 'timeout',
  TimeoutError: 'timeout',
  RequestTimeout: 'timeout',
  ModelStreamErrorException: 'bad_response',
  ModelErrorException: 'bad_response',
};

function retryAfter(err: unknown): number | undefined {
  const headers = (err as { $response?: { headers?: Record<string, string> } })?.$response?.headers;
  const seconds = Number(headers?.['retry-after']);
  return Number.isInteger(seconds) && seconds > 0 ? seconds : undefined;
}

/** Any failure of a Converse call as a ProviderError; the cause keeps the SDK error for logs only. */
export function toProviderError(err: unknown, signal?: AbortSignal): ProviderError {
  if (err instanceof ProviderError) return err;
  const name = (err as Error | undefined)?.name ?? '';
  const kind = signal?.aborted ? 'timeout' : (FAILURE_BY_NAME[name] ?? 'unavailable');
  return new ProviderError(kind, retryAfter(err), { cause: err });
}

type DocumentType = NonNullable<ToolUseBlock['input']>;

const parseInput = (args: string): DocumentType => {
  try {
    const value: unknown = JSON.parse(args);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as DocumentType;
  } catch {
    /* the loop already told the model these arguments were bad; history keeps an empty input */
  }
  return {};
};

const text = (t: string): ContentBlock[] => (t === '' ? [] : [{ text: t }]); // Bedrock refuses blank text blocks

/**
 * The port's messages as Converse messages. Converse wants the conversation to start with a user
 * turn and to alternate roles; tool results are user-turn `toolResult` blocks. Without tools on
 * offer, Converse refuses tool blocks in history, so they are then rendered as text.
 */
function toConverseMessages(messages: readonly ModelMessage[], toolsOffered: boolean): Message[] {
  const out: Message[] = [];
  const push = (role: 'user' | 'assistant', blocks: ContentBlock[]) => {
    if (blocks.length === 0) return;
    const last = out.at(-1);
    if (last?.role === role) last.content = [...(last.content ?? []), ...blocks];
    else out.push({ role, content: blocks });
  };
  for (const m of messages) {
    if (m.role === 'user') push('user', text(m.content));
    else if (m.role === 'assistant') {
      const calls = m.toolCalls ?? [];
      push('assistant', [
        ...text(m.content),
        ...calls.map((c): ContentBlock =>
          toolsOffered
            ? { toolUse: { toolUseId: c.id, name: c.name, input: parseInput(c.arguments) } }
            : { text: `[called ${c.name} with ${c.arguments}]` },
        ),
      ]);
    } else {
      push(
        'user',
        toolsOffered
          ? [{ toolResult: { toolUseId: m.toolCallId, content: [{ text: m.content }], status: m.isError ? 'error' : 'success' } }]
          : [{ text: `[${m.name} result: ${m.content}]` }],
      );
    }
  }
  while (out[0] && out[0].role !== 'user') out.shift(); // bounded history may begin mid-exchange
  return out;
}

function converseInput(opts: BedrockModelOptions, request: ModelRequest): ConverseStreamCommandInput {
  const toolsOffered = request.tools.length > 0;
  const tools: Tool[] = request.tools.map((t) => ({
    toolSpec: { name: t.name, description: t.description, inputSchema: { json: t.inputSchema as DocumentType } },
  }));
  return {
    modelId: opts.modelId,
    system: request.system ? [{ text: request.system }] : undefined,
    messages: toConverseMessages(request.messages, toolsOffered),
    toolConfig: toolsOffered ? { tools } : undefined,
    inferenceConfig: { maxTokens: opts.maxOutputTokens },
  };
}

const STOP_REASONS: Readonly<Record<string, 'end_turn' | 'tool_use' | 'max_tokens'>> = {
  end_turn: 'end_turn',
  tool_use: 'tool_use',
  max_tokens: 'max_tokens',
};

export function bedrockModel(opts: BedrockModelOptions): StreamingChatModel {
  // One retry (the SDK's backoff) before a refusal becomes a 503: a chat user waits, a Lambda bills.
  const client = opts.client ?? new BedrockRuntimeClient({ maxAttempts: 2 });
  return {
    async *stream(request: ModelRequest): AsyncGenerator<ModelStreamEvent> {
      let stream;
      try {
        const res = await client.send(new ConverseStreamCommand(converseInput(opts, request)), { abortSignal: request.signal });
        stream = res.stream;
      } catch (err) {
        throw toProviderError(err, request.signal);
      }
      if (!stream) throw new ProviderError('bad_response');
      const pending = new Map<number, { id: string; name: string; input: string }>();
      let end: (ModelStreamEvent & { type: 'end' }) | null = null;
      try {
        // Exception events inside the stream are thrown by the SDK's iterator.
        for await (const event of stream) {
          if (event.contentBlockStart?.start?.toolUse) {
            const { toolUseId = '', name = '' } = event.contentBlockStart.start.toolUse;
            pending.set(event.contentBlockStart.contentBlockIndex ?? 0, { id: toolUseId, name, input: '' });
          } else if (event.contentBlockDelta) {
            const { delta, contentBlockIndex = 0 } = event.contentBlockDelta;
            if (delta?.text) yield { type: 'text', delta: delta.text };
            else if (delta?.toolUse?.input !== undefined) {
              const call = pending.get(contentBlockIndex);
              if (call) call.input += delta.toolUse.input;
            }
          } else if (event.contentBlockStop) {
            const index = event.contentBlockStop.contentBlockIndex ?? 0;
            const call = pending.get(index);
            if (call) {
              pending.delete(index);
              const done: ToolCall = { id: call.id, name: call.name, arguments: call.input };
              yield { type: 'tool_call', call: done };
            }
          } else if (event.messageStop) {
            end = { type: 'end', stopReason: STOP_REASONS[event.messageStop.stopReason ?? ''] ?? 'other' };
          } else if (event.metadata?.usage) {
            const { inputTokens = 0, outputTokens = 0 } = event.metadata.usage;
            yield { type: 'usage', inputTokens, outputTokens };
          }
        }
      } catch (err) {
        throw toProviderError(err, request.signal);
      }
      // A stream cut off before `messageStop` is an incomplete answer, not a short one.
      if (!end) throw new ProviderError('bad_response');
      yield end;
    },
  };
}
