// The streaming model port: what every provider (rules, Amazon Bedrock, OpenAI) implements and what
// the agent loop drives. It is stateless and tenant-blind: a request carries one user's conversation
// and the tool specs; the model answers with text deltas and tool calls. The loop, not the model,
// runs tools, so a provider can name no user and touch no store.

/** A tool as offered to the model (and listed by `GET /tools/available`). */
export interface ToolSpec {
  readonly name: string;
  readonly description: string;
  /** JSON Schema (2020-12 subset both providers accept) of the tool's input object. */
  readonly inputSchema: Readonly<Record<string, unknown>>;
}

/** A tool call as the model produced it. `arguments` is the raw JSON text: the loop parses and validates it. */
export interface ToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
}

export type ModelMessage =
  | { readonly role: 'user'; readonly content: string }
  | { readonly role: 'assistant'; readonly content: string; readonly toolCalls?: readonly ToolCall[] }
  /** A tool's result for one call, as JSON text (bounded by the loop before it is sent). */
  | { readonly role: 'tool'; readonly toolCallId: string; readonly name: string; readonly content: string; readonly isError?: boolean };

export interface ModelRequest {
  readonly system: string;
  readonly messages: readonly ModelMessage[];
  readonly tools: readonly ToolSpec[];
  /** Aborted when the client goes away or the reply exceeds its time. */
  readonly signal?: AbortSignal;
}

export type ModelStreamEvent =
  | { readonly type: 'text'; readonly delta: string }
  /** One complete tool call (providers assemble streamed argument fragments before emitting it). */
  | { readonly type: 'tool_call'; readonly call: ToolCall }
  /** Token usage as the provider reports it; may come once per model turn. */
  | { readonly type: 'usage'; readonly inputTokens: number; readonly outputTokens: number }
  | { readonly type: 'end'; readonly stopReason: 'end_turn' | 'tool_use' | 'max_tokens' | 'other' };

export interface StreamingChatModel {
  /** One model turn. Throws `ProviderError` for provider failures (before or during the stream). */
  stream(request: ModelRequest): AsyncIterable<ModelStreamEvent>;
}

export type ProviderFailure = 'throttled' | 'unavailable' | 'timeout' | 'bad_response';

/** A provider failed, throttled or timed out. Never carries the provider's raw message to a client. */
export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderFailure,
    /** Seconds a client should wait before retrying (the provider's hint when it gave one). */
    readonly retryAfterSeconds = 5,
    options?: { cause?: unknown },
  ) {
    super(`model provider ${kind}`, options);
    this.name = 'ProviderError';
  }
}
