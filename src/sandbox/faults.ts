/**
 * Injected failures (`/__sandbox/faults`): strict parsing of a fault request, and how several
 * faults for one vendor compose.
 *
 * Composition: every active fault of the vendor (count unset or above 0) is considered in the order
 * it was added. Each considered fault rolls its `ratio` (it fires when `random() < ratio`); a fault
 * that fires adds its `latencyMs` to the wait and uses up one of its `count`. The first status or
 * `reset` fault that fires decides the answer, and the faults after it are not considered (they
 * neither roll nor count down). A fault that does not fire changes nothing. When no status or
 * reset fault fires, the vendor's routes run after the summed latency.
 */

/** An injected failure. */
export interface Fault {
  readonly vendor: string;
  /** An HTTP status to answer, `reset` to destroy the connection, or 0 for latency only. */
  readonly status: number | 'reset';
  readonly latencyMs: number;
  /** Remaining injections; undefined = unlimited (ratio decides). */
  count: number | undefined;
  readonly ratio: number;
}

/** What the faults decide for one request. */
export interface FaultPlan {
  /** Summed latency of every fault that fired. */
  readonly latencyMs: number;
  /** The answer decided by the first status/reset fault that fired; undefined = run the routes. */
  readonly outcome: number | 'reset' | undefined;
}

/** The longest latency one fault may inject: 10 minutes. */
const MAX_FAULT_LATENCY_MS = 600_000;

const FAULT_KEYS = ['vendor', 'status', 'latencyMs', 'count', 'ratio'];

/** Checks a fault request; returns the fault or the 400 message naming the field. */
export function parseFault(b: Record<string, unknown>, vendors: readonly string[]): Fault | string {
  const unknown = Object.keys(b).filter((k) => !FAULT_KEYS.includes(k));
  if (unknown.length > 0) return `faults: unknown field(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}; allowed: ${FAULT_KEYS.join(', ')}`;
  const vendor = b.vendor;
  if (typeof vendor !== 'string' || !vendors.includes(vendor)) return `faults: "vendor" must be one of ${vendors.join(', ')}`;
  if (b.latencyMs !== undefined) {
    const l = b.latencyMs;
    if (typeof l !== 'number' || !Number.isFinite(l) || l < 0 || l > MAX_FAULT_LATENCY_MS) {
      return `faults: "latencyMs" must be a number of milliseconds from 0 to ${MAX_FAULT_LATENCY_MS}`;
    }
  }
  let status: number | 'reset';
  if (b.status === 'reset') status = 'reset';
  else if (typeof b.status === 'number' && Number.isInteger(b.status) && b.status >= 100 && b.status <= 599) status = b.status;
  else if (b.status === undefined && b.latencyMs !== undefined) status = 0;
  else return 'faults: "status" must be an HTTP status (100-599) or "reset" (it may be left out only when "latencyMs" is given)';
  if (b.count !== undefined && (typeof b.count !== 'number' || !Number.isSafeInteger(b.count) || b.count < 1)) {
    return 'faults: "count" must be a positive whole number';
  }
  if (b.ratio !== undefined && (typeof b.ratio !== 'number' || !Number.isFinite(b.ratio) || b.ratio < 0 || b.ratio > 1)) {
    return 'faults: "ratio" must be a number from 0 to 1';
  }
  return {
    vendor,
    status,
    latencyMs: (b.latencyMs as number | undefined) ?? 0,
    count: b.count as number | undefined,
    ratio: (b.ratio as number | undefined) ?? 1,
  };
}

/** Applies the composition rule above to `faults` for one request to `vendor` (counts are updated). */
export function planFaults(faults: readonly Fault[], vendor: string, random: () => number): FaultPlan {
  let latencyMs = 0;
  for (const f of faults) {
    if (f.vendor !== vendor || (f.count !== undefined && f.count <= 0)) continue;
    if (random() >= f.ratio) continue;
    if (f.count !== undefined) f.count -= 1;
    latencyMs += f.latencyMs;
    if (f.status !== 0) return { latencyMs, outcome: f.status };
  }
  return { latencyMs, outcome: undefined };
}
