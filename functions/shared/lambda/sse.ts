// THE server-sent events framer (REST message streams and ChatKit): one event is
// `data: <compact JSON>\n\n`, nothing else (no `event:` or `id:` lines; JSON has no raw newlines).
export const sseFrame = (event: unknown): string => `data: ${JSON.stringify(event)}\n\n`;
