/** Shared helpers for the Threat Jammer tests: a fresh sandbox per test and raw HTTP calls against it. */
import { ManualClock } from '../../../src/core/clock';
import type { Sandbox } from '../../../src/sandbox/server';
import { createThreatJammerEmulator, SEED_API_KEY, type ThreatJammerEmulator } from '../../../src/vendors/threatjammer/emulator';
import { startVendorSandbox, waitUntil } from '../../support/helpers';

export { SEED_API_KEY };

export const START = Date.UTC(2026, 0, 1);
export const DAY_MS = 86_400_000;

/** Starts a sandbox with only the Threat Jammer emulator and a manual clock at {@link START}. */
export async function startSandbox(clock = new ManualClock(START)): Promise<{ sandbox: Sandbox; clock: ManualClock; emulator: ThreatJammerEmulator }> {
  const { sandbox } = await startVendorSandbox(createThreatJammerEmulator, clock);
  return { sandbox, clock, emulator: sandbox.emulator<ThreatJammerEmulator>('threatjammer') };
}

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/**
 * Calls `path` (below `/threatjammer`). `key` is sent as `Authorization: Bearer <key>`;
 * `authorization` sends that header verbatim instead.
 */
export async function call(
  sandbox: Sandbox,
  method: string,
  path: string,
  options: { key?: string; authorization?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json', ...(options.headers ?? {}) };
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  const res = await fetch(`${sandbox.baseUrl}/threatjammer${path}`, { method, headers });
  const text = await res.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** `GET /v1/token` with `key`, returning the parsed body (asserting a 200). */
export async function tokenInfo(sandbox: Sandbox, key = SEED_API_KEY): Promise<Record<string, unknown>> {
  const res = await call(sandbox, 'GET', '/v1/token', { key });
  if (res.status !== 200) throw new Error(`GET /v1/token answered ${res.status}`);
  return res.body as Record<string, unknown>;
}

export { waitUntil };

/**
 * Settles `work` by moving `clock` forward `stepMs` whenever something sleeps on it (limiter
 * pacing, Retry-After waits), never waiting in real time for the clock.
 */
export async function drive<T>(clock: ManualClock, work: Promise<T>, stepMs = 1000, maxSteps = 500): Promise<T> {
  let done = false;
  const settled = work.finally(() => {
    done = true;
  });
  settled.catch(() => undefined);
  for (let i = 0; i < maxSteps && !done; i++) {
    await waitUntil(() => done || clock.pending > 0);
    if (!done) clock.advance(stepMs);
  }
  return settled;
}
