/** The sandbox clock: real time plus an offset, so tests can jump forward (or back) without waiting. */
import { type IClock, sleep } from '../core/clock';

/** Real time shifted by a settable offset. Sleeping uses real timers for the remaining real time. */
export class OffsetClock implements IClock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleep(ms, signal);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  set(atMs: number): void {
    this.offsetMs = atMs - Date.now();
  }

  resetOffset(): void {
    this.offsetMs = 0;
  }
}

/** The earliest time the sandbox clock may show: 1970-01-01T00:00:00.000Z. */
const MIN_CLOCK_MS = 0;
/** The latest time the sandbox clock may show: 9999-12-31T23:59:59.999Z. */
const MAX_CLOCK_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Checks a `POST /__sandbox/clock` body against the clock's current time `nowMs`: exactly one of
 * `advanceSeconds` (a finite number) or `set` (an ISO 8601 date-time with a zone), and the
 * resulting time within years 1970–9999. Returns the new time in ms, or the 400 message.
 */
export function parseClockRequest(b: Record<string, unknown>, nowMs: number): number | string {
  const usage = 'clock: send {"advanceSeconds": <finite number>} or {"set": "<ISO 8601 date-time>"}';
  const keys = Object.keys(b);
  if (keys.length !== 1 || (keys[0] !== 'advanceSeconds' && keys[0] !== 'set')) return usage;
  let target: number;
  if ('advanceSeconds' in b) {
    const s = b.advanceSeconds;
    if (typeof s !== 'number' || !Number.isFinite(s)) return `${usage}; "advanceSeconds" must be a finite number`;
    target = nowMs + s * 1000;
  } else {
    const s = b.set;
    if (typeof s !== 'string' || !ISO_DATE.test(s) || Number.isNaN(Date.parse(s)))
      return `${usage}; "set" must be an ISO 8601 date-time such as 2030-01-02T03:04:05Z`;
    target = Date.parse(s);
  }
  if (!Number.isFinite(target) || target < MIN_CLOCK_MS || target > MAX_CLOCK_MS) {
    return 'clock: the resulting time must lie between 1970-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z';
  }
  return target;
}
