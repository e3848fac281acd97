/**
 * Issue 6, through the real provider binary (lib/bin, build first): a vendor that echoes the
 * credentials it received back in its error bodies, in every encoding (raw, JSON, URL-encoded in
 * both hex cases, RFC 3986 strict, form-encoded, base64, base64url, and the Basic credential it
 * got), must not get any form of the secret into the diagnostics the provider returns, nor into
 * its stderr log at TF_LOG=trace.
 */
import * as grpc from '@grpc/grpc-js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CtyType, CtyValue } from '../../src/provider/framework/cty';
import { encodeDynamicValue } from '../../src/provider/protocol/dynamic-value';
import { BIN, connect, MAGIC_COOKIE, parseHandshake, ProviderProcesses, unary, type Clients, type Launched } from './_plugin';

/** Every character class an encoder treats specially, a newline and a non-ASCII character. */
const SECRET = `Echo/S3cret +!'()*~"q\\z\nline2€`;
const CLIENT_ID = 'echo-managing-client';
const RESOURCE = 'apiaccess_signicat_api_client';

const lowerHex = (s: string): string => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
const strict = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const form = (s: string): string => new URLSearchParams({ s }).toString().slice(2);
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const b64url = (s: string): string => Buffer.from(s).toString('base64url');

/** What the echoing vendor saw, and what it says back. */
interface Received {
  authorization: string;
  secret: string;
}

/** A vendor that answers every call with an error quoting the credentials it received. */
class EchoVendor {
  private server!: Server;
  /** The credentials of the last token request. */
  received: Received | undefined;
  /** 'refuse': the token endpoint refuses (401, echoing); 'grant': it grants a token. */
  tokenMode: 'refuse' | 'grant' = 'refuse';
  readonly calls: string[] = [];

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((res) => this.server.listen(0, '127.0.0.1', res));
  }

  close(): Promise<void> {
    return new Promise((res) => this.server.close(() => res()));
  }

  /** Every form of the received secret, as the vendor echoes them. */
  private echoes(r: Received): Record<string, string> {
    const s = r.secret;
    return {
      raw: s,
      json: JSON.stringify(s),
      url: encodeURIComponent(s),
      url_lower: lowerHex(encodeURIComponent(s)),
      strict: strict(s),
      form: form(s),
      base64: b64(s),
      base64url: b64url(s),
      authorization: r.authorization,
      basic_credential: r.authorization.replace(/^Basic /, ''),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const url = new URL(req.url ?? '/', 'http://x');
    this.calls.push(`${req.method} ${url.pathname}`);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
      const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
      res.writeHead(status, { 'content-type': typeof payload === 'string' ? 'text/plain' : 'application/json', ...headers });
      res.end(text);
    };
    if (req.method === 'POST' && url.pathname === '/auth/open/connect/token') {
      const authorization = String(req.headers.authorization ?? '');
      const [, password = ''] = Buffer.from(authorization.replace(/^Basic /, ''), 'base64')
        .toString('utf8')
        .split(':');
      this.received = { authorization, secret: decodeURIComponent(password.replace(/\+/g, ' ')) };
      if (this.tokenMode === 'grant') return send(200, { access_token: 'echo-access-token-0001', token_type: 'Bearer', expires_in: 600 });
      const e = this.echoes(this.received);
      return send(401, {
        error: `invalid_client ${e.raw} ${e.url}`,
        error_description: `${Object.entries(e)
          .map(([k, v]) => `${k}=${v}`)
          .join('; ')} (request body ${body})`,
      });
    }
    const id = decodeURIComponent(url.pathname.split('/').pop() ?? '');
    const e = this.echoes(this.received!);
    const headers = { 'x-request-id': `req-${e.url}` };
    if (id === 'json') {
      return send(
        400,
        {
          title: `Bad credentials ${e.raw}`,
          detail: `json ${e.json} url ${e.url} lower ${e.url_lower}`,
          message: `strict ${e.strict} form ${e.form} b64 ${e.base64} b64url ${e.base64url}`,
          errors: [{ message: `you sent ${e.authorization}` }, { message: `credential ${e.basic_credential}` }],
          invalidParams: [{ name: 'name', reason: `echo ${e.raw} ${e.basic_credential}` }],
        },
        headers,
      );
    }
    if (id === 'text')
      return send(
        403,
        Object.entries(e)
          .map(([k, v]) => `${k}: ${v}`)
          .join('\n'),
        headers,
      );
    // 'cut': the secret straddles the 300-character limit of the quoted vendor text.
    const half = Math.floor(e.raw.length / 2);
    return send(400, { message: `${'x'.repeat(300 - half)}${e.raw} and ${'y'.repeat(300 - half)}${e.basic_credential}` }, headers);
  }
}

type SchemaAttr = { name: string; type: Buffer };
const objectType = (attrs: SchemaAttr[]): CtyType => ['object', Object.fromEntries(attrs.map((a) => [a.name, JSON.parse(a.type.toString('utf8')) as CtyType]))];
const nullsFor = (attrs: SchemaAttr[], set: Record<string, CtyValue>): Record<string, CtyValue> =>
  Object.fromEntries(attrs.map((a) => [a.name, set[a.name] ?? null]));
const dv = (type: CtyType, value: CtyValue): { msgpack: Buffer } => ({ msgpack: Buffer.from(encodeDynamicValue(type, value).msgpack) });

