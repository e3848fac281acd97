/** Shared helpers for the sigsci tests: a fresh sandbox per test and raw HTTP calls against it. */
import { ManualClock } from '../../../src/core/clock';
import type { Sandbox } from '../../../src/sandbox/server';
import { startVendorSandbox } from '../../support/helpers';
import {
  createSigSciEmulator,
  SEED_OWNER_EMAIL,
  SEED_OWNER_TOKEN,
  SEED_USER_EMAIL,
  sigsciTokenDigest,
  type SigSciState,
} from '../../../src/vendors/sigsci/emulator';

export const OWNER = { user: SEED_OWNER_EMAIL, token: SEED_OWNER_TOKEN };
/** A token value the helpers give the seeded non-owner user. */
export const USER_TOKEN_VALUE = 'aaaaaaaa-1111-4222-8333-444444444444';
export const USER = { user: SEED_USER_EMAIL, token: USER_TOKEN_VALUE };

export const DAY_MS = 86_400_000;

/** Starts a sandbox with only the sigsci emulator and a manual clock. */
export const startSandbox = (clock?: ManualClock): Promise<{ sandbox: Sandbox; clock: ManualClock }> => startVendorSandbox(createSigSciEmulator, clock);

/** Gives the seeded non-owner user one token (value {@link USER_TOKEN_VALUE}) created `createdMs`. */
export function giveUserToken(sandbox: Sandbox, createdMs: number, id = '0000000000000000000000aa'): void {
  const emulator = sandbox.emulator('sigsci');
  const state = emulator.snapshot() as SigSciState;
  state.tokens.push({
    id,
    name: 'user token',
    email: SEED_USER_EMAIL,
    tokenSha256: sigsciTokenDigest(USER_TOKEN_VALUE),
    created: new Date(createdMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    lastUsed: '',
    lastUsedIP: '',
    lastUsedUserAgent: '',
  });
  emulator.restore(state);
}

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** Calls `path` (below `/sigsci`) with the caller's headers and an optional JSON body. */
export async function call(
  sandbox: Sandbox,
  method: string,
  path: string,
  options: { as?: { user: string; token: string }; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.as) {
    headers['x-api-user'] = options.as.user;
    headers['x-api-token'] = options.as.token;
  }
  let payload: string | undefined;
  if (options.body !== undefined) {
    payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${sandbox.baseUrl}/sigsci${path}`, { method, headers, body: payload });
  const text = await res.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** Moves the sandbox's caller IP through the control surface. */
export async function setCallerIp(sandbox: Sandbox, ip: string): Promise<void> {
  const res = await fetch(`${sandbox.baseUrl}/__sandbox/caller-ip`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ip }),
  });
  if (res.status !== 200) throw new Error(`caller-ip: ${res.status}`);
}
