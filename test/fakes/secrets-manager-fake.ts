// A stand-in for AWS Secrets Manager's GetSecretValue (AWS JSON 1.1 over HTTP on 127.0.0.1), for the real
// @aws-sdk/client-secrets-manager client (AWS_ENDPOINT_URL_SECRETS_MANAGER points here). Counts reads.
import { createServer } from 'node:http';

export interface SecretsManagerFake {
  readonly endpoint: string;
  /** SecretIds asked for, in order. */
  readonly reads: string[];
  close(): Promise<void>;
}

export async function startSecretsManagerFake(secrets: Record<string, string>): Promise<SecretsManagerFake> {
  const reads: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const { SecretId } = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { SecretId?: string };
      const value = SecretId === undefined ? undefined : secrets[SecretId];
      if (target !== 'secretsmanager.GetSecretValue' || value === undefined) {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }));
        return;
      }
      reads.push(SecretId!);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ ARN: SecretId, Name: 'stand-in', SecretString: value, VersionId: 'v1', VersionStages: ['AWSCURRENT'] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    reads,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
