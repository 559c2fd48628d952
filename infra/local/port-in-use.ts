// What `npm start` says when its port is taken: most often by an earlier local stack still running.

export function portInUseMessage(port: number): string {
  return [
    `Port ${port} is already in use: an earlier local stack (npm start) may still be running.`,
    `Find what holds it with:  lsof -nP -iTCP:${port} -sTCP:LISTEN   (or: ss -ltnp 'sport = :${port}')`,
    `then stop that process (kill <pid>), or start on another port: PORT=${port + 1} npm start`,
  ].join('\n');
}
