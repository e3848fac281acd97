/**
 * Helpers to run the built provider binary as Terraform does (go-plugin launch contract) and to
 * talk to it over gRPC with the project's own protocol definitions.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { resolve } from 'node:path';
import { parse as parseProto } from 'protobufjs';
import { GO_PLUGIN_PROTO, HEALTH_PROTO, TFPLUGIN6_PROTO } from '../../src/provider/protocol/proto';

export const ROOT = resolve(__dirname, '..', '..');
export const BIN = resolve(ROOT, 'lib', 'bin', 'terraform-provider-apiaccess.js');
export const MAGIC_COOKIE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';

/** A spawned provider process and what it printed. */
export interface Launched {
  readonly child: ChildProcess;
  readonly startedAt: number;
  stdout: string;
  stderr: string;
  /** The first stdout line (without '\n'), or null when the process ended before printing one. */
  readonly firstLine: Promise<string | null>;
  /** Resolves when the process has exited and its stdio is closed. */
  readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once stderr contains `text`. */
  waitForStderr(text: string): Promise<void>;
}

/** Tracks every process it spawns so that a test can kill the leftovers. */
export class ProviderProcesses {
  private readonly all: Launched[] = [];

  /** Starts the binary with exactly `env` (plus PATH), no inherited TF_ or APIACCESS_ variables. */
  launch(env: NodeJS.ProcessEnv): Launched {
    const startedAt = performance.now();
    const child = spawn(process.execPath, [BIN], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stderrWaiters: { text: string; resolve: () => void }[] = [];
    const launched: Launched = {
      child,
      startedAt,
      stdout: '',
      stderr: '',
      firstLine: undefined as unknown as Promise<string | null>,
      closed: new Promise((res) => child.on('close', (code, signal) => res({ code, signal }))),
      waitForStderr: (text) => (launched.stderr.includes(text) ? Promise.resolve() : new Promise<void>((res) => stderrWaiters.push({ text, resolve: res }))),
    };
    (launched as { firstLine: Promise<string | null> }).firstLine = new Promise((res) => {
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (chunk: string) => {
        const hadLine = launched.stdout.includes('\n');
        launched.stdout += chunk;
        if (!hadLine && launched.stdout.includes('\n')) {
          res(launched.stdout.slice(0, launched.stdout.indexOf('\n')));
        }
      });
      child.on('close', () => res(null));
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      launched.stderr += chunk;
      for (const w of stderrWaiters.splice(0)) {
        if (launched.stderr.includes(w.text)) w.resolve();
        else stderrWaiters.push(w);
      }
    });
    this.all.push(launched);
    return launched;
  }

  /** Kills (SIGKILL) every process still running and waits until each has exited. */
  async killAll(): Promise<void> {
    const running = this.all.splice(0);
    await Promise.all(
      running.map(async (p) => {
        if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
        await p.closed;
      }),
    );
  }
}

/** The handshake line's fields. */
export interface Handshake {
  readonly core: string;
  readonly app: string;
  readonly network: string;
  readonly address: string;
  readonly protocol: string;
  readonly cert: string;
}

export function parseHandshake(line: string): Handshake {
  const parts = line.split('|');
  if (parts.length !== 6) throw new Error(`handshake line has ${parts.length} fields: ${line}`);
  const [core, app, network, address, protocol, cert] = parts as [string, string, string, string, string, string];
  return { core, app, network, address, protocol, cert };
}

/** The server certificate of a handshake CERT field (unpadded std base64 DER). */
export function certFromField(field: string): X509Certificate {
  return new X509Certificate(Buffer.from(field, 'base64'));
}

const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true };

type Pkg = grpc.GrpcObject;

function load(text: string): Pkg {
  return grpc.loadPackageDefinition(protoLoader.fromJSON(parseProto(text, { keepCase: true }).root.toJSON(), LOADER_OPTIONS));
}

function ctor(pkg: Pkg, ...path: string[]): grpc.ServiceClientConstructor {
  let cur: unknown = pkg;
  for (const p of path) cur = (cur as Record<string, unknown>)[p];
  return cur as grpc.ServiceClientConstructor;
}

const tf = load(TFPLUGIN6_PROTO);
const gp = load(GO_PLUGIN_PROTO);
const hp = load(HEALTH_PROTO);

export const ProviderClient = ctor(tf, 'tfplugin6', 'Provider');
export const ControllerClient = ctor(gp, 'plugin', 'GRPCController');
export const HealthClient = ctor(hp, 'grpc', 'health', 'v1', 'Health');

/** Channel options that make grpc-js check the server cert against "localhost" on a unix socket. */
export const TLS_CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.ssl_target_name_override': 'localhost',
  'grpc.default_authority': 'localhost',
};

type Unary = (
  req: object,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, res: Record<string, unknown>) => void,
) => void;

/** Calls a unary method and resolves with the response; rejects on any gRPC error. */
export function unary(client: grpc.Client, method: string, req: object, timeoutMs = 5000): Promise<Record<string, unknown>> {
  const fn = (client as unknown as Record<string, Unary>)[method];
  if (typeof fn !== 'function') throw new Error(`no method ${method}`);
  return new Promise((res, rej) => {
    fn.call(client, req, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, out) => (err ? rej(err) : res(out)));
  });
}

/** Three clients on one address with the same credentials. */
export interface Clients {
  readonly provider: grpc.Client;
  readonly controller: grpc.Client;
  readonly health: grpc.Client;
  close(): void;
}

export function connect(socketPath: string, credentials: grpc.ChannelCredentials, options: grpc.ChannelOptions = TLS_CHANNEL_OPTIONS): Clients {
  const address = `unix://${socketPath}`;
  const provider = new ProviderClient(address, credentials, options);
  const controller = new ControllerClient(address, credentials, options);
  const health = new HealthClient(address, credentials, options);
  return {
    provider,
    controller,
    health,
    close: () => [provider, controller, health].forEach((c) => c.close()),
  };
}
