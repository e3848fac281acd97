/**
 * The vendor sandbox: one HTTP server on 127.0.0.1, one emulator per vendor under its prefix,
 * strict about everything (an unmatched request is a 404 recorded in the journal, never a quiet
 * success), and a control surface under `/__sandbox/` for tests and outside checks:
 *
 * - `GET /__sandbox/state` → `{ "<vendor>": <state>, … }`; `PUT /__sandbox/state` replaces it
 *   with such a document (vendors left out keep their state); `POST /__sandbox/reset` restores
 *   every seed and clears clock offset, caller IP, faults and journal.
 * - `GET /__sandbox/journal` → every vendor call seen (method, path, status; never bodies);
 *   `DELETE` clears it.
 * - `GET /__sandbox/clock` → `{ "now": ISO }`; `POST /__sandbox/clock` `{ "advanceSeconds": n }` or
 *   `{ "set": ISO }` moves the sandbox's time.
 * - `PUT /__sandbox/caller-ip` `{ "ip": "203.0.113.7" }` makes every request look as if it came from
 *   that address (allow-list tests); `DELETE` returns to the real peer address.
 * - `POST /__sandbox/faults` `{ "vendor", "status": 503 | "reset", "latencyMs"?, "count"?, "ratio"? }`
 *   injects failures before the vendor's routes run; `GET` lists, `DELETE` clears them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import type { IClock } from '../core/clock';
import { OffsetClock } from './clock';
import type { EmulatorFactory, SandboxContext, SandboxRequest, SandboxResponse, VendorEmulator } from './types';

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

/** An injected failure. */
export interface Fault {
  readonly vendor: string;
  readonly status: number | 'reset';
  readonly latencyMs: number;
  /** Remaining injections; undefined = unlimited (ratio decides). */
  count: number | undefined;
  readonly ratio: number;
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
  readonly journal: JournalEntry[] = [];
  private readonly emulators: VendorEmulator[];
  private readonly server: Server;
  private faults: Fault[] = [];
  private callerIp: string | undefined;
  private url = '';

  private constructor(private readonly options: SandboxOptions) {
    this.clock = options.clock ?? new OffsetClock();
    const ctx: SandboxContext = { clock: this.clock, baseUrl: () => this.url };
    this.emulators = options.emulators.map((f) => f(ctx));
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 5000;
  }

