/**
 * Serves the provider as Terraform expects: a gRPC server with AutoMTLS on a unix socket, the
 * handshake line as the first line on stdout, Shutdown that exits, SIGINT ignored, an exit within
 * 2 s when Terraform dies, the socket removed on every exit path.
 *
 * The socket and the line come from listen.ts. The mirror's entry point does that part first and
 * loads the provider bundle (this module, grpc-js, http2, TLS, the vendors) only once the line is
 * out, while Terraform reads it and dials; serveProvider then takes the connections that waited.
 */
import { unlinkSync } from 'node:fs';
import type { Logger } from '../../core/log';
import { redact } from '../../core/redact';
import type { ProviderEngine } from '../framework/engine';
import { startGrpcServer, type GrpcServer, type RpcHandler } from './grpc-server';
import { checkLaunch, PROTOCOL_VERSION } from './handshake';
import { listenForTerraform, type Listening } from './listen';
import { PARENT_POLL_MS, watchParent } from './parent-watch';
import { createProviderHandlers } from './provider-service';

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
  /** Where the handshake line goes (default stdout), when serveProvider writes it. */
  readonly writeHandshake?: (line: string) => void;
  /**
   * The socket listened on, its handshake line already out (the mirror's entry point). Without
   * it, serveProvider checks the launch contract, listens and writes the line itself.
   */
  readonly listening?: Listening;
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
  if (!options.debug && !options.listening) {
    const found = checkLaunch(env);
    if (found) {
      const problem = redact(found);
      process.stderr.write(`${problem}\n`);
      exit(1);
      throw new Error(problem);
    }
  }
  const listening =
    options.listening ??
    (await listenForTerraform({
      env,
      ...(options.debug ? { debug: true } : {}),
      ...(options.writeHandshake ? { writeHandshake: options.writeHandshake } : {}),
    }));
  const { socketPath, server: listener } = listening;
  let grpcServer: GrpcServer | undefined;
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
    listener.close();
    grpcServer?.forceShutdown();
    cleanup();
  };
  const onShutdown = (reply: () => void): void => {
    logger.debug('shutdown requested');
    // An engine never made has answered nothing, so it has nothing to settle.
    made?.engine.shutdown();
    reply();
    listener.close();
    // Let the reply go out, then stop; force it if a stream hangs on.
    const force = setTimeout(() => {
      close();
      exit(0);
    }, 1000);
    grpcServer?.tryShutdown(() => {
      clearTimeout(force);
      cleanup();
      exit(0);
    });
  };
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
      parentPid: listening.parentPid,
      intervalMs: pollMs,
      ...(options.isParentAlive ? { isAlive: options.isParentAlive } : {}),
      onGone: () => {
        logger.debug('the parent process (Terraform) is gone; shutting down');
        close();
        exit(0);
      },
    });
  }

  // Terraform reads the line and dials meanwhile: serve what waited, then make the engine at the next
  // turn (a failure of the engine shows at the first RPC).
  try {
    grpcServer = startGrpcServer({
      logger,
      handler: (name) => ready().handlers[name] as RpcHandler | undefined,
      onShutdown,
      ...(listening.tls ? { tls: listening.tls } : {}),
    });
  } catch (err) {
    close();
    exit(1);
    throw err;
  }
  const served = grpcServer;
  listening.take((connection) => served.inject(connection));
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
  logger.debug('provider listening', { socket: socketPath, tls: !!listening.tls });
  return { socketPath, close };
}
