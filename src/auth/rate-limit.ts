/**
 * Client-side rate limiting per credential, so that the process as a whole never exceeds a
 * vendor's budget (Carbon Black: 25 calls per 5 minutes; Threat Jammer: per-minute buckets).
 * Waiters are served first come, first served, and wait on an injectable clock.
 */
import { createHash } from 'crypto';

import { systemClock, type IClock } from '../core/clock';
import { assertArgument } from '../core/errors';
import { abortedError, sendWhenReady, signalOf, type Interceptor } from './dispatch-utils';

/** Something that admits one call at a time when the budget allows it. */
export interface ILimiter {
  /**
   * Resolves when one call may be made now (and counts it), or rejects with APIACCESS_ABORTED
   * when `signal` aborts first. An aborted waiter consumes nothing.
   */
  acquire(signal?: AbortSignal): Promise<void>;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
  readonly signal?: AbortSignal;
  readonly onAbort: () => void;
}

/**
 * The FIFO queue and the wait loop both limiters share. Subclasses say how long the head of the
 * queue must still wait ({@link delayMs}) and record a granted call ({@link take}).
 */
abstract class QueuedLimiter implements ILimiter {
  protected readonly clock: IClock;
  private readonly queue: Waiter[] = [];
  private pumping = false;
  /** Cancels the pump's sleep when the last waiter leaves the queue. */
  private idle: AbortController | undefined;

  protected constructor(clock: IClock | undefined) {
    this.clock = clock ?? systemClock;
  }

  /** Milliseconds until one more call fits the budget at time `now`; 0 or less means now. */
  protected abstract delayMs(now: number): number;
  /** Counts one call made at time `now`. */
  protected abstract take(now: number): void;

  acquire(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortedError(signal.reason, 'The request was cancelled while it waited for the rate limiter.'));
        return;
      }
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.queue.indexOf(waiter);
          if (index < 0) return;
          this.queue.splice(index, 1);
          if (this.queue.length === 0) this.idle?.abort();
          reject(abortedError(signal?.reason, 'The request was cancelled while it waited for the rate limiter.'));
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.queue.push(waiter);
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const now = this.clock.now();
        const wait = this.delayMs(now);
        if (wait <= 0) {
          const head = this.queue.shift() as Waiter;
          head.signal?.removeEventListener('abort', head.onAbort);
          this.take(now);
          head.resolve();
          continue;
        }
        this.idle = new AbortController();
        try {
          await this.clock.sleep(wait, this.idle.signal);
        } catch {
          // The queue emptied while we slept; the loop condition ends the pump.
        } finally {
          this.idle = undefined;
        }
      }
    } finally {
      this.pumping = false;
    }
  }
}

/** Options of {@link SlidingWindowLimiter}. */
export interface SlidingWindowLimiterOptions {
  /** Calls allowed in any window of `windowMs`. */
  readonly limit: number;
  /** Window length in milliseconds. */
  readonly windowMs: number;
  /** @default systemClock */
  readonly clock?: IClock;
}

/**
 * An exact sliding window: a call at time `t` is admitted only when fewer than `limit` calls were
 * admitted in `(t - windowMs, t]`. It keeps the timestamps of the last `limit` calls; when all
 * are inside the window, the next call waits until the oldest one leaves it.
 */
export class SlidingWindowLimiter extends QueuedLimiter {
  private readonly limit: number;
  private readonly windowMs: number;
  /** Grant times of the last `limit` calls, oldest first. */
  private readonly granted: number[] = [];

  constructor(options: SlidingWindowLimiterOptions) {
    assertArgument(Number.isInteger(options.limit) && options.limit > 0, '"limit"', 'must be a positive integer.');
    assertArgument(Number.isFinite(options.windowMs) && options.windowMs > 0, '"windowMs"', 'must be a positive number.');
    super(options.clock);
    this.limit = options.limit;
    this.windowMs = options.windowMs;
  }

  protected delayMs(now: number): number {
    if (this.granted.length < this.limit) return 0;
    return this.granted[0] + this.windowMs - now;
  }

  protected take(now: number): void {
    this.granted.push(now);
    if (this.granted.length > this.limit) this.granted.shift();
  }
}

