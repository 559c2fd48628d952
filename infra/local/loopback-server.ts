// Starting and stopping the local stack's HTTP servers (the gateway, the Management API, the
// service stand-ins): on loopback only, never on an outside interface.
import type { Server } from 'node:http';

/** Listens on loopback only; resolves the port (an ephemeral one for port 0). */
export async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const addr = server.address();
  return typeof addr === 'object' && addr ? addr.port : port;
}

/** Stops accepting, drops open (keep-alive or streaming) connections, and waits for the close. */
export async function closeServer(server: Server | null): Promise<void> {
  if (!server?.listening) return;
  const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
  server.closeAllConnections();
  await closed;
}
