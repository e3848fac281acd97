/**
 * The built binary (lib/bin/terraform-provider-apiaccess.js, run `npx tsc -p tsconfig.json` first)
 * over the real wire: go-plugin's launch contract, AutoMTLS, the services Terraform calls, and
 * the process lifecycle.
 */
import * as grpc from '@grpc/grpc-js';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { generateServerCertificate, type ServerCertificate } from '../../../src/provider/protocol/cert';
import { BIN, certFromField, connect, MAGIC_COOKIE, parseHandshake, ProviderProcesses, unary, type Clients, type Launched } from '../_plugin';

const processes = new ProviderProcesses();
const openClients: Clients[] = [];
let socketDir: string;
/** Terraform's (go-plugin's) client certificate: the same kind of self-signed cert as the server's. */
let clientCert: ServerCertificate;

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    TF_PLUGIN_MAGIC_COOKIE: MAGIC_COOKIE,
    PLUGIN_PROTOCOL_VERSIONS: '5,6',
    PLUGIN_CLIENT_CERT: clientCert.certPem,
    PLUGIN_UNIX_SOCKET_DIR: socketDir,
    ...extra,
  };
}

/** Launches with TLS and returns the process, its parsed handshake and the server cert PEM. */
async function launchTls(extra: NodeJS.ProcessEnv = {}) {
  const p = processes.launch(env(extra));
  const line = await p.firstLine;
  if (line === null) throw new Error(`provider exited before the handshake: ${p.stderr}`);
  const hs = parseHandshake(line);
  const serverCertPem = certFromField(hs.cert).toString();
  return { p, line, hs, serverCertPem };
}

function tlsClients(socket: string, serverCertPem: string, client: ServerCertificate = clientCert): Clients {
  const creds = grpc.credentials.createSsl(Buffer.from(serverCertPem), Buffer.from(client.keyPem), Buffer.from(client.certPem));
  const c = connect(socket, creds);
  openClients.push(c);
  return c;
}

