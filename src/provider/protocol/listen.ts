/**
 * The part of a provider start that comes before the handshake line, and nothing else: the
 * server certificate, the unix socket listened on, and the line. It needs only Node's built-in
 * `net` and `crypto`, so the mirror's entry point runs it before it loads the provider bundle
 * (grpc-js, http2, TLS, the vendors); Terraform reads the line and dials meanwhile, and its
 * connection waits in the socket's backlog until the server (serve.ts) accepts it.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateServerCertificate, handshakeCertField } from './cert';
import { handshakeLine } from './handshake';

/** A socket listened on, whose handshake line is out; serve.ts takes it from here. */
export interface Listening {
  readonly server: Server;
  readonly socketPath: string;
  /** The process that started us, read before the line was out (while Terraform surely waited). */
  readonly parentPid: number;
  /**
   * Hands every connection to `serve`: those that came in before (each held paused, so nothing it
   * sent is read yet) at once, the later ones as they come. Called once.
   */
  readonly take: (serve: (connection: Socket) => void) => void;
  /** AutoMTLS material; absent in debug mode or when Terraform sent no client certificate. */
  readonly tls?: { readonly clientCertPem: string; readonly keyPem: string; readonly certPem: string };
}

/** Options of {@link listenForTerraform}. */
export interface ListenOptions {
  readonly env: NodeJS.ProcessEnv;
  /** Debug mode: plaintext. */
  readonly debug?: boolean;
  /** Where the handshake line goes (default stdout). */
  readonly writeHandshake?: (line: string) => void;
}

/**
 * Listens on a fresh socket in PLUGIN_UNIX_SOCKET_DIR (or the temp folder) and writes the
 * handshake line, with the server certificate when Terraform sent its own (AutoMTLS). The launch
 * contract (magic cookie, protocol version) is checked by the caller first.
 */
export async function listenForTerraform(options: ListenOptions): Promise<Listening> {
  const { env } = options;
  // Node reads the parent PID at the first use of process.ppid: that must not be after Terraform died.
  const parentPid = process.ppid;
  const clientCertPem = options.debug ? undefined : env.PLUGIN_CLIENT_CERT;
  const cert = clientCertPem ? generateServerCertificate() : undefined;
  const socketPath = join(env.PLUGIN_UNIX_SOCKET_DIR || tmpdir(), `plugin${randomBytes(6).toString('hex')}`);
  // Until serve.ts takes them, connections wait here, paused (a reset just drops one).
  const early = new Set<Socket>();
  const hold = (socket: Socket): void => {
    socket.pause();
    early.add(socket);
    socket.once('close', () => early.delete(socket)).on('error', () => undefined);
  };
  const server = createServer(hold);
  const take = (serve: (connection: Socket) => void): void => {
    server.off('connection', hold).on('connection', serve);
    for (const socket of early) serve(socket);
    early.clear();
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  (options.writeHandshake ?? ((line: string) => process.stdout.write(line)))(handshakeLine('unix', socketPath, cert ? handshakeCertField(cert.der) : ''));
  return { server, socketPath, parentPid, take, ...(cert && clientCertPem ? { tls: { clientCertPem, keyPem: cert.keyPem, certPem: cert.certPem } } : {}) };
}
