/**
 * Retries of idempotent requests on 429/502/503/504 and on connection errors, honouring
 * Retry-After (seconds or HTTP date, clamped) and otherwise waiting a capped exponential backoff
 * with full jitter. The interceptor only wraps `dispatch`; the per-request state machine lives in
 * {@link RetryHandler}.
 *
 * How a retry works: at `onResponseStart` the policy decides. A response that will be retried is
 * never shown to the caller: its body is read and dropped, and at `onResponseEnd` the request is
 * dispatched again through the rest of the chain (so it passes the rate limiter and the signer
 * again). A response that will not be retried (a success, a non-retryable status, or the last
 * attempt) is passed through as is. The caller's handler sees one `onRequestStart` and one
 * response, with a stable controller whose `abort` also cancels a pending backoff wait.
 *
 * Why not undici 7's `interceptors.retry` with a custom `retry` callback (measured in
 * test/auth/retry-undici.test.ts, undici 7.30): the callback can take our policy, wait on the
 * injectable clock and be cancelled by the request's signal, and undici's retries pass through the
 * rest of the chain too, but
 * - with `throwOnError` (its default) the caller gets `UND_ERR_REQ_RETRY` instead of the last
 *   answer, so the vendor's error body and Retry-After are lost when retries run out;
 * - with `throwOnError: false` the callback runs while the failed answer is paused on its
 *   connection: the whole wait (up to a minute of Retry-After) holds the socket, and on a
 *   one-connection pool every other request waits behind it;
 * - the idempotency marker goes on to the vendor (it would take a second interceptor to strip it).
 */
import type { IncomingHttpHeaders } from 'http';
import type { Duplex } from 'stream';
import type { Dispatcher } from 'undici';

import { systemClock, type IClock } from '../core/clock';
import { APIACCESS_INVALID_ARGUMENT, ApiAccessError, assertArgument } from '../core/errors';
import { abortedError, isReplayable, normalizeHeaders, signalOf, type Interceptor } from './dispatch-utils';

/**
 * Request header that marks a request as safe to retry (`true`) or not (`false`) whatever its
 * method. The retry interceptor removes it before the request goes on, so vendors never see it.
 */
export const IDEMPOTENT_HEADER = 'x-apiaccess-idempotent';

/** Methods retried without a marker. POST and PATCH are never retried unless marked. */
const IDEMPOTENT_METHODS: readonly string[] = ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'];

/** Statuses retried by the default policy. */
const DEFAULT_RETRY_STATUS_CODES: readonly number[] = [429, 502, 503, 504];

/** Connection error codes retried by the default policy (the request never got an answer). */
const DEFAULT_RETRY_ERROR_CODES: readonly string[] = [
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
];

/** What the retry policy knows about a failed attempt. Exactly one of `statusCode` and `error` is set. */
export interface RetryContext {
  /** Upper-case request method. */
  readonly method: string;
  /** True for idempotent methods and for requests marked with {@link IDEMPOTENT_HEADER}. */
  readonly idempotent: boolean;
  /** Retries already made: 0 when the first attempt has just failed. */
  readonly retryCount: number;
  /** The status of the answer, when there was one. */
  readonly statusCode?: number;
  /** The headers of the answer, when there was one (lower-case names). */
  readonly headers?: IncomingHttpHeaders;
  /** The connection error, when there was no answer. */
  readonly error?: Error;
  /** Current time of the interceptor's clock (for Retry-After dates). */
  readonly nowMs: number;
}

/** Returns the delay in milliseconds before the next attempt, or null for "do not retry". */
export type RetryPolicy = (ctx: RetryContext) => number | null;

/** Options of {@link createRetryInterceptor}. */
export interface RetryOptions {
  /** Most retries after the first attempt; a hard cap that applies to a custom `shouldRetry` too. @default 3 */
  readonly maxRetries?: number;
  /** Backoff base: the first retry waits up to this long. @default 250 */
  readonly baseDelayMs?: number;
  /** Backoff cap. @default 8000 */
  readonly maxDelayMs?: number;
  /** Longest Retry-After honoured; longer values are clamped to it. @default 60000 */
  readonly maxRetryAfterMs?: number;
  /** @default DEFAULT_RETRY_STATUS_CODES */
  readonly statusCodes?: readonly number[];
  /** @default DEFAULT_RETRY_ERROR_CODES */
  readonly errorCodes?: readonly string[];
  /** The clock waits run on. @default systemClock */
  readonly clock?: IClock;
  /** Source of jitter in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** Replaces the default policy ({@link createDefaultRetryPolicy} with these options). */
  readonly shouldRetry?: RetryPolicy;
}

