// `npm start`: runs the local stack until Ctrl-C, then stops everything it started.
import { startLocalStack } from './stack';

const port = Number(process.env.PORT ?? 3000);
const dataDir = process.env.DATA_DIR ?? '.data';
const t0 = Date.now();

try {
  const stack = await startLocalStack({ port, dataDir, env: process.env });
  const tokenCmd = stack.devIssuer ? 'npm run -s token -- alice' : '<a token from your issuer>';
  const dataDirEnv = dataDir === '.data' ? '' : `DATA_DIR=${dataDir} `;
  console.log(
    [
      `ThreadGuard local stack ready in ${Date.now() - t0} ms at ${stack.url} (WebSocket: ${stack.wsUrl})`,
      stack.devIssuer ? `Dev issuer: ${stack.devIssuer} (tokens: ${dataDirEnv}npm run token -- <user> [--roles admin])` : `Issuer: ${process.env.JWT_ISSUER}`,
      // Never the token itself: terminal scroll-back and CI logs keep what is printed here.
      stack.webhookTokenFile
        ? `Webhook token (local): generated into ${stack.webhookTokenFile} (mode 0600); read it with: cat ${stack.webhookTokenFile}`
        : 'Webhook token (local): from WEBHOOK_TOKEN (not printed)',
      `Try: curl -H "Authorization: Bearer $(${dataDirEnv}${tokenCmd})" ${stack.url}/me`,
    ].join('\n'),
  );
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping the local stack`);
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // Never leave DynamoDB Local running without its parent, whatever brings the stack down.
  process.on('uncaughtException', (err) => {
    console.error(`Local stack crashed: ${err.message}`);
    void stack.stop().finally(() => process.exit(1));
  });
} catch (err) {
  console.error(`Local stack failed to start: ${(err as Error).message}`);
  process.exit(1);
}
