// A real loopback HTTP server that publishes a JWKS the test can change (key rotation) and counts fetches.
import { createServer } from 'node:http';
import { jwksOf, type SigningKey } from '../../infra/local/jwt-sign';

export interface JwksServer {
  readonly issuer: string;
  readonly jwksUri: string;
  keys: SigningKey[];
  fetches: number;
  /** While set, the JWKS answers this status instead (an issuer that is down). */
  failWith: number | null;
  close(): Promise<void>;
}

export async function startJwksServer(keys: SigningKey[]): Promise<JwksServer> {
  const state = { keys, fetches: 0, failWith: null as number | null };
  const server = createServer((req, res) => {
    if (req.url === '/.well-known/jwks.json') {
      state.fetches++;
      if (state.failWith !== null) return void res.writeHead(state.failWith).end();
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(jwksOf(...state.keys)));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const issuer = `http://127.0.0.1:${port}`;
  return Object.assign(state, {
    issuer,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }) as JwksServer;
}