/**
 * Parses a Retry-After value into milliseconds from `nowMs`: delay-seconds (`120`) or an HTTP
 * date (`Wed, 21 Oct 2015 07:28:00 GMT`). A date in the past gives 0. Anything else gives null.
 */
export function parseRetryAfter(value: string | readonly string[] | null | undefined, nowMs: number): number | null {
  const raw = typeof value === 'string' ? value : value?.[0];
  if (raw === undefined) return null;
  const text = raw.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) {
    const ms = Math.round(Number(text) * 1000);
    return Number.isFinite(ms) ? ms : null;
  }
  // HTTP dates start with a day name (IMF-fixdate, RFC 850 and asctime forms all do).
  if (!/^[A-Za-z]{3,9},?\s/.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

function errorCode(err: Error | undefined): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  const causeCode = (err?.cause as { code?: unknown } | undefined)?.code;
  return typeof causeCode === 'string' ? causeCode : undefined;
}

function checkOptions(options: RetryOptions): void {
  const nonNegative = (value: number | undefined, name: string): void =>
    assertArgument(value === undefined || (Number.isFinite(value) && value >= 0), `"${name}"`, 'must be a non-negative number.');
  assertArgument(
    options.maxRetries === undefined || (Number.isInteger(options.maxRetries) && options.maxRetries >= 0),
    '"maxRetries"',
    'must be a non-negative integer.',
  );
  nonNegative(options.baseDelayMs, 'baseDelayMs');
  nonNegative(options.maxDelayMs, 'maxDelayMs');
  nonNegative(options.maxRetryAfterMs, 'maxRetryAfterMs');
  assertArgument(options.shouldRetry === undefined || typeof options.shouldRetry === 'function', '"shouldRetry"', 'must be a function.');
}

/**
 * The default policy: only idempotent requests; statuses in `statusCodes` wait Retry-After
 * (clamped to `maxRetryAfterMs`) or the backoff; errors with a code in `errorCodes` wait the
 * backoff; everything else is not retried. Backoff: a random delay in
 * `[0, min(maxDelayMs, baseDelayMs * 2^retryCount))` ("full jitter").
 */
export function createDefaultRetryPolicy(options: RetryOptions = {}): RetryPolicy {
  checkOptions(options);
  const maxRetries = options.maxRetries ?? 3;
  const baseDelayMs = options.baseDelayMs ?? 250;
  const maxDelayMs = options.maxDelayMs ?? 8000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const statusCodes = new Set(options.statusCodes ?? DEFAULT_RETRY_STATUS_CODES);
  const errorCodes = new Set(options.errorCodes ?? DEFAULT_RETRY_ERROR_CODES);
  const random = options.random ?? Math.random;
  const backoff = (retryCount: number): number => Math.floor(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** retryCount));

  return (ctx) => {
    if (!ctx.idempotent || ctx.retryCount >= maxRetries) return null;
    if (ctx.error !== undefined) {
      const code = errorCode(ctx.error);
      return code !== undefined && errorCodes.has(code) ? backoff(ctx.retryCount) : null;
    }
    if (ctx.statusCode === undefined || !statusCodes.has(ctx.statusCode)) return null;
    const retryAfter = parseRetryAfter(ctx.headers?.['retry-after'], ctx.nowMs);
    return retryAfter !== null ? Math.min(retryAfter, maxRetryAfterMs) : backoff(ctx.retryCount);
  };
}

/**
 * Removes {@link IDEMPOTENT_HEADER} from a request. Returns the request without it and the
 * marker's meaning (`undefined` when absent). Throws APIACCESS_INVALID_ARGUMENT on a value other
 * than `true` or `false`.
 */
export function stripIdempotentMarker(opts: Dispatcher.DispatchOptions): { opts: Dispatcher.DispatchOptions; marker: boolean | undefined } {
  const headers = normalizeHeaders(opts.headers);
  const raw = headers[IDEMPOTENT_HEADER];
  if (raw === undefined) return { opts, marker: undefined };
  delete headers[IDEMPOTENT_HEADER];
  const value = (Array.isArray(raw) ? raw.join(',') : raw).trim().toLowerCase();
  if (value !== 'true' && value !== 'false') {
    throw new ApiAccessError(APIACCESS_INVALID_ARGUMENT, `${IDEMPOTENT_HEADER}: must be "true" or "false".`, { field: IDEMPOTENT_HEADER });
  }
  return { opts: { ...opts, headers }, marker: value === 'true' };
}

