// What `npm start` says when its port is taken: most often by an earlier local stack still running.
// The web client listens on PORT+1, so the suggestion is a pair of neighbouring ports, both free.
import { createServer } from 'node:net';

export const isFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** The first PORT above `port` for which PORT and PORT+1 are both free (null after 50 tries). */
export async function freePortPair(port: number): Promise<number | null> {
  for (let p = port + 2; p < port + 102 && p < 65535; p += 2) if ((await isFree(p)) && (await isFree(p + 1))) return p;
  return null;
}

export function portInUseMessage(port: number, suggested: number | null): string {
  const next = suggested === null ? '' : `, or start on a free pair (the web client takes PORT+1): PORT=${suggested} npm start   (web client on ${suggested + 1})`;
  return [
    `Port ${port} is already in use: an earlier local stack (npm start) may still be running.`,
    `Find what holds it with:  lsof -nP -iTCP:${port} -sTCP:LISTEN   (or: ss -ltnp 'sport = :${port}')`,
    `then stop that process (kill <pid>)${next}`,
  ].join('\n');
}