  /** Starts a sandbox on 127.0.0.1 (port 0 = any free port). */
  static async start(options: SandboxOptions): Promise<Sandbox> {
    const sandbox = new Sandbox(options);
    await new Promise<void>((resolve, reject) => {
      sandbox.server.once('error', reject);
      sandbox.server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    const { address, port } = sandbox.server.address() as AddressInfo;
    sandbox.url = `http://${address}:${port}`;
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

  reset(): void {
    for (const e of this.emulators) e.reset();
    this.journal.length = 0;
    this.faults = [];
    this.callerIp = undefined;
    if (this.clock instanceof OffsetClock) this.clock.resetOffset();
  }

  /** Calls recorded for `vendor` (all vendors when omitted). */
  calls(vendor?: string): JournalEntry[] {
    return this.journal.filter((j) => vendor === undefined || j.vendor === vendor);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks);
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const pathname = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
    const method = (req.method ?? 'GET').toUpperCase();
    if (pathname.startsWith('/__sandbox/')) {
      send(res, this.control(method, pathname, rawBody));
      return;
    }
    const emulator = this.emulators.find((e) => pathname === e.prefix || pathname.startsWith(`${e.prefix}/`));
    if (!emulator) {
      this.record('', method, pathname, 404, true);
      return send(res, unmatched(method, pathname));
    }
    const path = pathname.slice(emulator.prefix.length) || '/';
    try {
      const fault = this.takeFault(emulator.name);
      if (fault) {
        if (fault.latencyMs > 0) await new Promise((r) => setTimeout(r, fault.latencyMs));
        if (fault.status === 'reset') {
          this.record(emulator.name, method, path, 0, false);
          req.socket.destroy();
          return;
        }
        if (fault.status > 0) {
          this.record(emulator.name, method, path, fault.status, false);
          return send(res, { status: fault.status, body: { error: 'sandbox: injected fault' } });
        }
      }
      const match = emulator.router.match(method, path);
      if (!match) {
        this.record(emulator.name, method, path, 404, true);
        return send(res, unmatched(method, pathname));
      }
      if ('allowed' in match) {
        this.record(emulator.name, method, path, 405, true);
        return send(res, { status: 405, headers: { allow: match.allowed.join(', ') }, body: { error: `sandbox: ${method} is not allowed on ${pathname}` } });
      }
      const host = req.headers.host ?? new URL(this.url).host;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
      const sreq: SandboxRequest = {
        method,
        path,
        url: `http://${host}${rawUrl}`,
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

  private record(vendor: string, method: string, path: string, status: number, isUnmatched: boolean): void {
    this.journal.push({ vendor, method, path, status, unmatched: isUnmatched });
  }

  private takeFault(vendor: string): Fault | undefined {
    const f = this.faults.find((x) => x.vendor === vendor && (x.count === undefined || x.count > 0));
    if (!f) return undefined;
    if ((this.options.random ?? Math.random)() >= f.ratio) return undefined;
    if (f.count !== undefined) f.count -= 1;
    return f;
  }

  private control(method: string, path: string, body: Buffer): SandboxResponse {
    const json = (): Record<string, unknown> => {
      const v: unknown = body.length ? JSON.parse(body.toString('utf8')) : {};
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('expected a JSON object');
      return v as Record<string, unknown>;
    };
    const bad = (message: string): SandboxResponse => ({ status: 400, body: { error: `sandbox: ${message}` } });
    try {
      switch (`${method} ${path}`) {
        case 'GET /__sandbox/state':
          return { status: 200, body: this.snapshot() };
        case 'PUT /__sandbox/state':
          this.restore(json());
          return { status: 200, body: this.snapshot() };
        case 'POST /__sandbox/reset':
          this.reset();
          return { status: 200, body: this.snapshot() };
        case 'GET /__sandbox/journal':
          return { status: 200, body: { calls: this.journal } };
        case 'DELETE /__sandbox/journal':
          this.journal.length = 0;
          return { status: 204 };
        case 'GET /__sandbox/clock':
          return { status: 200, body: { now: new Date(this.clock.now()).toISOString() } };
        case 'POST /__sandbox/clock': {
          const b = json();
          if (typeof b.advanceSeconds === 'number' && Number.isFinite(b.advanceSeconds)) this.clock.advance(b.advanceSeconds * 1000);
          else if (typeof b.set === 'string' && !Number.isNaN(Date.parse(b.set))) this.clock.set(Date.parse(b.set));
          else return bad('clock: send {"advanceSeconds": number} or {"set": "<ISO date>"}');
          return { status: 200, body: { now: new Date(this.clock.now()).toISOString() } };
        }
        case 'PUT /__sandbox/caller-ip': {
          const b = json();
          if (typeof b.ip !== 'string' || isIP(b.ip) === 0) return bad('caller-ip: send {"ip": "<IPv4 or IPv6 address>"}');
          this.callerIp = b.ip;
          return { status: 200, body: { ip: b.ip } };
        }
        case 'DELETE /__sandbox/caller-ip':
          this.callerIp = undefined;
          return { status: 204 };
        case 'GET /__sandbox/faults':
          return { status: 200, body: { faults: this.faults } };
        case 'DELETE /__sandbox/faults':
          this.faults = [];
          return { status: 204 };
        case 'POST /__sandbox/faults': {
          const b = json();
          const vendor = b.vendor;
          if (typeof vendor !== 'string' || !this.emulators.some((e) => e.name === vendor)) {
            return bad(`faults: "vendor" must be one of ${this.emulators.map((e) => e.name).join(', ')}`);
          }
          const status =
            b.status === 'reset'
              ? 'reset'
              : typeof b.status === 'number' && b.status >= 100 && b.status <= 599
                ? b.status
                : b.status === undefined && typeof b.latencyMs === 'number'
                  ? 0
                  : undefined;
          if (status === undefined) return bad('faults: "status" must be an HTTP status (100-599) or "reset"');
          const latencyMs = typeof b.latencyMs === 'number' && b.latencyMs >= 0 ? b.latencyMs : 0;
          const count = typeof b.count === 'number' && b.count > 0 ? Math.floor(b.count) : undefined;
          const ratio = typeof b.ratio === 'number' && b.ratio >= 0 && b.ratio <= 1 ? b.ratio : 1;
          const fault: Fault = { vendor, status, latencyMs, count, ratio };
          this.faults.push(fault);
          return { status: 201, body: fault };
        }
        default:
          return unmatched(method, path);
      }
    } catch (err) {
      return bad(err instanceof Error ? err.message : String(err));
    }
  }
}

function unmatched(method: string, path: string): SandboxResponse {
  return { status: 404, body: { error: `sandbox: no route for ${method} ${path}` } };
}

function normaliseIp(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

function send(res: ServerResponse, out: SandboxResponse): void {
  const headers: Record<string, string> = { ...(out.headers ?? {}) };
  let payload: Buffer | undefined;
  if (out.body !== undefined && out.body !== null) {
    if (Buffer.isBuffer(out.body)) payload = out.body;
    else if (typeof out.body === 'string') {
      payload = Buffer.from(out.body);
      headers['content-type'] ??= 'text/plain; charset=utf-8';
    } else {
      payload = Buffer.from(JSON.stringify(out.body));
      headers['content-type'] ??= 'application/json; charset=utf-8';
    }
  }
  if (payload) headers['content-length'] = String(payload.length);
  res.writeHead(out.status, headers);
  res.end(payload);
}
