/**
 * Shared helpers for the Signicat tests: a fresh sandbox per test, raw HTTP calls against its
 * token endpoint, management routes and control surface, and a recording pass-through proxy for
 * clients whose outgoing requests cannot be observed otherwise.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Sandbox, type JournalEntry } from '../../../src/sandbox/server';
import {
  createSignicatEmulator,
  MANAGE_PERMISSION,
  SEED_ACCOUNT_ID,
  SEED_CLIENT_ID,
  SEED_CLIENT_SECRET,
  type SignicatEmulator,
} from '../../../src/vendors/signicat/emulator';

export { MANAGE_PERMISSION, SEED_ACCOUNT_ID, SEED_CLIENT_ID, SEED_CLIENT_SECRET };

/** Paths below the `/signicat` prefix, as the journal records them. */
export const TOKEN_PATH = '/auth/open/connect/token';
export const CLIENTS_PATH = '/management/api-clients';
export const ERROR_TYPE = 'https://developer.signicat.com/docs/error-codes/';

/** Starts a sandbox with only the Signicat emulator (real time plus a movable offset). */
export async function startSandbox(): Promise<{
  sandbox: Sandbox;
  emulator: SignicatEmulator;
}> {
  const sandbox = await Sandbox.start({ emulators: [createSignicatEmulator] });
  return { sandbox, emulator: sandbox.emulator<SignicatEmulator>('signicat') };
}

export const issuerOf = (sandbox: Sandbox): string => `${sandbox.baseUrl}/signicat/auth/open`;
export const tokenEndpointOf = (sandbox: Sandbox): string => `${sandbox.baseUrl}/signicat${TOKEN_PATH}`;

/** The journal entries of token requests. */
export function tokenCalls(sandbox: Sandbox): JournalEntry[] {
  return sandbox.calls('signicat').filter((c) => c.path === TOKEN_PATH);
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  readonly text: string;
}

/** Sends `method url` (url relative to the sandbox root) and parses a JSON answer when there is one. */
export async function send(sandbox: Sandbox, method: string, url: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const res = await fetch(`${sandbox.baseUrl}${url}`, {
    method,
    headers: init.headers ?? {},
    body: init.body,
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** `Basic base64(id:secret)`, optionally form-url-encoding both halves first (RFC 6749 §2.3.1, as openid-client does). */
export function basic(id: string, secret: string, encode: (s: string) => string = (s) => s): string {
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}

/** Form-url-encodes like oauth4webapi: every character but [A-Za-z0-9], so `-` becomes `%2D`. */
export function encodeAll(s: string): string {
  return [...Buffer.from(s, 'utf8')]
    .map((b) => (/[A-Za-z0-9]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

/** POSTs `form` to the token endpoint (form content type unless `headers` says otherwise). */
export function tokenRequest(sandbox: Sandbox, form: string | Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  const body = typeof form === 'string' ? form : new URLSearchParams(form).toString();
  return send(sandbox, 'POST', `/signicat${TOKEN_PATH}`, {
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...headers,
    },
    body,
  });
}

/** Gets an access token with client_secret_post, asserting success. */
export async function fetchToken(sandbox: Sandbox, clientId = SEED_CLIENT_ID, secret = SEED_CLIENT_SECRET): Promise<string> {
  const res = await tokenRequest(sandbox, {
    grant_type: 'client_credentials',
    scope: 'signicat-api',
    client_id: clientId,
    client_secret: secret,
  });
  if (res.status !== 200) throw new Error(`token request answered ${res.status}: ${res.text}`);
  return (res.body as { access_token: string }).access_token;
}

/**
 * Calls a management route (`path` below `/signicat/management/api-clients`). `account` is sent as
 * `signicat-accountId` (the seed account unless given; `null` leaves it out). Objects are sent as JSON.
 */
export function api(
  sandbox: Sandbox,
  method: string,
  path: string,
  options: {
    token?: string;
    body?: unknown;
    account?: string | null;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...(options.headers ?? {}),
  };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (typeof options.body === 'string') body = options.body;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const account = options.account === undefined ? SEED_ACCOUNT_ID : options.account;
  const query = account === null ? '' : `?signicat-accountId=${encodeURIComponent(account)}`;
  return send(sandbox, method, `/signicat${CLIENTS_PATH}${path}${query}`, {
    headers,
    body,
  });
}

/** Calls the control surface (`/__sandbox/<path>`) with an optional JSON body. */
export function control(sandbox: Sandbox, method: string, path: string, body?: unknown): Promise<Answer> {
  return send(
    sandbox,
    method,
    `/__sandbox/${path}`,
    body === undefined
      ? {}
      : {
          headers: { 'content-type': 'application/json' },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        },
  );
}

export interface ApiClientBody {
  id: string;
  name: string;
  accountId: string;
  accessTokenLifetime: number;
  createdAt: string;
  permissions: string[];
  secrets: { id: string; name: string | null; createdAt: string }[];
}

/** Creates an API client through the management API (asserting 201). */
export async function createClient(sandbox: Sandbox, token: string, body: Record<string, unknown> = { name: 'backend' }): Promise<ApiClientBody> {
  const res = await api(sandbox, 'POST', '', { token, body });
  if (res.status !== 201) throw new Error(`create answered ${res.status}: ${res.text}`);
  return res.body as ApiClientBody;
}

/** Generates a secret on `clientId` (asserting 201); returns its id and the once-visible value. */
export async function addSecret(sandbox: Sandbox, token: string, clientId: string, name = 'ci'): Promise<{ id: string; secret: string }> {
  const res = await api(sandbox, 'POST', `/${clientId}/secrets`, {
    token,
    body: { name },
  });
  if (res.status !== 201) throw new Error(`secret create answered ${res.status}: ${res.text}`);
  return res.body as { id: string; secret: string };
}

/** One request seen by {@link RecordingProxy}. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A pass-through HTTP proxy on 127.0.0.1:0 that records each request before forwarding it to `target`. */
export class RecordingProxy {
  readonly seen: SeenRequest[] = [];
  private readonly server: Server;
  private address = '';

  private constructor(private readonly target: string) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.seen.push({
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          headers: req.headers,
          body,
        });
        const headers: Record<string, string> = {};
        for (const name of ['content-type', 'authorization', 'accept']) {
          const v = req.headers[name];
          if (typeof v === 'string') headers[name] = v;
        }
        void fetch(`${this.target}${req.url ?? '/'}`, {
          method: req.method,
          headers,
          body: body === '' ? undefined : body,
        }).then(
          async (answer) => {
            const text = await answer.text();
            res.writeHead(answer.status, {
              'content-type': answer.headers.get('content-type') ?? 'text/plain',
            });
            res.end(text);
          },
          () => {
            res.writeHead(502);
            res.end();
          },
        );
      });
    });
  }

  static async start(target: string): Promise<RecordingProxy> {
    const proxy = new RecordingProxy(target);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', () => resolve()));
    proxy.address = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
    return proxy;
  }

  /** Base URL of the proxy. */
  get url(): string {
    return this.address;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
