// `npm start`: runs the local stack until it is stopped, however that happens, then stops everything
// it started (listeners and DynamoDB Local): Ctrl-C, SIGINT/SIGTERM to npm (forwarded to this
// process, which `exec` in the start script makes npm's direct child), SIGHUP when the terminal
// closes, or npm itself going away (this process is then re-parented, which the watchdog notices).
import { freePortPair, isFree, portInUseMessage } from './port-in-use';
import { startLocalStack, type LocalStack } from './stack';

const port = Number(process.env.PORT ?? 3000);
const dataDir = process.env.DATA_DIR ?? '.data';
// The web client listens next to the API: PORT + 1 unless WEB_PORT says otherwise.
const webPort = Number(process.env.WEB_PORT ?? (port === 0 ? 0 : port + 1));
const t0 = Date.now();
/** A stop that hangs (a wedged listener, a Java that ignores SIGTERM) must not keep the port. */
const STOP_DEADLINE_MS = 10_000;

// A closed terminal or a reader that went away must not turn a log line into a crash mid-shutdown.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
const say = (line: string, to: NodeJS.WriteStream = process.stdout) => {
  try {
    to.write(`${line}\n`);
  } catch {
    /* nobody is listening any more */
  }
};

let starting: Promise<LocalStack> | null = null;
let stopping = false;
async function shutdown(reason: string, code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  say(`${reason}: stopping the local stack`);
  setTimeout(() => {
    say(`The local stack did not stop within ${STOP_DEADLINE_MS / 1000} s; exiting`, process.stderr);
    process.exit(1);
  }, STOP_DEADLINE_MS).unref();
  try {
    // Stopped while starting: let the start finish (or fail and clean up), then stop what it started.
    const stack = await starting?.catch(() => null);
    await stack?.stop();
  } finally {
    process.exit(code);
  }
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(signal));
// Never leave DynamoDB Local running without its parent, whatever brings the stack down.
process.on('uncaughtException', (err) => {
  say(`Local stack crashed: ${err.message}`, process.stderr);
  void shutdown('crash', 1);
});
// The process that started this one is gone (npm killed, terminal closed): stop too.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void shutdown('parent process exited');
}, 500).unref();

// Both ports are checked before anything is written into DATA_DIR: a refused start leaves it as it was.
for (const p of [port, webPort]) {
  if (p !== 0 && !(await isFree(p))) {
    say(portInUseMessage(p, await freePortPair(port)), process.stderr);
    process.exit(1);
  }
}

try {
  starting = startLocalStack({ port, dataDir, webPort, env: process.env });
  const stack = await starting;
  const dataDirEnv = dataDir === '.data' ? '' : `DATA_DIR=${dataDir} `;
  // With an external issuer there is no command that prints a token: the line reads $TOKEN, and says so.
  const tryLine = stack.devIssuer
    ? `Try: curl -H "Authorization: Bearer $(${dataDirEnv}npm run -s token -- alice)" ${stack.url}/me`
    : `Try: curl -H "Authorization: Bearer $TOKEN" ${stack.url}/me   (TOKEN: an access or ID token from ${process.env.JWT_ISSUER})`;
  say(
    [
      `ThreadGuard local stack ready in ${Date.now() - t0} ms at ${stack.url} (WebSocket: ${stack.wsUrl})`,
      `Web client: ${stack.webUrl}`,
      stack.devIssuer ? `Dev issuer: ${stack.devIssuer} (tokens: ${dataDirEnv}npm run -s token -- <user> [--roles admin])` : `Issuer: ${process.env.JWT_ISSUER}`,
      // Never the token itself: terminal scroll-back and CI logs keep what is printed here.
      stack.webhookTokenFile
        ? `Webhook token (local): generated into ${stack.webhookTokenFile} (mode 0600); read it with: cat ${stack.webhookTokenFile}`
        : 'Webhook token (local): from WEBHOOK_TOKEN (not printed)',
      tryLine,
    ].join('\n'),
  );
  // Keeps the process alive (the watchdog timer is unref'd) until a signal or the parent's exit.
  setInterval(() => undefined, 1 << 30);
} catch (err) {
  const e = err as NodeJS.ErrnoException & { port?: number };
  // The busy port may be the web client's (WEB_PORT); the error names it.
  say(e.code === 'EADDRINUSE' ? portInUseMessage(e.port ?? port, await freePortPair(port)) : `Local stack failed to start: ${e.message}`, process.stderr);
  process.exit(1);
}
