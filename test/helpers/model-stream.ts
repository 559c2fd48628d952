// Drains a model stream, keeping what arrived before a failure (tests assert both).
import type { ModelStreamEvent } from '../../functions/shared/core/agent/model-port';

export async function collectStream(stream: AsyncIterable<ModelStreamEvent>): Promise<{ events: ModelStreamEvent[]; error: unknown }> {
  const events: ModelStreamEvent[] = [];
  try {
    for await (const e of stream) events.push(e);
    return { events, error: null };
  } catch (error) {
    return { events, error };
  }
}
