/** Helpers every emulator needs: random identifiers and strict JSON bodies. */
import { randomBytes, randomInt } from 'node:crypto';
import type { SandboxRequest } from './types';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `n` random characters of [A-Za-z0-9] (secrets, keys). */
export function randomAlnum(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += ALNUM[randomInt(ALNUM.length)];
  return out;
}

/** `n` random lowercase hex characters. */
export function randomHex(n: number): string {
  return randomBytes(Math.ceil(n / 2))
    .toString('hex')
    .slice(0, n);
}

/** Picks one element at random. */
export function pick<T>(items: readonly T[]): T {
  return items[randomInt(items.length)]!;
}

/**
 * Parses a JSON request body strictly: the content type must be JSON and the body a JSON object.
 * Returns the object or a reason the vendor would reject it.
 */
export function jsonBody(req: SandboxRequest): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string } {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') return { ok: false, reason: 'Content-Type must be application/json' };
  try {
    const v: unknown = JSON.parse(req.rawBody.toString('utf8'));
    if (!v || typeof v !== 'object' || Array.isArray(v)) return { ok: false, reason: 'the body must be a JSON object' };
    return { ok: true, value: v as Record<string, unknown> };
  } catch {
    return { ok: false, reason: 'the body is not valid JSON' };
  }
}

/** A deep copy through JSON (state snapshots). */
export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** `message` as a sentence: first letter upper-cased, a full stop added when it has no end mark. */
export function sentence(message: string): string {
  const s = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}
