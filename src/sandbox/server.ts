/**
 * The vendor sandbox: one HTTP server on 127.0.0.1, one emulator per vendor under its prefix,
 * strict about everything (an unmatched request is a 404 recorded in the journal, never a quiet
 * success), and a control surface under `/__sandbox/` (see control.ts) for tests and outside checks.
 *
 * Hardened edges: a request body is read up to {@link MAX_BODY_BYTES} (1 MiB; more → 413 in the
 * vendor's error shape and the connection is closed, a larger `Content-Length` is refused before
 * the body is read; the control surface allows {@link MAX_CONTROL_BODY_BYTES}, 16 MiB, for state documents); a client that disconnects mid-body is dropped without an answer and the server
 * keeps serving; nothing a request does can reject unhandled. A request whose body arrived in full
 * is processed (and its answer stored for idempotency) even when the client has gone since. URLs a
 * route sees are built on the sandbox's own base URL, never the `Host` header. The journal keeps the
 * newest {@link MAX_JOURNAL_ENTRIES} (10,000) calls, oldest dropped.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IClock } from '../core/clock';
import { OffsetClock } from './clock';
import { controlRoute } from './control';
import { type Fault, planFaults } from './faults';
import { MAX_BODY_BYTES, MAX_CONTROL_BODY_BYTES, readBody, send } from './http';
import type { EmulatorFactory, SandboxContext, SandboxRequest, SandboxResponse, VendorEmulator } from './types';

export type { Fault } from './faults';
export { MAX_BODY_BYTES, MAX_CONTROL_BODY_BYTES } from './http';

/** The most journal entries kept; older ones are dropped. */
export const MAX_JOURNAL_ENTRIES = 10_000;

/** A clock the control surface can move. */
export interface MovableClock extends IClock {
  advance(ms: number): void;
  set(atMs: number): void;
}

/** One call the sandbox saw. */
export interface JournalEntry {
  /** The vendor whose prefix matched; empty when none did. */
  readonly vendor: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** True when no route matched. */
  readonly unmatched: boolean;
}

export interface SandboxOptions {
  readonly emulators: readonly EmulatorFactory[];
  readonly clock?: MovableClock;
  readonly host?: string;
  readonly port?: number;
  /** Random source for fault ratios (tests). */
  readonly random?: () => number;
}

/** A running sandbox. */
export class Sandbox {
  readonly clock: MovableClock;
  /** The newest {@link MAX_JOURNAL_ENTRIES} vendor calls, oldest first. */
  readonly journal: JournalEntry[] = [];
  /** @internal the control surface's view of the emulators. */
  readonly emulators: VendorEmulator[];
  /** @internal injected faults, in the order added. */
  faults: Fault[] = [];
  /** @internal the caller IP every request appears to come from, when set. */
  callerIp: string | undefined;
  private readonly server: Server;
  private url = '';

  private constructor(private readonly options: SandboxOptions) {
    this.clock = options.clock ?? new OffsetClock();
    const ctx: SandboxContext = { clock: this.clock, baseUrl: () => this.url };
    this.emulators = options.emulators.map((f) => f(ctx));
    this.server = createServer((req, res) => this.onRequest(req, res));
    this.server.keepAliveTimeout = 5000;
    // A client that sends garbage or vanishes mid-request must never take the process down.
    this.server.on('clientError', (_err, socket) => socket.destroy());
  }