/** Resolves with the exit status, or rejects if the process is still running after `ms`. */
function exitWithin(p: Launched, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`provider still running ${ms} ms after Shutdown`)), ms);
  });
  return Promise.race([p.closed, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Terraform's Shutdown: go-plugin ignores the RPC's result and only waits (2 s) for the exit, so
 * this checks the exit; 'answers Shutdown with {}' checks the reply itself.
 */
async function shutdown(c: Clients, p: Launched): Promise<void> {
  await unary(c.controller, 'Shutdown', {}).catch(() => undefined);
  expect(await exitWithin(p, 2000)).toEqual({ code: 0, signal: null });
}

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npx tsc -p tsconfig.json first`);
  clientCert = generateServerCertificate();
});

beforeEach(() => {
  socketDir = mkdtempSync(join(tmpdir(), 'apiaccess-hs-'));
});

afterEach(async () => {
  for (const c of openClients.splice(0)) c.close();
  await processes.killAll();
  rmSync(socketDir, { recursive: true, force: true });
});

describe('provider binary: handshake and AutoMTLS', () => {
  it('prints 1|6|unix|<socket>|grpc|<cert> first, serves the schema and health over mTLS, and exits 0 on Shutdown', async () => {
    const { p, line, hs, serverCertPem } = await launchTls();

    // The handshake line.
    expect(line).toMatch(/^1\|6\|unix\|[^|]+\|grpc\|[A-Za-z0-9+/]+$/);
    expect(hs).toMatchObject({ core: '1', app: '6', network: 'unix', protocol: 'grpc' });
    expect(dirname(hs.address)).toBe(socketDir);
    expect(statSync(hs.address).isSocket()).toBe(true);
    expect(hs.cert).not.toContain('=');
    expect(hs.cert.length).toBeGreaterThan(50); // go-plugin ignores shorter CERT fields
    const der = Buffer.from(hs.cert, 'base64');
    expect(der.toString('base64').replace(/=+$/, '')).toBe(hs.cert); // std alphabet, only the padding removed
    const x509 = certFromField(hs.cert);
    expect(Buffer.from(x509.raw)).toEqual(der);
    expect(x509.subjectAltName).toBe('DNS:localhost');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.verify(x509.publicKey)).toBe(true); // self-signed
    expect(x509.fingerprint256).not.toBe(new X509Certificate(clientCert.certPem).fingerprint256); // a fresh server cert

    const c = tlsClients(hs.address, serverCertPem);
    const schema = await unary(c.provider, 'GetProviderSchema', {});
    expect(schema.diagnostics).toEqual([]);
    expect(schema.server_capabilities).toMatchObject({ get_provider_schema_optional: true });
    const resources = schema.resource_schemas as Record<string, { block: { attributes: { name: string; type: Buffer }[] } }>;
    expect(resources).toHaveProperty('apiaccess_signicat_api_client');
    const attrs = Object.fromEntries(resources.apiaccess_signicat_api_client.block.attributes.map((a) => [a.name, a]));
    expect(Object.keys(attrs)).toEqual(expect.arrayContaining(['name', 'permissions', 'access_token_lifetime']));
    expect(JSON.parse(attrs.permissions.type.toString('utf8'))).toEqual(['set', 'string']);
    expect(JSON.parse(attrs.access_token_lifetime.type.toString('utf8'))).toBe('number');
    expect((schema.provider as { block: { attributes: unknown[] } }).block.attributes.length).toBeGreaterThan(0);

    expect(await unary(c.health, 'Check', { service: 'plugin' })).toEqual({ status: 'SERVING' });
    expect(await unary(c.health, 'Check', { service: '' })).toEqual({ status: 'SERVING' });

    await shutdown(c, p);
    expect(existsSync(hs.address)).toBe(false);
    expect(p.stdout).toBe(`${line}\n`); // nothing else ever went to stdout
  });

  it('answers Shutdown with {} before it exits', async () => {
    const { p, hs, serverCertPem } = await launchTls();
    const c = tlsClients(hs.address, serverCertPem);
    const reply = unary(c.controller, 'Shutdown', {});
    const exited = exitWithin(p, 2000);
    await expect(reply).resolves.toEqual({});
    expect(await exited).toEqual({ code: 0, signal: null });
  });

  it('refuses a client that presents a different client certificate', async () => {
    const { hs, serverCertPem } = await launchTls();
    const stranger = generateServerCertificate();
    const c = tlsClients(hs.address, serverCertPem, stranger);
    await expect(unary(c.health, 'Check', { service: 'plugin' }, 3000)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    await expect(unary(c.provider, 'GetProviderSchema', {}, 3000)).rejects.toThrow();

    // The right certificate still works on the same server.
    const ok = tlsClients(hs.address, serverCertPem);
    expect(await unary(ok.health, 'Check', { service: 'plugin' })).toEqual({ status: 'SERVING' });
  });

  it('refuses a client that presents no client certificate', async () => {
    const { hs, serverCertPem } = await launchTls();
    const c = connect(hs.address, grpc.credentials.createSsl(Buffer.from(serverCertPem)), {
      'grpc.ssl_target_name_override': 'localhost',
      'grpc.default_authority': 'localhost',
    });
    openClients.push(c);
    await expect(unary(c.health, 'Check', { service: 'plugin' }, 3000)).rejects.toThrow();
  });

  it('a client that does not trust the handshake certificate cannot connect', async () => {
    const { hs } = await launchTls();
    const c = tlsClients(hs.address, generateServerCertificate().certPem);
    await expect(unary(c.health, 'Check', { service: 'plugin' }, 3000)).rejects.toThrow();
  });

  it('a plaintext client cannot talk to the TLS server', async () => {
    const { hs } = await launchTls();
    const c = connect(hs.address, grpc.credentials.createInsecure(), {});
    openClients.push(c);
    await expect(unary(c.health, 'Check', { service: 'plugin' }, 3000)).rejects.toThrow();
  });

  it('survives SIGINT (Terraform shares its process group) and still shuts down on Shutdown', async () => {
    const { p, hs, serverCertPem } = await launchTls({ TF_LOG_PROVIDER: 'debug' });
    const c = tlsClients(hs.address, serverCertPem);
    expect(await unary(c.health, 'Check', { service: 'plugin' })).toEqual({ status: 'SERVING' });
    const ignored = p.waitForStderr('ignoring SIGINT');
    expect(p.child.kill('SIGINT')).toBe(true);
    const died = p.closed.then((st) => Promise.reject(new Error(`provider died on SIGINT: ${JSON.stringify(st)}`)));
    await Promise.race([ignored, died]);
    expect(p.child.exitCode).toBeNull();
    expect(await unary(c.health, 'Check', { service: 'plugin' })).toEqual({ status: 'SERVING' });

    await shutdown(c, p);
    expect(existsSync(hs.address)).toBe(false);

    // stderr carries hclog JSON lines only.
    const lines = p.stderr.split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) {
      const entry = JSON.parse(l) as Record<string, unknown>;
      expect(typeof entry['@level']).toBe('string');
      expect(typeof entry['@message']).toBe('string');
      expect(entry['@timestamp']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/);
    }
  });

  it('SIGTERM stops it cleanly and removes the socket', async () => {
    const { p, hs } = await launchTls();
    p.child.kill('SIGTERM');
    expect(await exitWithin(p, 2000)).toEqual({ code: 0, signal: null });
    expect(existsSync(hs.address)).toBe(false);
  });
});

describe('provider binary: launch checks', () => {
  it('without TF_PLUGIN_MAGIC_COOKIE it exits 1, prints nothing on stdout and explains on stderr that it is a plugin', async () => {
    const p = processes.launch({ PLUGIN_PROTOCOL_VERSIONS: '5,6', PLUGIN_CLIENT_CERT: clientCert.certPem, PLUGIN_UNIX_SOCKET_DIR: socketDir });
    expect(await p.closed).toEqual({ code: 1, signal: null });
    expect(p.stdout).toBe('');
    expect(p.stderr).toMatch(/This binary is a plugin/);
    expect(p.stderr).toMatch(/not meant to be executed directly/);
    expect(readdirSync(socketDir)).toEqual([]); // no socket left behind
  });

  it('with a wrong cookie it refuses to start too', async () => {
    const p = processes.launch(env({ TF_PLUGIN_MAGIC_COOKIE: 'nope' }));
    expect(await p.closed).toEqual({ code: 1, signal: null });
    expect(p.stdout).toBe('');
    expect(p.stderr).toMatch(/This binary is a plugin/);
  });

  it("PLUGIN_PROTOCOL_VERSIONS='5' exits 1 with a message naming protocol 6", async () => {
    const p = processes.launch(env({ PLUGIN_PROTOCOL_VERSIONS: '5' }));
    expect(await p.closed).toEqual({ code: 1, signal: null });
    expect(p.stdout).toBe('');
    expect(p.stderr).toMatch(/protocol 6/);
  });

  it("PLUGIN_PROTOCOL_VERSIONS='6,5' (any order) is accepted", async () => {
    const { hs } = await launchTls({ PLUGIN_PROTOCOL_VERSIONS: '6,5' });
    expect(hs.app).toBe('6');
  });

  it('without PLUGIN_CLIENT_CERT (TF_DISABLE_PLUGIN_TLS) the line ends with |grpc| and a plaintext client is served', async () => {
    const p = processes.launch(env({ PLUGIN_CLIENT_CERT: undefined }));
    const line = await p.firstLine;
    expect(line).not.toBeNull();
    expect(line).toMatch(/^1\|6\|unix\|[^|]+\|grpc\|$/);
    const hs = parseHandshake(line!);
    expect(dirname(hs.address)).toBe(socketDir);
    const c = connect(hs.address, grpc.credentials.createInsecure(), {});
    openClients.push(c);
    const schema = await unary(c.provider, 'GetProviderSchema', {});
    expect(schema.resource_schemas).toHaveProperty('apiaccess_signicat_api_client');
    await shutdown(c, p);
    expect(existsSync(hs.address)).toBe(false);
  });
});
