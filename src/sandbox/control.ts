/**
 * The control surface under `/__sandbox/` (sandbox only; faults never touch it):
 *
 * - `GET /__sandbox/state` → `{ "<vendor>": <state>, … }`; `PUT /__sandbox/state` replaces it
 *   with such a document (vendors left out keep their state); `POST /__sandbox/reset` restores
 *   every seed and clears clock offset, caller IP, faults, journal and idempotency keys — it always
 *   works, whatever happened before.
 * - `GET /__sandbox/journal` → the newest 10,000 vendor calls (method, path, status; never bodies);
 *   `DELETE` clears it.
 * - `GET /__sandbox/clock` → `{ "now": ISO }`; `POST /__sandbox/clock` `{ "advanceSeconds": n }` or
 *   `{ "set": ISO }` moves the sandbox's time; the result must lie in years 1970–9999, and a 400
 *   changes nothing.
 * - `PUT /__sandbox/caller-ip` `{ "ip": "203.0.113.7" }` makes every request look as if it came from
 *   that address (allow-list tests); `DELETE` returns to the real peer address.
 * - `POST /__sandbox/faults` `{ "vendor", "status": 503 | "reset", "latencyMs"?, "count"?, "ratio"? }`
 *   injects failures before the vendor's routes run (validated strictly; see faults.ts for how
 *   several compose); `GET` lists, `DELETE` clears them.
 * - `GET /__sandbox/idempotency` → `{ "<vendor>": [{ key, method, path, status, at }] }` (never bodies).
 */
import { isIP } from 'node:net';
import { parseClockRequest } from './clock';
import { parseFault } from './faults';
import type { Sandbox } from './server';
import type { SandboxResponse } from './types';

function bad(message: string): SandboxResponse {
  return { status: 400, body: { error: `sandbox: ${message}` } };
}

function nowBody(sandbox: Sandbox): SandboxResponse {
  return { status: 200, body: { now: new Date(sandbox.clock.now()).toISOString() } };
}

/** Answers one control request. Never throws. */
export function controlRoute(sandbox: Sandbox, method: string, path: string, body: Buffer): SandboxResponse {
  const json = (): Record<string, unknown> => {
    const v: unknown = body.length ? JSON.parse(body.toString('utf8')) : {};
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('expected a JSON object');
    return v as Record<string, unknown>;
  };
  try {
    switch (`${method} ${path}`) {
      case 'GET /__sandbox/state':
        return { status: 200, body: sandbox.snapshot() };
      case 'PUT /__sandbox/state':
        sandbox.restore(json());
        return { status: 200, body: sandbox.snapshot() };
      case 'POST /__sandbox/reset':
        sandbox.reset();
        return { status: 200, body: sandbox.snapshot() };
      case 'GET /__sandbox/journal':
        return { status: 200, body: { calls: sandbox.journal } };
      case 'DELETE /__sandbox/journal':
        sandbox.journal.length = 0;
        return { status: 204 };
      case 'GET /__sandbox/clock':
        return nowBody(sandbox);
      case 'POST /__sandbox/clock': {
        const b = json();
        const target = parseClockRequest(b, sandbox.clock.now());
        if (typeof target === 'string') return bad(target);
        if ('advanceSeconds' in b) sandbox.clock.advance((b.advanceSeconds as number) * 1000);
        else sandbox.clock.set(target);
        return nowBody(sandbox);
      }
      case 'PUT /__sandbox/caller-ip': {
        const b = json();
        if (typeof b.ip !== 'string' || isIP(b.ip) === 0) return bad('caller-ip: send {"ip": "<IPv4 or IPv6 address>"}');
        sandbox.callerIp = b.ip;
        return { status: 200, body: { ip: b.ip } };
      }
      case 'DELETE /__sandbox/caller-ip':
        sandbox.callerIp = undefined;
        return { status: 204 };
      case 'GET /__sandbox/faults':
        return { status: 200, body: { faults: sandbox.faults } };
      case 'DELETE /__sandbox/faults':
        sandbox.faults = [];
        return { status: 204 };
      case 'POST /__sandbox/faults': {
        const fault = parseFault(
          json(),
          sandbox.emulators.map((e) => e.name),
        );
        if (typeof fault === 'string') return bad(fault);
        sandbox.faults.push(fault);
        return { status: 201, body: fault };
      }
      case 'GET /__sandbox/idempotency':
        return { status: 200, body: Object.fromEntries(sandbox.emulators.map((e) => [e.name, e.idempotencyKeys?.() ?? []])) };
      default:
        return { status: 404, body: { error: `sandbox: no route for ${method} ${path}` } };
    }
  } catch (err) {
    return bad(err instanceof Error ? err.message : String(err));
  }
}
