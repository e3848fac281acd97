/** Shared helpers for the Carbon Black tests (left out of testMatch by the leading underscore). */
import type { Sandbox } from '../../../src/sandbox/server';
import type { SeedCredential } from '../../../src/vendors/carbonblack/emulator';

export const ORG = 'ABCD1234';
export const KEYS_PATH = `/carbonblack/appservices/v6/orgs/${ORG}/api_keys`;
export const V3_PATH = '/carbonblack/integrationServices/v3';

/** The X-Auth-Token value for a seeded credential: secret, slash, ID. */
export function token(c: Pick<SeedCredential, 'apiSecretKey' | 'apiId'>): string {
  return `${c.apiSecretKey}/${c.apiId}`;
}

export interface CallOptions {
  /** X-Auth-Token value; omitted = no header. */
  readonly token?: string;
  /** JSON body (sent as application/json unless `contentType` says otherwise). */
  readonly json?: unknown;
  /** Raw body, sent as is. */
  readonly raw?: string;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
}

export interface CallResult {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** One HTTP call to the sandbox with global fetch. */
export async function call(sandbox: Sandbox, method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token !== undefined) headers['x-auth-token'] = options.token;
  let body: string | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = options.contentType ?? 'application/json';
  } else if (options.raw !== undefined) {
    body = options.raw;
    if (options.contentType) headers['content-type'] = options.contentType;
  }
  const res = await fetch(`${sandbox.baseUrl}${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Calls the sandbox's control surface. */
export async function control(sandbox: Sandbox, method: string, path: string, json?: unknown): Promise<number> {
  const res = await fetch(`${sandbox.baseUrl}/__sandbox/${path}`, {
    method,
    headers: json === undefined ? {} : { 'content-type': 'application/json' },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  await res.arrayBuffer();
  return res.status;
}
