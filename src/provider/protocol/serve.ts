/**
 * Starts the provider as Terraform expects: a gRPC server with AutoMTLS on a unix socket,
 * the handshake line as the first line on stdout, Shutdown that exits, SIGINT ignored, an exit
 * within 2 s when Terraform dies, the socket removed on every exit path. Every gRPC error and
 * message written here is redacted on its way out.
 */
import * as grpc from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../core/log';
import { redact } from '../../core/redact';
import type { ProviderEngine } from '../framework/engine';
import { generateServerCertificate, handshakeCertField } from './cert';
import { checkLaunch, handshakeLine, PROTOCOL_VERSION } from './handshake';
import { PARENT_POLL_MS, watchParent } from './parent-watch';
import { createProviderHandlers } from './provider-service';
import { loadServices } from './services';

function unary(
  fn: (req: Record<string, unknown>) => Promise<object> | object,
  name: string,
  logger: Logger,
): grpc.handleUnaryCall<Record<string, unknown>, object> {
  return (call, callback) => {
    const started = Date.now();
    Promise.resolve()
      .then(() => fn(call.request))
      .then(
        (res) => {
          logger.trace(`rpc ${name}`, { ms: Date.now() - started, type_name: call.request.type_name });
          callback(null, res);
        },
        (err: unknown) => {
          // The message leaves the process as the gRPC status details: redact it here, once.
          const details = redact(err instanceof Error ? err.message : String(err));
          logger.error(`rpc ${name} failed`, { error: details });
          callback({ code: grpc.status.INTERNAL, details });
        },
      );
  };
}

/** Options of {@link serveProvider}. */
export interface ServeOptions {
  /**
   * The engine, or how to make it: a function is called once, right after the handshake line is
   * out (while Terraform connects) or at the first RPC, so that building every vendor's handlers
   * is not on the way to the handshake.
   */
  readonly engine: ProviderEngine | (() => ProviderEngine);
  readonly logger: Logger;
  readonly env?: NodeJS.ProcessEnv;
  /** Debug mode: plaintext, no cookie check, prints a TF_REATTACH_PROVIDERS line to stderr. */
  readonly debug?: boolean;
  /** Provider source address, for the reattach line. */
  readonly address?: string;
  /** Called instead of process.exit (tests). */
  readonly exit?: (code: number) => void;
  /** Where the handshake line goes (default stdout). */
  readonly writeHandshake?: (line: string) => void;
  /**
   * How often to check that the parent (Terraform) is alive, in ms; 0 turns the check off. Never
   * done in debug mode, where Terraform reattaches and is not our parent. @default PARENT_POLL_MS
   */
  readonly parentPollMs?: number;
  /** Whether the parent is alive (tests). @default isParentAlive from parent-watch.ts */
  readonly isParentAlive?: (parentPid: number) => boolean;
}

