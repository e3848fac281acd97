/**
 * Issue 12, start-up: the handshake line comes before grpc-js, http2, TLS and the provider bundle
 * are loaded, and a connection that Terraform makes meanwhile waits and is then served, over
 * mutual TLS, with nothing it sent lost.
 */
import * as grpc from '@grpc/grpc-js';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect as rawConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../src/core/log';
import { ProviderEngine } from '../../../src/provider/framework/engine';
import type { VendorProvider } from '../../../src/provider/framework/provider';
import { generateServerCertificate } from '../../../src/provider/protocol/cert';
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, parseHandshakeLine } from '../../../src/provider/protocol/handshake';
import { listenForTerraform } from '../../../src/provider/protocol/listen';
import { serveProvider } from '../../../src/provider/protocol/serve';
import { makeFakeVendor } from '../_fake-vendor';
import { certFromField, connect, ROOT, unary } from '../_plugin';

let dir: string;
const cleanups: (() => void)[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'apiaccess-listen-'));
});

afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `node args` as Terraform would (cookie, client certificate); resolves with what it printed. */
function run(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, args, {
    env: {
      PATH: process.env.PATH,
      [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE,
      PLUGIN_PROTOCOL_VERSIONS: '6',
      PLUGIN_CLIENT_CERT: generateServerCertificate().certPem,
      PLUGIN_UNIX_SOCKET_DIR: dir,
      APIACCESS_CODE_CACHE: 'off',
      ...extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((res) => child.on('close', (code) => res({ code, stdout, stderr })));
}

/** How many connections the server has accepted. */
function connections(server: { getConnections(cb: (err: Error | null, n: number) => void): void }): Promise<number> {
  return new Promise((res, rej) => server.getConnections((err, n) => (err ? rej(err) : res(n))));
}

describe('issue 12: the handshake line comes first, the provider after it', () => {
  it("the mirror's entry point writes the line before it loads http2, TLS or the provider bundle", async () => {
    // A preload that notes, at the first write to stdout (the line), what the process has loaded.
    const probe = join(dir, 'probe.js');
    writeFileSync(
      probe,
      `const write = process.stdout.write.bind(process.stdout);
let first = true;
process.stdout.write = (chunk, ...rest) => {
  if (first) {
    first = false;
    const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
    process.stderr.write('PROBE ' + JSON.stringify({ builtins }) + '\\n');
  }
  return write(chunk, ...rest);
};`,
    );
    const client = generateServerCertificate();
    const child = spawn(process.execPath, ['-r', probe, join(ROOT, 'lib', 'bundle', 'provider.bundle.js')], {
      env: {
        PATH: process.env.PATH,
        [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE,
        PLUGIN_PROTOCOL_VERSIONS: '6',
        PLUGIN_CLIENT_CERT: client.certPem,
        PLUGIN_UNIX_SOCKET_DIR: dir,
        APIACCESS_CODE_CACHE: 'off',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanups.push(() => child.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const line = await new Promise<string>((res, rej) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('\n')) res(stdout.slice(0, stdout.indexOf('\n')));
      });
      child.on('exit', (code) => rej(new Error(`exited ${code} before the line: ${stderr}`)));
    });
    const probed = JSON.parse(/PROBE (.*)/.exec(stderr)![1]!) as { builtins: string[] };

    expect(probed.builtins).toEqual(expect.arrayContaining(['net', 'crypto']));
    // http2 and TLS are grpc-js's; zlib is loaded by grpc-js and undici alone.
    expect(probed.builtins.filter((m) => /^(http2|tls|_tls_wrap|internal\/http2\/core|zlib)$/.test(m))).toEqual([]);
    // …and once the line is out, the provider answers on it over mutual TLS.
    const hs = parseHandshakeLine(line);
    const creds = grpc.credentials.createSsl(Buffer.from(certFromField(hs.cert).toString()), Buffer.from(client.keyPem), Buffer.from(client.certPem));
    const clients = connect(hs.address, creds);
    cleanups.push(() => clients.close());
    expect(await unary(clients.health, 'Check', { service: 'plugin' })).toEqual({ status: 'SERVING' });
  });

  it('a connection made before the server takes it waits, and is then served over mutual TLS', async () => {
    const client = generateServerCertificate();
    let line = '';
    const listening = await listenForTerraform({
      env: { PLUGIN_CLIENT_CERT: client.certPem, PLUGIN_UNIX_SOCKET_DIR: dir },
      writeHandshake: (l) => (line = l),
    });
    const hs = parseHandshakeLine(line);
    expect(hs.address).toBe(listening.socketPath);
    // A Terraform that dials at once, and a client that connects and goes away before anything serves.
    const creds = grpc.credentials.createSsl(Buffer.from(certFromField(hs.cert).toString()), Buffer.from(client.keyPem), Buffer.from(client.certPem));
    const clients = connect(hs.address, creds);
    cleanups.push(() => clients.close());
    const answer = unary(clients.health, 'Check', { service: 'plugin' });
    const gone = rawConnect(hs.address);
    await new Promise<void>((res) => gone.once('connect', () => res()));
    gone.destroy();
    while ((await connections(listening.server)) < 1) await new Promise((res) => setTimeout(res, 5));

    const logger = createLogger({ level: 'error', write: () => undefined });
    const { close } = await serveProvider({
      engine: new ProviderEngine([makeFakeVendor().vendor as VendorProvider], logger, {}),
      logger,
      listening,
      exit: () => undefined,
      parentPollMs: 0,
    });
    cleanups.push(close);

    expect(await answer).toEqual({ status: 'SERVING' });
    expect(await unary(clients.health, 'Check', { service: 'other' })).toEqual({ status: 'SERVICE_UNKNOWN' });
  });

  it('a socket folder it cannot listen in gives one line naming the path, and exit 1', async () => {
    const missing = join(dir, 'no-such-folder');
    const { code, stdout, stderr } = await run([join(ROOT, 'lib', 'bundle', 'provider.bundle.js')], { PLUGIN_UNIX_SOCKET_DIR: missing });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^apiaccess: the provider could not listen on its socket: .*${missing}/plugin`)),
    ]);
  });

  it('a provider bundle that cannot load (a damaged mirror) is reported in one line after the handshake, and its socket is removed', async () => {
    const mirror = join(dir, 'mirror');
    mkdirSync(mirror);
    copyFileSync(join(ROOT, 'lib', 'bundle', 'provider.bundle.js'), join(mirror, 'provider.bundle.js'));
    writeFileSync(join(mirror, 'provider.main.js'), 'this is not JavaScript(');
    const { code, stdout, stderr } = await run([join(mirror, 'provider.bundle.js')]);
    expect(code).toBe(1);
    const socket = parseHandshakeLine(stdout).address;
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^apiaccess: the provider could not load: /)]);
    expect(existsSync(socket)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('plugin'))).toEqual([]);
  });
});
