// The replies running in this tab, so that after a reload the page follows them again (a reply
// runs on at the API when its page goes away). sessionStorage: this tab only, gone with it. Only
// ids are kept, never content or a token (the token lives in memory only, auth.ts). No event
// number is kept either: nothing of a running reply is stored in its thread yet and none of its
// text is kept here, so a reloaded page asks for the reply's events from the first.
const KEY = 'threadguard.replies';
/** A tab has a few replies running at most; the oldest go first. */
const MAX = 8;

export interface RunningReply {
  readonly threadId: string;
  readonly replyId: string;
}

const isReply = (r: unknown): r is RunningReply =>
  typeof r === 'object' && r !== null && typeof (r as RunningReply).threadId === 'string' && typeof (r as RunningReply).replyId === 'string';

function read(): RunningReply[] {
  try {
    const list: unknown = JSON.parse(sessionStorage.getItem(KEY) ?? '[]');
    return Array.isArray(list) ? list.filter(isReply) : [];
  } catch {
    return [];
  }
}

function write(list: RunningReply[]): void {
  if (list.length === 0) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, JSON.stringify(list.slice(-MAX).map(({ threadId, replyId }) => ({ threadId, replyId }))));
}

export const rememberReply = (reply: RunningReply): void => write([...read().filter((r) => r.replyId !== reply.replyId), reply]);
export const forgetReply = (replyId: string): void => write(read().filter((r) => r.replyId !== replyId));
export const repliesIn = (threadId: string): RunningReply[] => read().filter((r) => r.threadId === threadId);
/** Sign-out: the next person in this tab does not follow this user's replies. */
export const forgetAllReplies = (): void => sessionStorage.removeItem(KEY);
