/** Time as a dependency: real by default, movable in tests and in the sandbox. */
import { APIACCESS_ABORTED, ApiAccessError } from './errors';

/** A source of time and a way to wait on it. */
export interface IClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or rejects with an APIACCESS_ABORTED error when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Sleeps on real timers; the timer is cleared when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortError(signal?: AbortSignal): ApiAccessError {
  return new ApiAccessError(APIACCESS_ABORTED, 'The operation was cancelled.', { cause: signal?.reason });
}

/** The wall clock. */
export const systemClock: IClock = { now: () => Date.now(), sleep };

/**
 * A clock that only moves when told to. `sleep` resolves when `advance` passes its deadline,
 * so rate-limit pacing can be tested without waiting.
 */
export class ManualClock implements IClock {
  private current: number;
  private waiters: { at: number; resolve: () => void }[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      const waiter = { at: this.current + Math.max(0, ms), resolve };
      this.waiters.push(waiter);
      signal?.addEventListener(
        'abort',
        () => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(abortError(signal));
        },
        { once: true },
      );
    });
  }

  /** Moves time forward and wakes every sleeper whose deadline has passed. */
  advance(ms: number): void {
    this.set(this.current + ms);
  }

  /** Sets the time (forward or back) and wakes due sleepers. */
  set(at: number): void {
    this.current = at;
    const due = this.waiters.filter((w) => w.at <= at);
    this.waiters = this.waiters.filter((w) => w.at > at);
    for (const w of due) w.resolve();
  }

  /** Number of pending sleepers. */
  get pending(): number {
    return this.waiters.length;
  }
}
