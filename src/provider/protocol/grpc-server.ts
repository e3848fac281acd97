/**
 * The gRPC half of the provider's server: grpc-js, the service definitions and the handlers.
 * serve.ts listens on the socket and writes the handshake line before this module is loaded; it
 * then hands every connection to this server through grpc-js's connection injector, so loading
 * grpc-js, http2 and TLS happens while Terraform reads the line and dials, not before. Every
 * gRPC error written here is redacted on its way out.
 */
import * as grpc from '@grpc/grpc-js';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../core/log';
import { redact } from '../../core/redact';
import { loadServices } from './services';

/** A provider RPC handler: request object in, response object out. */
export type RpcHandler = (req: Record<string, unknown>) => Promise<object> | object;

/** Options of {@link startGrpcServer}. */
export interface GrpcServerOptions {
  readonly logger: Logger;
  /** The handler of a tfplugin6.Provider method; may throw when the engine cannot be made. */
  readonly handler: (method: string) => RpcHandler | undefined;
  /** Controller.Shutdown: settles what must be, calls `reply`, then stops the server. */
  readonly onShutdown: (reply: () => void) => void;
  /** AutoMTLS material; absent in debug mode (plaintext). */
  readonly tls?: { readonly clientCertPem: string; readonly keyPem: string; readonly certPem: string };
}

/** The running gRPC server: connections go in, it shuts down gracefully or at once. */
export interface GrpcServer {
  /** Serves one accepted connection (TLS is done here when the server has it). */
  inject(connection: Duplex): void;
  /** Stops once the open calls are answered. */
  tryShutdown(done: () => void): void;
  /** Stops now, streams and all. */
  forceShutdown(): void;
}

function unary(fn: RpcHandler, name: string, logger: Logger): grpc.handleUnaryCall<Record<string, unknown>, object> {
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

/** Builds the server with the provider, controller, stdio and health services. */
export function startGrpcServer(options: GrpcServerOptions): GrpcServer {
  const { logger } = options;
  const services = loadServices();
  const server = new grpc.Server({
    'grpc.max_receive_message_length': -1,
    'grpc.max_send_message_length': -1,
    // Channelz (grpc-js's introspection data, which the provider does not serve) costs ~4% of the
    // CPU of a large plan when left on.
    'grpc.enable_channelz': 0,
  });
  const impl: grpc.UntypedServiceImplementation = {};
  for (const name of Object.keys(services.provider)) {
    impl[name] = (call: grpc.ServerUnaryCall<Record<string, unknown>, object>, callback: grpc.sendUnaryData<object>) => {
      let fn;
      try {
        fn = options.handler(name);
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
  server.addService(services.controller, {
    Shutdown: (_call: unknown, callback: grpc.sendUnaryData<object>) => options.onShutdown(() => callback(null, {})),
  });
  // Logs go to stderr directly, so the stdio stream stays open and silent until shutdown.
  server.addService(services.stdio, { StreamStdio: () => undefined });
  server.addService(services.health, {
    Check: (call: grpc.ServerUnaryCall<{ service: string }, object>, callback: grpc.sendUnaryData<object>) =>
      callback(null, { status: call.request.service === '' || call.request.service === 'plugin' ? 'SERVING' : 'SERVICE_UNKNOWN' }),
  });

  const credentials = options.tls
    ? grpc.ServerCredentials.createSsl(
        Buffer.from(options.tls.clientCertPem),
        [{ private_key: Buffer.from(options.tls.keyPem), cert_chain: Buffer.from(options.tls.certPem) }],
        true,
      )
    : grpc.ServerCredentials.createInsecure();
  const injector = server.createConnectionInjector(credentials);
  // grpc-js force-closes only the sessions it tracks for channelz, which is off: the connections
  // are ours, so they are closed here.
  const connections = new Set<Duplex>();
  return {
    inject: (connection) => {
      connections.add(connection);
      connection.once('close', () => connections.delete(connection));
      injector.injectConnection(connection);
    },
    tryShutdown: (done) => server.tryShutdown(() => done()),
    forceShutdown: () => {
      server.forceShutdown();
      for (const connection of connections) connection.destroy();
      connections.clear();
    },
  };
}
