// The web client on the local stack: the built page on its own port (an origin of its own, as
// CloudFront is when deployed, so CORS is exercised as it will be), its config.json, and, with
// the dev issuer only, a browser sign-in that mints a dev token. That sign-in exists here and
// nowhere in the deployed API or web bucket.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { buildWebClient, contentTypeOf } from '../../web/build';
import type { ClientConfig } from '../../web/src/config';
import { originOf, WEB_SECURITY_HEADERS, webContentSecurityPolicy } from '../../web/csp';

const DEV_SIGN_IN_PATH = '/dev-sign-in';
const DEV_ROLES = { user: [], guest: ['guest'], admin: ['admin'] } as const satisfies Record<string, string[]>;
const DEV_USER = /^[A-Za-z0-9._@-]{1,64}$/;
const MAX_SIGN_IN_BODY = 1024;

export interface WebServerOptions {
  readonly port: number;
  readonly apiUrl: string;
  readonly wsUrl: string;
  /** With the dev issuer: mints a token for `sub` with `roles`. Absent: OIDC against `oidc.issuer`. */
  readonly mintDevToken?: (sub: string, roles: string[]) => string;
  readonly oidc?: { issuer: string; clientId: string; scope: string; audience?: string; resource?: string; tokenType?: 'access_token' | 'id_token' };
}

export interface WebServer {
  readonly url: string;
  /** To add to the API's CORS allow-list. */
  readonly origin: string;
  stop(): Promise<void>;
}

function readSmallBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const sendJson = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(body));
const refuse = (res: ServerResponse, status: number, code: string, message: string) => sendJson(res, status, { error: { code, message } });

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const files = buildWebClient();
  let origin = '';

  async function devSignIn(req: IncomingMessage, res: ServerResponse, mint: NonNullable<WebServerOptions['mintDevToken']>) {
    // Only this page may sign in: a JSON body forces a CORS preflight that no other origin passes,
    // and the Origin check refuses anything that slipped past one.
    if (req.headers.origin !== origin || !/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      return refuse(res, 403, 'forbidden', 'Sign in from the ThreadGuard page');
    }
    const raw = await readSmallBody(req, MAX_SIGN_IN_BODY);
    let body: { user?: unknown; role?: unknown } = {};
    try {
      body = JSON.parse(raw ?? 'null') ?? {};
    } catch {
      /* answered below */
    }
    const role = typeof body.role === 'string' && Object.hasOwn(DEV_ROLES, body.role) ? (body.role as keyof typeof DEV_ROLES) : null;
    if (typeof body.user !== 'string' || !DEV_USER.test(body.user) || !role) {
      return refuse(res, 400, 'bad_request', 'A user name (letters, digits, . _ @ -, at most 64) and a role (user, guest, admin) are required');
    }
    return sendJson(res, 200, { token: mint(body.user, [...DEV_ROLES[role]]) });
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    if (path === DEV_SIGN_IN_PATH && opts.mintDevToken) {
      if (req.method !== 'POST') return refuse(res, 405, 'method_not_allowed', 'POST only');
      return devSignIn(req, res, opts.mintDevToken);
    }
    req.resume();
    const name = path === '/' ? 'index.html' : path.slice(1);
    const file = name === 'config.json' ? Buffer.from(JSON.stringify(config)) : files.get(name);
    if (!file) return refuse(res, 404, 'not_found', 'Not found');
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'method_not_allowed', 'GET only');
    res.writeHead(200, { 'Content-Type': contentTypeOf(name), 'Cache-Control': 'no-cache' }).end(req.method === 'HEAD' ? undefined : file);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) refuse(res, 500, 'internal', 'Internal error');
      else res.end();
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => {
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : opts.port);
    });
  });
  const url = `http://127.0.0.1:${port}`;
  origin = url;
  const config: ClientConfig = {
    apiUrl: opts.apiUrl,
    wsUrl: opts.wsUrl,
    auth: opts.mintDevToken || !opts.oidc ? { mode: 'dev', signInUrl: DEV_SIGN_IN_PATH } : { mode: 'oidc', ...opts.oidc },
  };
  const connect = [originOf(opts.apiUrl), originOf(opts.wsUrl), ...(opts.oidc ? [originOf(opts.oidc.issuer)] : [])];
  const headers = { ...WEB_SECURITY_HEADERS, 'Content-Security-Policy': webContentSecurityPolicy(connect) };

  return {
    url,
    origin,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