/**
 * The controller the caller's handler sees for the whole request. It forwards to the controller
 * of the attempt in flight, keeps a pause across attempts, and remembers an abort so that it also
 * stops a backoff wait and any attempt that has not started yet.
 */
class RetryController implements Dispatcher.DispatchController {
  private target: Dispatcher.DispatchController | null = null;
  private pausedByCaller = false;
  private abortReason: Error | null = null;

  constructor(private readonly onAbortBetweenAttempts: (reason: Error) => void) {}

  /** Points the controller at a new attempt (or at none, between attempts). */
  attach(target: Dispatcher.DispatchController | null): void {
    this.target = target;
    if (target === null) return;
    if (this.abortReason !== null) target.abort(this.abortReason);
    else if (this.pausedByCaller) target.pause();
  }

  /** Why the caller aborted, or null when it did not. */
  get callerAbortReason(): Error | null {
    return this.abortReason;
  }

  get aborted(): boolean {
    return this.abortReason !== null || (this.target?.aborted ?? false);
  }
  get paused(): boolean {
    return this.pausedByCaller || (this.target?.paused ?? false);
  }
  get reason(): Error | null {
    return this.abortReason ?? this.target?.reason ?? null;
  }
  get rawHeaders(): Dispatcher.DispatchController['rawHeaders'] {
    return this.target?.rawHeaders ?? null;
  }
  get rawTrailers(): Dispatcher.DispatchController['rawTrailers'] {
    return this.target?.rawTrailers ?? null;
  }

  abort(reason: Error): void {
    if (this.abortReason !== null) return;
    this.abortReason = reason ?? new Error('The request was aborted.');
    if (this.target !== null) this.target.abort(this.abortReason);
    else this.onAbortBetweenAttempts(this.abortReason);
  }
  pause(): void {
    this.pausedByCaller = true;
    this.target?.pause();
  }
  resume(): void {
    this.pausedByCaller = false;
    this.target?.resume();
  }
}

interface RetryConfig {
  readonly policy: RetryPolicy;
  readonly maxRetries: number;
  readonly clock: IClock;
}

/** One attempt's handler; it reports to the request's {@link RetryHandler}. */
class AttemptHandler implements Dispatcher.DispatchHandler {
  /** Set when this attempt's answer will be retried: its body is dropped, then we wait this long. */
  private retryDelayMs: number | null = null;

  constructor(private readonly owner: RetryHandler) {}

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.owner.attemptStarted(controller, context);
  }

  onRequestUpgrade(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, socket: Duplex): void {
    this.owner.downstream.onRequestUpgrade?.(this.owner.controller, statusCode, headers, socket);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, statusMessage?: string): void {
    if (statusCode >= 200) {
      this.retryDelayMs = this.owner.decide({ statusCode, headers });
      if (this.retryDelayMs !== null) return;
      this.owner.delivered = true;
    }
    this.owner.downstream.onResponseStart?.(this.owner.controller, statusCode, headers, statusMessage);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.retryDelayMs !== null) return;
    this.owner.downstream.onResponseData?.(this.owner.controller, chunk);
  }

  onResponseEnd(_controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    if (this.retryDelayMs !== null) {
      void this.owner.retryAfter(this.retryDelayMs);
      return;
    }
    this.owner.finish(() => this.owner.downstream.onResponseEnd?.(this.owner.controller, trailers));
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.owner.cancelled()) {
      this.owner.fail(error);
    } else if (this.retryDelayMs !== null) {
      // Already decided to retry; losing the rest of a dropped body changes nothing.
      void this.owner.retryAfter(this.retryDelayMs);
    } else if (this.owner.delivered) {
      this.owner.fail(error);
    } else {
      const delay = this.owner.decide({ error });
      if (delay === null) this.owner.fail(error);
      else void this.owner.retryAfter(delay);
    }
  }
}

/** The state machine of one request across its attempts. */
class RetryHandler {
  readonly controller: RetryController;
  /** True once an answer has been passed to the caller; from then on nothing is retried. */
  delivered = false;
  private retryCount = 0;
  private started = false;
  private finished = false;
  private wait: AbortController | null = null;
  private readonly signal: AbortSignal | undefined;
  private readonly method: string;
  private readonly replayable: boolean;