/** Options of {@link TokenBucketLimiter}. */
export interface TokenBucketLimiterOptions {
  /** Most tokens the bucket holds; it starts full. */
  readonly capacity: number;
  /** Tokens added per second (a per-minute budget of 60 is 1 per second). */
  readonly refillPerSecond: number;
  /** @default systemClock */
  readonly clock?: IClock;
}

/** A token bucket: bursts up to `capacity`, then one call per `1 / refillPerSecond` seconds. */
export class TokenBucketLimiter extends QueuedLimiter {
  private readonly capacity: number;
  private readonly refillPerMs: number;
  private tokens: number;
  private refilledAt: number;

  constructor(options: TokenBucketLimiterOptions) {
    assertArgument(Number.isFinite(options.capacity) && options.capacity >= 1, '"capacity"', 'must be a number of at least 1.');
    assertArgument(Number.isFinite(options.refillPerSecond) && options.refillPerSecond > 0, '"refillPerSecond"', 'must be a positive number.');
    super(options.clock);
    this.capacity = options.capacity;
    this.refillPerMs = options.refillPerSecond / 1000;
    this.tokens = options.capacity;
    this.refilledAt = this.clock.now();
  }

  /** Tokens available at time `now` (after refill). */
  available(now = this.clock.now()): number {
    this.refill(now);
    return this.tokens;
  }

  private refill(now: number): void {
    if (now > this.refilledAt) {
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.refilledAt) * this.refillPerMs);
      this.refilledAt = now;
    }
  }

  protected delayMs(now: number): number {
    this.refill(now);
    // Rounded up so that the wake-up never comes a fraction of a token early.
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / this.refillPerMs);
  }

  protected take(now: number): void {
    this.refill(now);
    this.tokens -= 1;
  }
}

/** A set of limiters by key. Use one per process ({@link limiterFor}); tests make their own. */
export class LimiterRegistry {
  private readonly limiters = new Map<string, ILimiter>();

  /** The limiter for `key`, made with `make` the first time the key is seen. */
  get(key: string, make: () => ILimiter): ILimiter {
    assertArgument(typeof key === 'string' && key.length > 0, '"key"', 'must be a non-empty string.');
    let limiter = this.limiters.get(key);
    if (limiter === undefined) {
      limiter = make();
      this.limiters.set(key, limiter);
    }
    return limiter;
  }

  /** Forgets every limiter. */
  clear(): void {
    this.limiters.clear();
  }
}

/** The process-wide registry behind {@link limiterFor}. */
export const defaultLimiterRegistry = new LimiterRegistry();

/**
 * The process-wide limiter for `key`: two clients built with the same credential share it, so
 * their calls count against one budget. Build the key with {@link limiterKey}, never from a raw
 * secret.
 */
export function limiterFor(key: string, make: () => ILimiter): ILimiter {
  return defaultLimiterRegistry.get(key, make);
}

/**
 * A registry key for a credential that does not contain the credential: the vendor name and a
 * truncated SHA-256 of the identifying parts (API ID, org key, secret…).
 */
export function limiterKey(vendor: string, ...credentialParts: readonly string[]): string {
  const digest = createHash('sha256').update(JSON.stringify(credentialParts)).digest('hex');
  return `${vendor}:${digest.slice(0, 32)}`;
}

/**
 * Waits for every limiter in turn (in the order given) before passing the request on. A request
 * whose signal aborts while it waits fails with APIACCESS_ABORTED and is never sent.
 */
export function createRateLimitInterceptor(limiters: ILimiter | readonly ILimiter[]): Interceptor {
  const list: readonly ILimiter[] = Array.isArray(limiters) ? limiters : [limiters as ILimiter];
  assertArgument(list.length > 0, '"limiters"', 'needs at least one limiter.');
  for (const l of list) assertArgument(typeof l?.acquire === 'function', '"limiters"', 'each must have an acquire(signal) method.');
  return (dispatch) =>
    function rateLimitInterceptor(opts, handler) {
      const signal = signalOf(opts);
      const acquireAll = async (): Promise<void> => {
        for (const limiter of list) await limiter.acquire(signal);
      };
      return sendWhenReady(acquireAll(), handler, () => dispatch(opts, handler));
    };
}
