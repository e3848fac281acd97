/**
 * serveProvider in this process (no binary): gRPC errors are redacted where they leave, and the
 * parent watch shuts the server down the way Shutdown does, except in debug mode.
 */
import * as grpc from '@grpc/grpc-js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type Logger } from '../../../src/core/log';
import { clearRegisteredSecrets, REDACTED, registerSecret } from '../../../src/core/redact';
import { ProviderEngine } from '../../../src/provider/framework/engine';
import type { VendorProvider } from '../../../src/provider/framework/provider';
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, parseHandshakeLine } from '../../../src/provider/protocol/handshake';
import { serveProvider, type ServeOptions } from '../../../src/provider/protocol/serve';
import { makeFakeVendor } from '../_fake-vendor';
import { connect, unary, type Clients } from '../_plugin';

const SECRET = 'serve-secret/0123456789';

let socketDir: string;
const cleanups: (() => void)[] = [];

interface Served {
  readonly engine: ProviderEngine;
  readonly socketPath: string;
  readonly lines: string[];
  readonly clients: Clients;
  readonly exited: Promise<number>;
  readonly exit: jest.Mock;
}

async function serve(options: Partial<ServeOptions> = {}): Promise<Served> {
  const lines: string[] = [];
  const logger: Logger = createLogger({ level: 'trace', write: (l) => lines.push(l) });
  const engine = new ProviderEngine([makeFakeVendor().vendor as VendorProvider], logger, {});
  let resolveExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((res) => (resolveExit = res));
  const exit = jest.fn((code: number) => resolveExit(code));
  let handshake = '';
  const { socketPath, close } = await serveProvider({
    engine,
    logger,
    env: { [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '6', PLUGIN_UNIX_SOCKET_DIR: socketDir },
    exit,
    writeHandshake: (l) => (handshake = l),
    parentPollMs: 0,
    ...options,
  });
  const clients = connect(socketPath, grpc.credentials.createInsecure(), {});
  cleanups.push(() => clients.close(), close);
  if (!options.debug) expect(parseHandshakeLine(handshake).address).toBe(socketPath);
  return { engine, socketPath, lines, clients, exited, exit };
}

beforeEach(() => {
  clearRegisteredSecrets();
  socketDir = mkdtempSync(join(tmpdir(), 'apiaccess-serve-'));
});

afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
  rmSync(socketDir, { recursive: true, force: true });
  clearRegisteredSecrets();
  jest.restoreAllMocks();
});

describe('issue 6: gRPC errors are redacted where they leave the process', () => {
  it('an unexpected failure becomes INTERNAL with the message redacted, and its log line too', async () => {
    const s = await serve();
    registerSecret(SECRET);
    jest.spyOn(s.engine, 'resourceSchemas').mockImplementation(() => {
      throw new Error(`schema cache broke near ${encodeURIComponent(SECRET)} (${SECRET})`);
    });

    const failure = unary(s.clients.provider, 'GetProviderSchema', {});

    await expect(failure).rejects.toMatchObject({ code: grpc.status.INTERNAL, details: `schema cache broke near ${REDACTED} (${REDACTED})` });
    const logged = s.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e['@message'] === 'rpc GetProviderSchema failed');
    expect(logged).toMatchObject({ '@level': 'error', error: `schema cache broke near ${REDACTED} (${REDACTED})` });
    expect(s.lines.join('')).not.toContain('serve-secret');
  });
});

describe('issue 6: the provider watches its parent', () => {
  it('when the parent is gone it stops serving, removes the socket and exits 0', async () => {
    let alive = true;
    const s = await serve({ parentPollMs: 5, isParentAlive: () => alive });
    expect(await unary(s.clients.health, 'Check', { service: 'plugin' })).toEqual({ status: 'SERVING' });
    expect(s.exit).not.toHaveBeenCalled();

    alive = false;

    expect(await s.exited).toBe(0);
    expect(s.exit).toHaveBeenCalledTimes(1);
    expect(existsSync(s.socketPath)).toBe(false);
    expect(s.lines.some((l) => l.includes('the parent process (Terraform) is gone'))).toBe(true);
    await expect(unary(s.clients.health, 'Check', { service: 'plugin' }, 1000)).rejects.toThrow();
  });

  it('does not watch in debug mode (Terraform reattaches and is not the parent)', async () => {
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true); // the TF_REATTACH_PROVIDERS line
    const debugCheck = jest.fn(() => true);
    const normalCheck = jest.fn(() => true);
    await serve({ debug: true, parentPollMs: 5, isParentAlive: debugCheck });
    const normal = await serve({ parentPollMs: 5, isParentAlive: normalCheck });

    // Once the watching server has polled a few times, the debug one would have too.
    while (normalCheck.mock.calls.length < 3) await new Promise((res) => setTimeout(res, 5));

    expect(debugCheck).not.toHaveBeenCalled();
    expect(normalCheck).toHaveBeenCalledWith(process.ppid);
    expect(normal.exit).not.toHaveBeenCalled();
  });
});

describe('issue 12: the engine is made after the handshake, not on the way to it', () => {
  it('a factory is called once, after the handshake line is out, and the RPCs then use its engine', async () => {
    const events: string[] = [];
    const logger = createLogger({ level: 'error', write: () => undefined });
    let made: ProviderEngine | undefined;
    const factory = jest.fn(() => {
      events.push('engine');
      made = new ProviderEngine([makeFakeVendor().vendor as VendorProvider], logger, {});
      return made;
    });
    const { socketPath, close } = await serveProvider({
      engine: factory,
      logger,
      env: { [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '6', PLUGIN_UNIX_SOCKET_DIR: socketDir },
      exit: () => undefined,
      writeHandshake: () => events.push('handshake'),
      parentPollMs: 0,
    });
    const clients = connect(socketPath, grpc.credentials.createInsecure(), {});
    cleanups.push(() => clients.close(), close);
    expect(events).toEqual(['handshake']);
    const schema = await unary(clients.provider, 'GetProviderSchema', {});
    expect(events).toEqual(['handshake', 'engine']);
    expect(Object.keys(schema.resource_schemas as object)).toEqual([...made!.resourceSchemas().keys()]);
    await unary(clients.provider, 'GetMetadata', {});
    expect(factory).toHaveBeenCalledTimes(1);
  });

  it('an engine that cannot be made fails the RPCs with INTERNAL and a redacted message', async () => {
    registerSecret(SECRET);
    const logger = createLogger({ level: 'error', write: () => undefined });
    const { socketPath, close } = await serveProvider({
      engine: () => {
        throw new Error(`bad spec near ${SECRET}`);
      },
      logger,
      env: { [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '6', PLUGIN_UNIX_SOCKET_DIR: socketDir },
      exit: () => undefined,
      writeHandshake: () => undefined,
      parentPollMs: 0,
    });
    const clients = connect(socketPath, grpc.credentials.createInsecure(), {});
    cleanups.push(() => clients.close(), close);
    await expect(unary(clients.provider, 'GetProviderSchema', {})).rejects.toMatchObject({
      code: grpc.status.INTERNAL,
      details: `the provider could not start: bad spec near ${REDACTED}`,
    });
  });
});
