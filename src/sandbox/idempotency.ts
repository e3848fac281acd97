/**
 * Idempotency keys for the emulators' create routes (a PROPOSED shape: the vendors document none,
 * so the sandbox defines it, in the style of Stripe's). The contract the clients are written against:
 *
 * - Request header `Idempotency-Key`: optional; when present, 1–255 visible ASCII characters
 *   (0x21–0x7e), else 400 in the vendor's error shape naming the header.
 * - Scope: per emulator, per authenticated caller (the route names it: account, user, org), per
 *   method + concrete route path. The key is only looked at once the caller is authenticated, so a
 *   request that fails authentication never sees (or stores) an answer.
 * - Fingerprint: SHA-256 over method, path, raw query and raw body bytes.
 * - First request with a key runs normally; while it runs the key is in flight and another request
 *   with it gets 409 with `Retry-After: 1`.
 * - An answer with a status below 500 is stored (status, headers, body bytes, once-visible secrets
 *   included) for 24 h of the sandbox clock; the same key with the same fingerprint replays it byte
 *   for byte plus `Idempotent-Replayed: true`, and the route does not run again. A 5xx answer or a
 *   route that throws releases the key: the next request with it runs again.
 * - The same key with another fingerprint → 422, and nothing happens.
 * - Expired keys are forgotten; at most 10,000 keys per emulator are kept (oldest dropped). The
 *   emulator's reset (hence `POST /__sandbox/reset`) clears the store; it is not part of the state.
 */
import { createHash } from 'node:crypto';
import { serialize, type WireResponse } from './http';
import type { SandboxRequest, SandboxResponse } from './types';

/** How long a stored answer is replayed: 24 hours of the sandbox clock. */
export const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;
/** The most keys one emulator keeps; the oldest is dropped beyond it. */
export const MAX_IDEMPOTENCY_KEYS = 10_000;
/** The request header (lower-cased, as routes see headers). */
const IDEMPOTENCY_HEADER = 'idempotency-key';
/** The header a replayed answer carries. */
const REPLAYED_HEADER = 'idempotent-replayed';

const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;

/** One stored key as `GET /__sandbox/idempotency` lists it (never bodies). */
export interface IdempotencyRecord {
  readonly key: string;
  readonly method: string;
  readonly path: string;
  /** The stored answer's status; 0 while the first request is still in flight. */
  readonly status: number;
  /** When the first request arrived (sandbox clock, ISO). */
  readonly at: string;
}

interface Entry {
  readonly key: string;
  readonly method: string;
  readonly path: string;
  readonly fingerprint: string;
  readonly atMs: number;
  /** Undefined while in flight. */
  answer: WireResponse | undefined;
}

export interface IdempotencyStoreOptions {
  /** The sandbox clock. */
  readonly now: () => number;
  /** The vendor's error shape for the store's own 400/409/422 answers. */
  readonly errorBody: (status: number, message: string) => SandboxResponse;
  readonly retentionMs?: number;
  readonly maxKeys?: number;
}

/** Route-side answer producer. */
export type IdempotentRoute = () => SandboxResponse | Promise<SandboxResponse>;

/** One emulator's idempotency keys. */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  private holds: { reached: () => void; released: Promise<void> }[] = [];

  constructor(private readonly options: IdempotencyStoreOptions) {}

  /**
   * Runs `route` under the request's `Idempotency-Key` (if any). `caller` names the authenticated
   * caller the key is scoped to.
   */
  async run(req: SandboxRequest, caller: string, route: IdempotentRoute): Promise<SandboxResponse> {
    const key = req.headers[IDEMPOTENCY_HEADER];
    if (key === undefined) return route();
    if (!KEY_SHAPE.test(key)) {
      return this.options.errorBody(400, 'The Idempotency-Key header must be 1 to 255 visible ASCII characters (0x21-0x7e).');
    }
    const now = this.options.now();
    this.purge(now);
    const id = `${caller}\n${req.method} ${req.path}\n${key}`;
    const fingerprint = fingerprintOf(req);
    const found = this.entries.get(id);
    if (found && found.answer === undefined) {
      const busy = this.options.errorBody(409, 'A request with this Idempotency-Key is still in progress; retry later.');
      return { ...busy, headers: { ...(busy.headers ?? {}), 'retry-after': '1' } };
    }
    if (found && found.answer) {
      if (found.fingerprint !== fingerprint) {
        return this.options.errorBody(422, 'This Idempotency-Key was used with a different request (method, path, query or body); use a new key.');
      }
      const a = found.answer;
      return { status: a.status, headers: { ...a.headers, [REPLAYED_HEADER]: 'true' }, body: a.payload };
    }
    const entry: Entry = { key, method: req.method, path: req.path, fingerprint, atMs: now, answer: undefined };
    this.entries.set(id, entry);
    this.trim();
    let wire: WireResponse;
    try {
      wire = serialize(await route());
      await this.hold();
    } catch (err) {
      this.release(id, entry);
      throw err;
    }
    if (wire.status >= 500) this.release(id, entry);
    else if (this.entries.get(id) === entry) entry.answer = wire;
    return { status: wire.status, headers: wire.headers, body: wire.payload };
  }

  /** Every stored key, oldest first (in-flight ones with status 0). */
  list(): IdempotencyRecord[] {
    this.purge(this.options.now());
    return [...this.entries.values()].map((e) => ({
      key: e.key,
      method: e.method,
      path: e.path,
      status: e.answer?.status ?? 0,
      at: new Date(e.atMs).toISOString(),
    }));
  }

  /** Forgets every key. */
  clear(): void {
    this.entries.clear();
  }

  /**
   * Sandbox-only (tests): the next keyed request runs its route, then stays in flight until
   * `release` is called. `reached` resolves once it is held.
   */
  holdNext(): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const reachedP = new Promise<void>((r) => (reached = r));
    const released = new Promise<void>((r) => (release = r));
    this.holds.push({ reached, released });
    return { reached: reachedP, release };
  }

  private async hold(): Promise<void> {
    const h = this.holds.shift();
    if (!h) return;
    h.reached();
    await h.released;
  }

  private release(id: string, entry: Entry): void {
    if (this.entries.get(id) === entry) this.entries.delete(id);
  }

  /** Forgets every stored answer older than the retention window (in-flight keys stay). */
  private purge(now: number): void {
    const retention = this.options.retentionMs ?? IDEMPOTENCY_RETENTION_MS;
    for (const [id, e] of this.entries) if (e.answer !== undefined && now - e.atMs >= retention) this.entries.delete(id);
  }

  private trim(): void {
    const max = this.options.maxKeys ?? MAX_IDEMPOTENCY_KEYS;
    for (const id of this.entries.keys()) {
      if (this.entries.size <= max) break;
      this.entries.delete(id);
    }
  }
}

/** SHA-256 over method, path, raw query and raw body, each length-prefixed so no two requests collide by concatenation. */
function fingerprintOf(req: SandboxRequest): string {
  const h = createHash('sha256');
  for (const part of [Buffer.from(req.method), Buffer.from(req.path), Buffer.from(req.rawQuery), req.rawBody]) {
    h.update(`${part.length}:`);
    h.update(part);
  }
  return h.digest('hex');
}