  /** Starts a sandbox on 127.0.0.1 (port 0 = any free port). */
  static async start(options: SandboxOptions): Promise<Sandbox> {
    const sandbox = new Sandbox(options);
    await new Promise<void>((resolve, reject) => {
      sandbox.server.once('error', reject);
      sandbox.server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    const { address, port } = sandbox.server.address() as AddressInfo;
    // A wildcard listen address is not a URL anyone can call: name the loopback address instead.
    const reachable = address === '0.0.0.0' ? '127.0.0.1' : address === '::' ? '::1' : address;
    sandbox.url = `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
    return sandbox;
  }

  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  get baseUrl(): string {
    return this.url;
  }

  /** The emulator of `vendor`. */
  emulator<T extends VendorEmulator = VendorEmulator>(vendor: string): T {
    const e = this.emulators.find((x) => x.name === vendor);
    if (!e) throw new Error(`sandbox has no emulator for ${vendor}`);
    return e as T;
  }

  snapshot(): Record<string, unknown> {
    return Object.fromEntries(this.emulators.map((e) => [e.name, e.snapshot()]));
  }

  /** Replaces the state of the vendors named in `doc`; all or nothing. */
  restore(doc: Record<string, unknown>): void {
    const targets = Object.keys(doc).map((name) => this.emulator(name));
    const before = targets.map((e) => e.snapshot());
    try {
      for (const e of targets) e.restore(doc[e.name]);
    } catch (err) {
      targets.forEach((e, i) => e.restore(before[i]));
      throw err;
    }
  }

  /** Restores every seed; clears journal, faults, caller IP, clock offset and idempotency keys. */
  reset(): void {
    // The clock first: the seeds are stamped with its time.
    if (this.clock instanceof OffsetClock) this.clock.resetOffset();
    this.journal.length = 0;
    this.faults = [];
    this.callerIp = undefined;
    for (const e of this.emulators) e.reset();
  }

  /** Calls recorded for `vendor` (all vendors when omitted). */
  calls(vendor?: string): JournalEntry[] {
    return this.journal.filter((j) => vendor === undefined || j.vendor === vendor);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Appends to the journal, dropping the oldest entries beyond the bound. */
  record(vendor: string, method: string, path: string, status: number, isUnmatched: boolean): void {
    this.journal.push({ vendor, method, path, status, unmatched: isUnmatched });
    if (this.journal.length > MAX_JOURNAL_ENTRIES) this.journal.splice(0, this.journal.length - MAX_JOURNAL_ENTRIES);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    // Errors on either stream (a reset mid-body, a write to a closed socket) end this request only.
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    this.handle(req, res).catch(() => {
      if (res.headersSent) res.destroy();
      else send(res, { status: 500, body: { error: 'sandbox: internal error' } }, true);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const pathname = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
    const method = (req.method ?? 'GET').toUpperCase();
    const control = pathname.startsWith('/__sandbox/');
    const emulator = control ? undefined : this.emulators.find((e) => pathname === e.prefix || pathname.startsWith(`${e.prefix}/`));
    const path = emulator ? pathname.slice(emulator.prefix.length) || '/' : pathname;
    const coreError = (status: number, message: string): SandboxResponse =>
      emulator?.errorBody ? emulator.errorBody(status, message) : { status, body: { error: `sandbox: ${message}` } };

    const limit = control ? MAX_CONTROL_BODY_BYTES : MAX_BODY_BYTES;
    const read = await readBody(req, limit);
    if (read.kind === 'aborted') {
      res.destroy();
      return;
    }
    if (read.kind === 'too-large') {
      // The journal holds vendor calls only, never control calls.
      if (!control) this.record(emulator?.name ?? '', method, path, 413, false);
      send(res, coreError(413, `the request body is larger than ${limit} bytes`), true);
      return;
    }
    const rawBody = read.body;
    if (control) {
      send(res, controlRoute(this, method, pathname, rawBody));
      return;
    }
    if (!emulator) {
      this.record('', method, pathname, 404, true);
      return send(res, coreError(404, `no route for ${method} ${pathname}`));
    }
    try {
      const plan = planFaults(this.faults, emulator.name, this.options.random ?? Math.random);
      if (plan.latencyMs > 0) await new Promise((r) => setTimeout(r, plan.latencyMs));
      if (plan.outcome === 'reset') {
        this.record(emulator.name, method, path, 0, false);
        req.socket.destroy();
        return;
      }
      if (plan.outcome !== undefined) {
        this.record(emulator.name, method, path, plan.outcome, false);
        return send(res, { status: plan.outcome, body: { error: 'sandbox: injected fault' } });
      }
      const match = emulator.router.match(method, path);
      if (!match) {
        this.record(emulator.name, method, path, 404, true);
        return send(res, coreError(404, `no route for ${method} ${pathname}`));
      }
      if ('allowed' in match) {
        this.record(emulator.name, method, path, 405, true);
        const out = coreError(405, `${method} is not allowed on ${pathname}`);
        return send(res, { ...out, headers: { ...(out.headers ?? {}), allow: match.allowed.join(', ') } });
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
      const sreq: SandboxRequest = {
        method,
        path,
        url: `${this.url}${rawUrl}`,
        urlAsSent: `http://${req.headers.host ?? new URL(this.url).host}${rawUrl}`,
        rawQuery,
        query: new URLSearchParams(rawQuery),
        headers,
        rawBody,
        params: match.params,
        ip: this.callerIp ?? normaliseIp(req.socket.remoteAddress ?? '127.0.0.1'),
      };
      const out = await match.handler(sreq);
      this.record(emulator.name, method, path, out.status, false);
      send(res, out);
    } catch (err) {
      this.record(emulator.name, method, path, 500, false);
      send(res, { status: 500, body: { error: `sandbox: ${err instanceof Error ? err.message : String(err)}` } });
    }
  }
}

function normaliseIp(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}
