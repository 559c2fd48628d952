// What a provider stand-in answers, in provider-neutral terms: each fake turns a ScriptedTurn into its
// own wire protocol (Bedrock event-stream frames, OpenAI server-sent events).

export interface ScriptedToolCall {
  readonly id: string;
  readonly name: string;
  /** The arguments' JSON text, split where the provider would split it. */
  readonly argumentFragments: readonly string[];
}

export type ScriptedTurn =
  | {
      readonly text?: readonly string[];
      readonly toolCalls?: readonly ScriptedToolCall[];
      readonly usage?: { readonly input: number; readonly output: number };
      /** After the text deltas: an error event in the stream (`error`) or a cut connection (`drop`). */
      readonly failMidStream?: 'error' | 'drop';
      /** A slow model: the stand-in waits this long before each text delta after the first. */
      readonly deltaIntervalMs?: number;
    }
  /** Refused before any stream: 429 throttling or a 500 / 503 from the service. */
  | { readonly refuse: 429 | 500 | 503; readonly retryAfterSeconds?: number };

/** A request as the fake received it (path, headers and parsed JSON body), for assertions. */
export interface RecordedRequest {
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Record<string, unknown>;
}

/** Chooses the next turn: queued turns first, then the fallback (which sees the request). */
export class TurnQueue {
  private readonly queue: ScriptedTurn[] = [];
  readonly requests: RecordedRequest[] = [];
  constructor(private fallback: (req: RecordedRequest) => ScriptedTurn = () => ({ text: ['OK'] })) {}

  /** Queues turns for the next requests, in order. */
  script(...turns: ScriptedTurn[]): void {
    this.queue.push(...turns);
  }

  respondWith(fallback: (req: RecordedRequest) => ScriptedTurn): void {
    this.fallback = fallback;
  }

  reset(): void {
    this.queue.length = 0;
    this.requests.length = 0;
  }

  next(req: RecordedRequest): ScriptedTurn {
    this.requests.push(req);
    return this.queue.shift() ?? this.fallback(req);
  }
}
