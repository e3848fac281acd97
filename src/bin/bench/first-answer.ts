/**
 * Launch → first answer: what a Terraform command waits for at each provider start, not just the
 * handshake line. The provider is spawned as Terraform would (magic cookie, client certificate);
 * at its handshake line a gRPC client (loaded beforehand, as Terraform's is) dials the socket over
 * mutual TLS and calls GetProviderSchema, the first RPC Terraform sends.
 */
import * as grpc from '@grpc/grpc-js';
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { parseHandshakeLine } from '../../provider/protocol/handshake';
import { loadServices } from '../../provider/protocol/services';

const Provider = grpc.makeGenericClientConstructor(loadServices().provider, 'Provider');

/**
 * Milliseconds from spawning `node args` to GetProviderSchema answered; `client` is the key and
 * certificate the child was given as PLUGIN_CLIENT_CERT.
 */
export function timeUntilFirstAnswer(args: string[], env: NodeJS.ProcessEnv, client: { keyPem: string; certPem: string }): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    child.on('error', reject);
    let out = '';
    child.stdout.setEncoding('utf8');
    const onData = (chunk: string): void => {
      out += chunk;
      if (!out.includes('\n')) return;
      child.stdout.off('data', onData);
      const line = parseHandshakeLine(out.slice(0, out.indexOf('\n')));
      const credentials = grpc.credentials.createSsl(
        Buffer.from(new X509Certificate(Buffer.from(line.cert, 'base64')).toString()),
        Buffer.from(client.keyPem),
        Buffer.from(client.certPem),
      );
      const provider = new Provider(`unix://${line.address}`, credentials, {
        'grpc.ssl_target_name_override': 'localhost',
        'grpc.default_authority': 'localhost',
      });
      const call = (provider as unknown as Record<string, (req: object, cb: (err: grpc.ServiceError | null) => void) => void>).GetProviderSchema!;
      call.call(provider, {}, (err) => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        provider.close();
        child.kill('SIGTERM');
        if (err) reject(new Error(`GetProviderSchema failed: ${err.message}`));
        else resolvePromise(ms);
      });
    };
    child.stdout.on('data', onData);
  });
}