  constructor(
    private readonly dispatch: Dispatcher['dispatch'],
    private readonly opts: Dispatcher.DispatchOptions,
    readonly downstream: Dispatcher.DispatchHandler,
    private readonly idempotent: boolean,
    private readonly config: RetryConfig,
  ) {
    this.signal = signalOf(opts);
    this.method = String(opts.method).toUpperCase();
    this.replayable = isReplayable(opts.body);
    this.controller = new RetryController((reason) => this.wait?.abort(reason));
  }

  /** Sends the first attempt. Errors thrown by the chain propagate to the caller, as in undici. */
  start(): boolean {
    return this.dispatch(this.opts, new AttemptHandler(this));
  }

  attemptStarted(controller: Dispatcher.DispatchController, context: unknown): void {
    this.controller.attach(controller);
    if (!this.started) {
      this.started = true;
      this.downstream.onRequestStart?.(this.controller, context);
    }
  }

  /** True when the caller cancelled the request (through its signal or the controller). */
  cancelled(): boolean {
    return this.controller.callerAbortReason !== null || this.signal?.aborted === true;
  }

  private cancelReason(): unknown {
    return this.controller.callerAbortReason ?? this.signal?.reason;
  }

  /** Asks the policy, within the hard limits (not cancelled, replayable body, retries left). */
  decide(failure: { statusCode?: number; headers?: IncomingHttpHeaders; error?: Error }): number | null {
    if (this.finished || this.cancelled() || !this.replayable || this.retryCount >= this.config.maxRetries) return null;
    const delay = this.config.policy({
      ...failure,
      method: this.method,
      idempotent: this.idempotent,
      retryCount: this.retryCount,
      nowMs: this.config.clock.now(),
    });
    return typeof delay === 'number' && Number.isFinite(delay) ? Math.max(0, delay) : null;
  }

  /** Waits `delayMs` on the clock (cancellable by the signal or the controller), then sends again. */
  async retryAfter(delayMs: number): Promise<void> {
    this.controller.attach(null);
    if (!(await this.waitBeforeRetry(delayMs))) {
      this.fail(abortedError(this.cancelReason(), 'The request was cancelled while it waited to be retried.'));
      return;
    }
    this.retryCount += 1;
    try {
      this.dispatch(this.opts, new AttemptHandler(this));
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Resolves true after the wait, false when the request was cancelled before or during it. */
  private async waitBeforeRetry(delayMs: number): Promise<boolean> {
    if (this.cancelled()) return false;
    const wait = new AbortController();
    const onAbort = (): void => wait.abort(this.signal?.reason);
    this.signal?.addEventListener('abort', onAbort, { once: true });
    this.wait = wait;
    try {
      if (delayMs > 0) await this.config.clock.sleep(delayMs, wait.signal);
      // Let the finished attempt hand its connection back before the next one starts.
      else await new Promise<void>((resolve) => setImmediate(resolve));
      return !this.cancelled();
    } catch {
      return false; // clock.sleep only rejects when the wait was aborted
    } finally {
      this.signal?.removeEventListener('abort', onAbort);
      this.wait = null;
    }
  }

  /** Ends the request with `error` (once). */
  fail(error: Error): void {
    this.finish(() => this.downstream.onResponseError?.(this.controller, error));
  }

  finish(deliver: () => void): void {
    if (this.finished) return;
    this.finished = true;
    deliver();
  }
}

/**
 * Retries failed requests according to `options` (see {@link RetryOptions}). Only requests with a
 * replayable body (none, string or bytes) are retried. When retries run out, the last answer is
 * passed to the caller as it came (a 429 stays a 429); the last connection error likewise.
 */
export function createRetryInterceptor(options: RetryOptions = {}): Interceptor {
  checkOptions(options);
  const config: RetryConfig = {
    policy: options.shouldRetry ?? createDefaultRetryPolicy(options),
    maxRetries: options.maxRetries ?? 3,
    clock: options.clock ?? systemClock,
  };
  return (dispatch) =>
    function retryInterceptor(opts, handler) {
      const { opts: sent, marker } = stripIdempotentMarker(opts);
      const idempotent = marker ?? IDEMPOTENT_METHODS.includes(String(opts.method).toUpperCase());
      return new RetryHandler(dispatch, sent, handler, idempotent, config).start();
    };
}
