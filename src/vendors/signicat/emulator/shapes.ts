/**
 * The Signicat emulator's answer shapes (OAuth token errors, the generic error object, the public
 * client view) and field checks, written from the vendor's public API docs.
 */
import type { SandboxResponse } from '../../../sandbox/types';
import { randomHex } from '../../../sandbox/util';
import { type ClientRecord, MAX_LIFETIME, MIN_LIFETIME, PERMISSION_CATALOG } from './state';

export const TOKEN_HEADERS = { 'content-type': 'application/json; charset=UTF-8', 'cache-control': 'no-store, no-cache, max-age=0', pragma: 'no-cache' };
const ERROR_TYPE = 'https://developer.signicat.com/docs/error-codes/';

/** Signicat's generic error object for a status the sandbox core or the idempotency store answers. */
export const CORE_CODES: Record<number, [string, string]> = {
  400: ['validation_error', 'Validation failed.'],
  404: ['not_found', 'Not found.'],
  405: ['method_not_allowed', 'Method not allowed.'],
  409: ['conflict', 'Conflict.'],
  413: ['payload_too_large', 'Payload too large.'],
  422: ['idempotency_key_reused', 'Unprocessable entity.'],
};

export function oauthError(error: string, description: string, status = 400): SandboxResponse {
  // RFC 6749 §5.2: a 401 answer to Basic client authentication carries WWW-Authenticate.
  const headers = status === 401 ? { ...TOKEN_HEADERS, 'www-authenticate': `Basic realm="signicat", error="${error}"` } : TOKEN_HEADERS;
  return { status, headers, body: { error, error_description: description } };
}

export function apiError(status: number, code: string, title: string, detail: string, invalidParams?: { name: string; reason: string }[]): SandboxResponse {
  return {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      // RFC 6750 §3: Bearer-protected routes say why a token was refused.
      ...(status === 401 ? { 'www-authenticate': `Bearer error="${code}"` } : {}),
    },
    body: { type: ERROR_TYPE, title, detail, code, status, traceId: randomHex(32), ...(invalidParams ? { invalidParams } : {}) },
  };
}

export function formDecode(v: string): string {
  return decodeURIComponent(v.replace(/\+/g, ' '));
}

export function base64url(b: Buffer | string): string {
  return Buffer.from(b).toString('base64url');
}

/** Public shape of a client (secrets as metadata only). */
export function present(c: ClientRecord): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    accountId: c.accountId,
    accessTokenLifetime: c.accessTokenLifetime,
    createdAt: c.createdAt,
    permissions: [...c.permissions],
    secrets: c.secrets.map((s) => ({ id: s.id, name: s.name, createdAt: s.createdAt })),
  };
}

export function validName(v: unknown): string | undefined {
  if (typeof v !== 'string') return 'must be a string';
  if (v.trim() === '') return 'must not be empty';
  if (v.length > 100) return 'must be at most 100 characters';
  return undefined;
}

export function validLifetime(v: unknown): string | undefined {
  if (typeof v !== 'number' || !Number.isInteger(v)) return 'must be an integer number of seconds';
  if (v < MIN_LIFETIME || v > MAX_LIFETIME) return `must be between ${MIN_LIFETIME} and ${MAX_LIFETIME} seconds`;
  return undefined;
}

export function validPermission(v: unknown): string | undefined {
  if (typeof v !== 'string') return 'must be a string';
  const m = /^([a-z][a-z0-9-]*):([a-z][a-z0-9-]*)$/.exec(v);
  if (!m) return 'must have the shape <product>:<action>';
  const actions = PERMISSION_CATALOG[m[1]!];
  if (!actions) return `unknown product "${m[1]}"`;
  if (!actions.includes(m[2]!)) return `product "${m[1]}" has no action "${m[2]}" (allowed: ${actions.join(', ')})`;
  return undefined;
}