/** Serves the provider until Terraform calls Shutdown. Resolves once the handshake line is out. */
export async function serveProvider(options: ServeOptions): Promise<{ socketPath: string; close: () => void }> {
  const env = options.env ?? process.env;
  const { logger } = options;
  let made: { engine: ProviderEngine; handlers: ReturnType<typeof createProviderHandlers> } | undefined;
  const ready = (): NonNullable<typeof made> => {
    if (!made) {
      const engine = typeof options.engine === 'function' ? options.engine() : options.engine;
      made = { engine, handlers: createProviderHandlers(engine, logger) };
    }
    return made;
  };
  const exit = options.exit ?? ((code: number) => process.exit(code));
  if (!options.debug) {
    const found = checkLaunch(env);
    if (found) {
      const problem = redact(found);
      process.stderr.write(`${problem}\n`);
      exit(1);
      throw new Error(problem);
    }
  }

  const services = loadServices();
  const server = new grpc.Server({ 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 });
  const impl: grpc.UntypedServiceImplementation = {};
  for (const name of Object.keys(services.provider)) {
    impl[name] = (call: grpc.ServerUnaryCall<Record<string, unknown>, object>, callback: grpc.sendUnaryData<object>) => {
      let fn;
      try {
        fn = ready().handlers[name];
      } catch (err) {
        const details = redact(`the provider could not start: ${err instanceof Error ? err.message : String(err)}`);
        logger.error(`rpc ${name} failed`, { error: details });
        callback({ code: grpc.status.INTERNAL, details });
        return;
      }
      if (fn) unary(fn, name, logger)(call, callback);
      else callback({ code: grpc.status.UNIMPLEMENTED, details: redact(`${name} is not implemented`) });
    };
  }
  server.addService(services.provider, impl);

  const socketPath = join(env.PLUGIN_UNIX_SOCKET_DIR || tmpdir(), `plugin${randomBytes(6).toString('hex')}`);
  let closed = false;
  let stopWatching = (): void => undefined;
  const cleanup = (): void => {
    if (closed) return;
    closed = true;
    try {
      unlinkSync(socketPath);
    } catch {
      // already gone
    }
  };
  const close = (): void => {
    stopWatching();
    server.forceShutdown();
    cleanup();
  };

  server.addService(services.controller, {
    Shutdown: (_call: unknown, callback: grpc.sendUnaryData<object>) => {
      logger.debug('shutdown requested');
      // An engine never made has answered nothing, so it has nothing to settle.
      made?.engine.shutdown();
      callback(null, {});
      // Let the reply go out, then stop; force it if a stream hangs on.
      const force = setTimeout(() => {
        close();
        exit(0);
      }, 1000);
      server.tryShutdown(() => {
        clearTimeout(force);
        cleanup();
        exit(0);
      });
    },
  });
  // Logs go to stderr directly, so the stdio stream stays open and silent until shutdown.
  server.addService(services.stdio, { StreamStdio: () => undefined });
  server.addService(services.health, {
    Check: (call: grpc.ServerUnaryCall<{ service: string }, object>, callback: grpc.sendUnaryData<object>) =>
      callback(null, { status: call.request.service === '' || call.request.service === 'plugin' ? 'SERVING' : 'SERVICE_UNKNOWN' }),
  });

  const clientCert = options.debug ? undefined : env.PLUGIN_CLIENT_CERT;
  let credentials = grpc.ServerCredentials.createInsecure();
  let certField = '';
  if (clientCert) {
    const cert = generateServerCertificate();
    credentials = grpc.ServerCredentials.createSsl(
      Buffer.from(clientCert),
      [{ private_key: Buffer.from(cert.keyPem), cert_chain: Buffer.from(cert.certPem) }],
      true,
    );
    certField = handshakeCertField(cert.der);
  }

  // Terraform shares our process group: Ctrl-C reaches us too. Terraform sends StopProvider instead.
  process.on('SIGINT', () => logger.debug('ignoring SIGINT; Terraform will send StopProvider'));
  process.on('SIGTERM', () => {
    close();
    exit(0);
  });
  process.on('exit', cleanup);
  const pollMs = options.parentPollMs ?? PARENT_POLL_MS;
  if (!options.debug && pollMs > 0) {
    // Nobody is left to call Shutdown: stop at once, streams and all, and remove the socket.
    stopWatching = watchParent({
      intervalMs: pollMs,
      ...(options.isParentAlive ? { isAlive: options.isParentAlive } : {}),
      onGone: () => {
        logger.debug('the parent process (Terraform) is gone; shutting down');
        close();
        exit(0);
      },
    });
  }

  await new Promise<void>((resolve, reject) => server.bindAsync(`unix://${socketPath}`, credentials, (err) => (err ? reject(err) : resolve())));
  (options.writeHandshake ?? ((line: string) => process.stdout.write(line)))(handshakeLine('unix', socketPath, certField));
  // Terraform now reads the line and connects: make the engine meanwhile (a failure shows at the first RPC).
  setImmediate(() => {
    try {
      ready();
    } catch {
      // reported by the RPC that needs it
    }
  });
  if (options.debug) {
    const reattach = {
      [options.address ?? 'registry.terraform.io/apiaccess/apiaccess']: {
        Protocol: 'grpc',
        ProtocolVersion: PROTOCOL_VERSION,
        Pid: process.pid,
        Test: true,
        Addr: { Network: 'unix', String: socketPath },
      },
    };
    process.stderr.write(redact(`Provider started in debug mode. In another shell:\n  export TF_REATTACH_PROVIDERS='${JSON.stringify(reattach)}'\n`));
  }
  logger.debug('provider listening', { socket: socketPath, tls: !!clientCert });
  return { socketPath, close };
}
