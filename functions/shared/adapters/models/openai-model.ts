// OpenAI behind the streaming model port: the Responses API streaming through the `openai` package,
// tools as function tools. A call's arguments stream as `response.function_call_arguments.*`
// events and are emitted as one tool call when done; usage comes with `response.completed`.
// `store: false`: OpenAI keeps no copy of the conversation for later retrieval (we send the whole
// bounded history every turn, so nothing needs it). The base URL is the package's own choice
// (OPENAI_BASE_URL, else api.openai.com).
import OpenAI, { APIConnectionTimeoutError, APIError, RateLimitError } from 'openai';
import type { FunctionTool, ResponseInputItem, ResponseStreamEvent } from 'openai/resources/responses/responses';
import {
  ProviderError,
  type ModelMessage,
  type ModelRequest,
  type ModelStreamEvent,
  type StreamingChatModel,
} from '../../core/agent/model-port';

export interface OpenAiModelOptions {
  readonly model: string;
  readonly maxOutputTokens: number;
  /** Read when the first request needs it (deployed: Secrets Manager, once per cold start). */
  readonly apiKey: () => Promise<string>;
  /** Retries of a failed request before it opens (429 and 5xx), honouring `retry-after`. @default 1 */
  readonly maxRetries?: number;
  /** Injected for tests; built with the package defaults otherwise. */
  readonly client?: OpenAI;
}

function retryAfter(err: APIError): number | undefined {
  const seconds = Number(err.headers?.get('retry-after'));
  return Number.isInteger(seconds) && seconds > 0 ? seconds : undefined;
}

/** Any failure of a Responses call as a ProviderError; the cause keeps the original for logs only. */
export function toProviderError(err: unknown, signal?: AbortSignal): ProviderError {
  if (err instanceof ProviderError) return err;
  if (signal?.aborted || err instanceof APIConnectionTimeoutError) return new ProviderError('timeout', undefined, { cause: err });
  if (err instanceof RateLimitError) return new ProviderError('throttled', retryAfter(err), { cause: err });
  if (err instanceof APIError && err.status !== undefined) return new ProviderError('unavailable', retryAfter(err), { cause: err });
  return new ProviderError('unavailable', undefined, { cause: err });
}

/** The port's messages as Responses input items (assistant tool calls become `function_call` items). */
function toResponseInput(messages: readonly ModelMessage[]): ResponseInputItem[] {
  const items: ResponseInputItem[] = [];
  for (const m of messages) {
    if (m.role === 'user') items.push({ role: 'user', content: m.content });
    else if (m.role === 'assistant') {
      if (m.content !== '') items.push({ role: 'assistant', content: m.content });
      for (const c of m.toolCalls ?? []) items.push({ type: 'function_call', call_id: c.id, name: c.name, arguments: c.arguments });
    } else items.push({ type: 'function_call_output', call_id: m.toolCallId, output: m.content });
  }
  return items;
}

export function openAiModel(opts: OpenAiModelOptions): StreamingChatModel {
  const client = opts.client ?? new OpenAI({ apiKey: opts.apiKey, maxRetries: opts.maxRetries ?? 1 });
  return {
    async *stream(request: ModelRequest): AsyncGenerator<ModelStreamEvent> {
      const tools: FunctionTool[] = request.tools.map((t) => ({
        type: 'function',
        name: t.name,
        description: t.description,
        parameters: t.inputSchema as Record<string, unknown>,
        strict: false, // strict mode would demand every property be required; the loop validates instead
      }));
      let stream: AsyncIterable<ResponseStreamEvent>;
      try {
        stream = await client.responses.create(
          {
            model: opts.model,
            instructions: request.system,
            input: toResponseInput(request.messages),
            tools,
            max_output_tokens: opts.maxOutputTokens,
            store: false,
            stream: true,
          },
          { signal: request.signal },
        );
      } catch (err) {
        throw toProviderError(err, request.signal);
      }
      const calls = new Map<string, { callId: string; name: string; args: string }>();
      let called = false;
      let end: (ModelStreamEvent & { type: 'end' }) | null = null;
      try {
        for await (const event of stream) {
          switch (event.type) {
            case 'response.output_text.delta':
              if (event.delta) yield { type: 'text', delta: event.delta };
              break;
            case 'response.output_item.added':
              if (event.item.type === 'function_call' && event.item.id) {
                calls.set(event.item.id, { callId: event.item.call_id, name: event.item.name, args: '' });
              }
              break;
            case 'response.function_call_arguments.delta': {
              const call = calls.get(event.item_id);
              if (call) call.args += event.delta;
              break;
            }
            case 'response.function_call_arguments.done': {
              const call = calls.get(event.item_id) ?? { callId: event.item_id, name: event.name, args: '' };
              calls.delete(event.item_id);
              called = true;
              yield { type: 'tool_call', call: { id: call.callId, name: event.name || call.name, arguments: event.arguments ?? call.args } };
              break;
            }
            case 'response.completed':
            case 'response.incomplete': {
              const usage = event.response.usage;
              if (usage) yield { type: 'usage', inputTokens: usage.input_tokens, outputTokens: usage.output_tokens };
              const reason = event.response.incomplete_details?.reason;
              end = {
                type: 'end',
                stopReason: event.type === 'response.completed' ? (called ? 'tool_use' : 'end_turn') : reason === 'max_output_tokens' ? 'max_tokens' : 'other',
              };
              break;
            }
            case 'response.failed':
              throw new ProviderError('unavailable', undefined, { cause: event.response.error });
            case 'error':
              throw new ProviderError(event.code === 'rate_limit_exceeded' ? 'throttled' : 'unavailable', undefined, { cause: event });
          }
        }
      } catch (err) {
        throw toProviderError(err, request.signal);
      }
      // A stream cut off before `response.completed` is an incomplete answer, not a short one.
      if (!end) throw new ProviderError('bad_response');
      yield end;
    },
  };
}