/** Every text by which the secret could be recognised. */
function forbidden(received: Received): string[] {
  const s = SECRET;
  const credential = received.authorization.replace(/^Basic /, '');
  return [
    s,
    ...s.split('\n'),
    JSON.stringify(s).slice(1, -1),
    JSON.stringify(s).slice(1, -1).replace(/\//g, '\\/'),
    encodeURIComponent(s),
    lowerHex(encodeURIComponent(s)),
    strict(s),
    lowerHex(strict(s)),
    form(s),
    b64(s),
    b64(s).replace(/=+$/, ''),
    b64url(s),
    credential,
    // The part of the Basic credential past the client ID and the character it shares with the secret.
    credential.slice(Math.ceil((8 * (CLIENT_ID.length + 1)) / 6) + 1, -4),
  ];
}

const processes = new ProviderProcesses();
let vendor: EchoVendor;
let socketDir: string;
let clients: Clients | undefined;

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npx tsc -p tsconfig.json first`);
});

beforeEach(async () => {
  vendor = new EchoVendor();
  await vendor.start();
  socketDir = mkdtempSync(join(tmpdir(), 'apiaccess-echo-'));
});

afterEach(async () => {
  clients?.close();
  clients = undefined;
  await processes.killAll();
  await vendor.close();
  rmSync(socketDir, { recursive: true, force: true });
});

describe('issue 6: a vendor echoing the credentials back, through the real provider', () => {
  it('no form of the secret reaches the diagnostics or the TF_LOG=trace stderr log', async () => {
    // GIVEN the real provider, configured with explicit Signicat credentials pointing at the echo vendor
    const p: Launched = processes.launch({
      TF_PLUGIN_MAGIC_COOKIE: MAGIC_COOKIE,
      PLUGIN_PROTOCOL_VERSIONS: '6',
      PLUGIN_UNIX_SOCKET_DIR: socketDir,
      TF_LOG: 'trace',
    });
    const line = await p.firstLine;
    if (line === null) throw new Error(`provider exited before the handshake: ${p.stderr}`);
    clients = connect(parseHandshake(line).address, grpc.credentials.createInsecure(), {});
    const schema = await unary(clients.provider, 'GetProviderSchema', {});
    const providerAttrs = (schema.provider as { block: { attributes: SchemaAttr[] } }).block.attributes;
    const resourceAttrs = (schema.resource_schemas as Record<string, { block: { attributes: SchemaAttr[] } }>)[RESOURCE]!.block.attributes;
    const providerType = objectType(providerAttrs);
    const resourceType = objectType(resourceAttrs);
    const config = nullsFor(providerAttrs, {
      signicat_base_url: vendor.baseUrl,
      signicat_client_id: CLIENT_ID,
      signicat_client_secret: SECRET,
      signicat_account_id: 'a-spge-echo0001',
    });
    // The explicit credentials are checked at ConfigureProvider: the token endpoint refuses, quoting what it got.
    const refused = await unary(clients.provider, 'ConfigureProvider', { terraform_version: '1.11.4', config: dv(providerType, config) });
    const configureDiagnostics = refused.diagnostics as { severity: string; summary: string; detail: string }[];
    expect(configureDiagnostics).toHaveLength(1);
    expect(configureDiagnostics[0]).toMatchObject({ severity: 'ERROR', summary: 'Invalid Provider Credentials' });
    expect(configureDiagnostics[0]!.detail).toMatch(/token endpoint refused client "echo-managing-client"/);
    expect(configureDiagnostics[0]!.detail).toContain('[REDACTED]');

    const read = async (id: string): Promise<{ severity: string; summary: string; detail: string }[]> => {
      const res = await unary(clients!.provider, 'ReadResource', {
        type_name: RESOURCE,
        current_state: dv(resourceType, nullsFor(resourceAttrs, { id })),
        private: Buffer.alloc(0),
      });
      return res.diagnostics as { severity: string; summary: string; detail: string }[];
    };

    // WHEN the token endpoint grants a token (the next configuration checks again), and the API answers three ways
    vendor.tokenMode = 'grant';
    const granted = await unary(clients.provider, 'ConfigureProvider', { terraform_version: '1.11.4', config: dv(providerType, config) });
    expect(granted.diagnostics).toEqual([]);
    const diagnostics: { severity: string; summary: string; detail: string }[] = [];
    for (const id of ['json', 'text', 'cut']) diagnostics.push(...(await read(id)));
    await unary(clients.controller, 'Shutdown', {}).catch(() => undefined);
    await p.closed;

    // THEN the vendor did get the secret and echoed it, and the provider reported each failure…
    expect(vendor.received!.secret).toBe(SECRET);
    expect(vendor.received!.authorization).toMatch(/^Basic [A-Za-z0-9+/]+=*$/);
    // One list (batched refresh; the echoing vendor refuses it, so each read falls back to its own GET), then the three reads.
    expect(vendor.calls.filter((c) => c.startsWith('GET'))).toEqual([
      expect.stringMatching(/^GET \/management\/api-clients$/),
      ...['json', 'text', 'cut'].map((id) => expect.stringContaining(`/api-clients/${id}`)),
    ]);
    expect(diagnostics).toHaveLength(3);
    for (const d of diagnostics) {
      expect(d).toMatchObject({ severity: 'ERROR', summary: 'Read Failed' });
      expect(d.detail).toContain('[REDACTED]');
    }
    expect(diagnostics[1]!.detail).toMatch(/HTTP 403/);

    // …but no form of the secret is in what left the process
    const out = `${[...configureDiagnostics, ...diagnostics].map((d) => `${d.summary}\n${d.detail}`).join('\n')}\n${p.stderr}`;
    expect(p.stderr).toContain('"@level":"trace"');
    for (const f of forbidden(vendor.received!)) {
      expect(f.length).toBeGreaterThanOrEqual(6);
      expect({ form: f, found: out.includes(f) }).toEqual({ form: f, found: false });
    }
  });
});
