/**
 * Shared helpers for the Silobreaker tests: a fresh sandbox per test, raw HTTP calls (the path goes
 * out byte for byte), and a signer written here from the vendor facts, independent of src/auth.
 */
import { createHmac } from 'node:crypto';
import { Agent } from 'undici';

import { ManualClock } from '../../../src/core/clock';
import type { Sandbox } from '../../../src/sandbox/server';
import { startVendorSandbox, waitUntil } from '../../support/helpers';
import { createSilobreakerEmulator, SEED_API_KEY, SEED_PASSWORD, SEED_SHARED_KEY, SEED_USERNAME } from '../../../src/vendors/silobreaker/emulator';

export const SEED_KEY = { apiKey: SEED_API_KEY, sharedKey: SEED_SHARED_KEY };
export const SEED_USER = { username: SEED_USERNAME, password: SEED_PASSWORD };
export const T0 = Date.UTC(2026, 0, 1);

/** A sandbox with only the Silobreaker emulator and a manual clock. */
export const startSandbox = (clock = new ManualClock(T0)): Promise<{ sandbox: Sandbox; clock: ManualClock }> =>
  startVendorSandbox(createSilobreakerEmulator, clock);

/** Base64 HMAC of `VERB URL` + body, as the vendor documents it. */
export function digestOf(sharedKey: string, verb: string, url: string, body: Buffer | string = Buffer.alloc(0), algorithm: 'sha1' | 'sha512' = 'sha1'): string {
  return createHmac(algorithm, sharedKey).update(`${verb} ${url}`, 'utf8').update(body).digest('base64');
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly body: unknown;
}

export interface CallOptions {
  /** Path and query below `/silobreaker`, sent exactly as given. */
  readonly path: string;
  readonly method?: string;
  readonly body?: string | Buffer;
  /** @default application/json when there is a body */
  readonly contentType?: string;
  readonly cookie?: string;
  /** Sign with this key (appends `apiKey` and `digest`, digest over the sandbox URL). */
  readonly sign?: { readonly apiKey: string; readonly sharedKey: string; readonly algorithm?: 'sha1' | 'sha512' };
  readonly headers?: Record<string, string>;
}

/** Sends one request through `agent`; the path (and any signature) goes out untouched. */
export async function call(agent: Agent, sandbox: Sandbox, options: CallOptions): Promise<Answer> {
  const method = options.method ?? 'GET';
  let path = `/silobreaker${options.path}`;
  if (options.sign) {
    const url = `${sandbox.baseUrl}${path}`;
    const digest = digestOf(options.sign.sharedKey, method, url, options.body ?? Buffer.alloc(0), options.sign.algorithm);
    path += `${path.includes('?') ? '&' : '?'}apiKey=${encodeURIComponent(options.sign.apiKey)}&digest=${encodeURIComponent(digest)}`;
  }
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  const res = await agent.request({ origin: sandbox.baseUrl, path, method, headers, body: options.body });
  const text = await res.body.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.statusCode, headers: res.headers, text, body };
}

/** Logs in with the seeded user and returns the `name=value` cookie pair. */
export async function loginCookie(agent: Agent, sandbox: Sandbox, user = SEED_USER): Promise<string> {
  const res = await call(agent, sandbox, { method: 'POST', path: '/v1/login', body: JSON.stringify({ Username: user.username, Password: user.password }) });
  if ((res.body as { Status?: string }).Status !== 'Success') throw new Error(`login failed: ${res.text}`);
  const setCookie = res.headers['set-cookie'];
  const line = Array.isArray(setCookie) ? setCookie[0]! : setCookie!;
  return line.split(';')[0]!;
}

/** Resolves once `check` is true (polling real time briefly). */
export const until = (check: () => boolean, what = 'condition'): Promise<void> => waitUntil(check, 1000, what);
