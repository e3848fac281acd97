/**
 * Typed client for the Threat Jammer User API key: read its state and quotas (`GET /v1/token`),
 * its activity, check it (`GET /test`), and the PROPOSED lifecycle routes (regenerate, disable,
 * enable). Built on src/auth:
 *
 * - auth: `Authorization: Bearer <key>`, the key checked locally (`tja_` + 36 base-62 characters);
 *   after a regeneration the client sends the new key at once.
 * - rate limit (metered calls only: `/v1/token`, `/v1/token/activity`): a token bucket for the
 *   per-minute bucket (size and refill ratio of the plan) and the monthly budget the vendor reports.
 * - retry: idempotent calls answered 429 wait out `Retry-After` (up to a minute, the longest a
 *   per-minute refusal can ask) and go again; a monthly refusal (days) is reported at once.
 *
 * Each call is split into a request and a `process…Response` function that makes sense of the answer.
 */
import { createHash } from 'node:crypto';
import { SharedTokenBucketLimiter, SharedWindowLimiter } from '../../auth/shared-budget';
import type { Logger } from '../../core/log';
import { createBearerKeyInterceptor, assertBearerKey } from '../../auth/bearer-key';
import { composeDispatcher, createDefaultDispatcher } from '../../auth/compose';
import { HttpClient, httpError, type HttpClientOptions, type HttpResponse } from '../../auth/http';
import {
  createRateLimitInterceptor,
  defaultLimiterRegistry,
  limiterKey,
  SlidingWindowLimiter,
  TokenBucketLimiter,
  type ILimiter,
  type LimiterRegistry,
} from '../../auth/rate-limit';
import { createDefaultRetryPolicy, createRetryInterceptor, parseRetryAfter, type RetryPolicy } from '../../auth/retry';
import { systemClock, type IClock } from '../../core/clock';
import { APIACCESS_BAD_RESPONSE, APIACCESS_NETWORK_ERROR, APIACCESS_TIMEOUT, APIACCESS_UNAUTHORIZED, ApiAccessError, assertArgument } from '../../core/errors';
import { registerSecret } from '../../core/redact';
import { THREATJAMMER_KEY_FORMAT } from './auth-params';
import { MonthlyBudget } from './budget';
import type {
  ActivityPageOutput,
  RegeneratedKey,
  RegeneratedTokenOutput,
  ThreatJammerActivityPage,
  ThreatJammerErrorBody,
  ThreatJammerToken,
  TokenOutput,
} from './types';

/** The Dublin User API host, the only public region. */
export const THREATJAMMER_DEFAULT_BASE_URL = 'https://dublin.api.threatjammer.com';
const VENDOR = 'threatjammer';
/** The longest Retry-After worth waiting for: a per-minute refusal never asks for more. */
const MAX_RETRY_AFTER_MS = 60_000;

/** The base dispatcher type the client accepts (an undici Dispatcher). */
export type BaseDispatcher = HttpClientOptions['dispatcher'];

/** Settings of {@link ThreatJammerClient}. */
export interface ThreatJammerClientConfig {
  /** The API key (`tja_` + 36 base-62 characters), without `Bearer `. */
  readonly apiKey: string;
  /** @default THREATJAMMER_DEFAULT_BASE_URL */
  readonly baseUrl?: string;
  /** Per-minute bucket size of the plan. @default 10 (Free) */
  readonly minuteLimit?: number;
  /**
   * Calls per second given back to the per-minute bucket. 0 means none: the client then keeps to
   * `minuteLimit` calls in any 60 seconds. @default 1
   */
  readonly refillPerSecond?: number;
  /** Base dispatcher (tests); @default a keep-alive undici Agent from src/auth */
  readonly dispatcher?: BaseDispatcher;
  /** Clock for the limiter and the retry waits. @default systemClock */
  readonly clock?: IClock;
  /** Where per-minute limiters are shared by key. @default the process-wide registry */
  readonly limiters?: LimiterRegistry;
  /**
   * The per-minute limiter to use instead of one from `limiters`, e.g. a
   * `SharedTokenBucketLimiter` shared by every provider process of a run.
   */
  readonly minuteLimiter?: ILimiter;
  /**
   * Share the per-minute bucket with every process on this machine (a file below `dir`, see
   * src/auth/shared-budget.ts), keyed by a one-way hash of the key. Ignored with `minuteLimiter`.
   */
  readonly sharedBudget?: { readonly dir?: string; readonly logger?: Logger };
  /** @default 30000 */
  readonly timeoutMs?: number;
  /** Retries of a failed idempotent call. @default 3 */
  readonly maxRetries?: number;
}

/**
 * The per-minute bucket as a budget shared across processes. The file is named by a hash of a
 * hash of the key (the key is 178 random bits: the name reveals nothing), so it stays one bucket
 * per key; a refill ratio of 0 means a plain 60 s window.
 */
function sharedMinuteLimiter(apiKey: string, limit: number, refillPerSecond: number, clock: IClock, shared: { dir?: string; logger?: Logger }): ILimiter {
  const keyId = createHash('sha256').update(`threatjammer-key\n${apiKey}`).digest('hex');
  const common = { vendor: VENDOR, keyId, clock, ...(shared.dir ? { dir: shared.dir } : {}), ...(shared.logger ? { logger: shared.logger } : {}) };
  if (refillPerSecond > 0 && Number.isInteger(refillPerSecond)) {
    return new SharedTokenBucketLimiter({
      ...common,
      capacity: limit,
      refillPerTick: refillPerSecond,
      describe: `${limit} calls, ${refillPerSecond} back per second`,
    });
  }
  return new SharedWindowLimiter({ ...common, limit, windowMs: 60_000, describe: `${limit} calls per minute` });
}

function lostAnswer(err: unknown): boolean {
  return ApiAccessError.isApiAccessError(err) && (err.code === APIACCESS_NETWORK_ERROR || err.code === APIACCESS_TIMEOUT);
}

/** The retry policy: the shared default, except that a 429 asking for more than a minute is not waited for. */
function retryPolicy(clock: IClock, maxRetries: number): RetryPolicy {
  const base = createDefaultRetryPolicy({ maxRetries, maxRetryAfterMs: MAX_RETRY_AFTER_MS });
  return (ctx) => {
    if (ctx.statusCode === 429) {
      const waitMs = parseRetryAfter(ctx.headers?.['retry-after'], clock.now());
      if (waitMs !== null && waitMs > MAX_RETRY_AFTER_MS) return null;
    }
    return base(ctx);
  };
}

/** True when a 401 says the `Bearer` prefix was missing: the sender's fault, never the key's. */
function missingBearer(res: HttpResponse): boolean {
  if (res.status !== 401) return false;
  try {
    const detail = res.json<ThreatJammerErrorBody>().detail;
    return typeof detail === 'string' && /bearer/i.test(detail) && /prefix/i.test(detail);
  } catch {
    return false;
  }
}

/** Throws the vendor's answer as an ApiAccessError (401 → UNAUTHORIZED, 429 → RATE_LIMITED, 422 → VENDOR_REJECTED …). */
export function threatJammerError(res: HttpResponse, what: string): ApiAccessError {
  if (missingBearer(res)) {
    // The key may be fine: what reached Threat Jammer was not "Bearer <key>". Not the user's to fix in the key.
    return new ApiAccessError(
      APIACCESS_BAD_RESPONSE,
      `${what}: Threat Jammer received the Authorization header without its "Bearer" prefix. The provider always sends "Bearer <key>", ` +
        'so the header was changed on the way (a proxy between the provider and Threat Jammer?) or this is a fault in the provider; the API key itself was not judged.',
      { status: 401 },
    );
  }
  const err = httpError(VENDOR, res, what);
  if (res.status === 422) {
    let body: ThreatJammerErrorBody = {};
    try {
      body = res.json<ThreatJammerErrorBody>();
    } catch {
      // not JSON: no field to name
    }
    const loc = Array.isArray(body.detail) ? body.detail[0]?.loc : undefined;
    const field = loc?.[loc.length - 1];
    if (typeof field === 'string') Object.defineProperty(err, 'field', { value: field, enumerable: true });
  }
  return err;
}

function badResponse(what: string, problem: string, status: number): ApiAccessError {
  return new ApiAccessError(APIACCESS_BAD_RESPONSE, `${what}: Threat Jammer answered ${status} with ${problem}.`, { status });
}

function jsonObject(res: HttpResponse, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = res.json<unknown>();
  } catch {
    throw badResponse(what, 'a body that is not JSON', res.status);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badResponse(what, 'a body that is not a JSON object', res.status);
  return v as Record<string, unknown>;
}

const TOKEN_INTEGERS = [
  'last_month_bucket_init_value',
  'last_month_bucket_value',
  'last_month_bucket_refresh',
  'last_minute_bucket_init_value',
  'last_minute_bucket_refill_ratio',
  'last_minute_bucket_value',
  'last_minute_bucket_refresh',
  'created_at',
  'updated_at',
] as const;

function toToken(body: Record<string, unknown>, what: string, status: number): ThreatJammerToken {
  for (const name of TOKEN_INTEGERS) {
    const v = body[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw badResponse(what, `"${name}" missing or not a non-negative integer`, status);
  }
  if (typeof body.region_id !== 'string') throw badResponse(what, '"region_id" missing', status);
  if (body.status !== 'ENABLED' && body.status !== 'DISABLED') throw badResponse(what, '"status" neither ENABLED nor DISABLED', status);
  const t = body as unknown as TokenOutput;
  return {
    self: typeof t.self === 'string' ? t.self : '',
    regionId: t.region_id,
    status: t.status,
    createdAtMs: t.created_at,
    updatedAtMs: t.updated_at,
    month: { limit: t.last_month_bucket_init_value, used: t.last_month_bucket_value, resetsAtMs: t.last_month_bucket_refresh },
    minute: {
      limit: t.last_minute_bucket_init_value,
      used: t.last_minute_bucket_value,
      resetsAtMs: t.last_minute_bucket_refresh,
      refillPerSecond: t.last_minute_bucket_refill_ratio,
    },
  };
}

/** Makes sense of `GET /v1/token`: the key's state and quotas, or a coded error. */
export function processTokenResponse(res: HttpResponse): ThreatJammerToken {
  const what = 'Reading the Threat Jammer API key';
  if (res.status !== 200) throw threatJammerError(res, `${what} failed`);
  return toToken(jsonObject(res, what), what, res.status);
}

/** Makes sense of `POST /v1/token/regenerate` (PROPOSED): the new key and its state. */
export function processRegenerateResponse(res: HttpResponse): RegeneratedKey {
  const what = 'Regenerating the Threat Jammer API key';
  if (res.status !== 200) throw threatJammerError(res, `${what} failed`);
  const body = jsonObject(res, what);
  const apiKey = (body as Partial<RegeneratedTokenOutput>).api_key;
  if (typeof apiKey === 'string') registerSecret(apiKey);
  try {
    assertBearerKey(apiKey, THREATJAMMER_KEY_FORMAT);
  } catch {
    throw badResponse(what, 'no "api_key" of the documented shape', res.status);
  }
  return { apiKey, token: toToken(body, what, res.status) };
}

/** Makes sense of `GET /v1/token/activity`. */
export function processActivityResponse(res: HttpResponse): ThreatJammerActivityPage {
  const what = 'Reading the Threat Jammer key activity';
  if (res.status !== 200) throw threatJammerError(res, `${what} failed`);
  const body = jsonObject(res, what) as Partial<ActivityPageOutput>;
  if (!Number.isInteger(body.page) || !Number.isInteger(body.page_size) || !Array.isArray(body.activities)) {
    throw badResponse(what, 'no "page", "page_size" and "activities"', res.status);
  }
  return {
    page: body.page as number,
    pageSize: body.page_size as number,
    activities: body.activities.map((a) => {
      if (typeof a?.event !== 'string' || typeof a.created_at !== 'number') throw badResponse(what, 'an activity without "event" or "created_at"', res.status);
      return { event: a.event, description: a.description, data: a.data ?? {}, source: a.source, createdAtMs: a.created_at };
    }),
  };
}

/** Makes sense of an answer that should be `expected` with no body to read (`/test`, enable, disable). */
export function processEmptyResponse(res: HttpResponse, expected: number, what: string): void {
  if (res.status !== expected) throw threatJammerError(res, `${what} failed`);
}

/** The Threat Jammer API key of one user. */
export class ThreatJammerClient {
  private key: string;
  /** Metered calls: limiter, retry, Bearer. */
  private readonly metered: HttpClient;
  /** Unmetered calls (`/test`, the key lifecycle): retry and Bearer only. */
  private readonly plain: HttpClient;
  private readonly budget: MonthlyBudget;
  private readonly clock: IClock;

  constructor(config: ThreatJammerClientConfig) {
    assertArgument(typeof config === 'object' && config !== null, 'threatjammer config', 'must be an object with "apiKey".');
    if (typeof config.apiKey === 'string') registerSecret(config.apiKey);
    assertBearerKey(config.apiKey, THREATJAMMER_KEY_FORMAT);
    const minuteLimit = config.minuteLimit ?? 10;
    const refillPerSecond = config.refillPerSecond ?? 1;
    assertArgument(Number.isInteger(minuteLimit) && minuteLimit > 0, 'threatjammer minute_limit', 'must be a positive integer.');
    assertArgument(Number.isFinite(refillPerSecond) && refillPerSecond >= 0, 'threatjammer refill_per_second', 'must be a non-negative number.');
    this.key = config.apiKey;
    this.clock = config.clock ?? systemClock;
    const clock = this.clock;
    const root = config.dispatcher ?? createDefaultDispatcher();
    const registry = config.limiters ?? defaultLimiterRegistry;
    const minute: ILimiter =
      config.minuteLimiter ??
      (config.sharedBudget ? sharedMinuteLimiter(config.apiKey, minuteLimit, refillPerSecond, clock, config.sharedBudget) : undefined) ??
      registry.get(limiterKey(VENDOR, config.apiKey, String(minuteLimit), String(refillPerSecond)), () =>
        refillPerSecond > 0
          ? new TokenBucketLimiter({ capacity: minuteLimit, refillPerSecond, clock })
          : new SlidingWindowLimiter({ limit: minuteLimit, windowMs: 60_000, clock }),
      );
    this.budget = new MonthlyBudget(clock);
    const auth = createBearerKeyInterceptor({ apiKey: () => this.key, format: THREATJAMMER_KEY_FORMAT });
    const retry = createRetryInterceptor({ clock, maxRetries: config.maxRetries ?? 3, shouldRetry: retryPolicy(clock, config.maxRetries ?? 3) });
    const baseUrl = (config.baseUrl ?? THREATJAMMER_DEFAULT_BASE_URL).replace(/\/+$/, '');
    const timeoutMs = config.timeoutMs ?? 30_000;
    this.metered = new HttpClient({
      baseUrl,
      vendor: VENDOR,
      timeoutMs,
      dispatcher: composeDispatcher(root, { retry, rateLimit: createRateLimitInterceptor([this.budget, minute]), auth }),
    });
    this.plain = new HttpClient({ baseUrl, vendor: VENDOR, timeoutMs, dispatcher: composeDispatcher(root, { retry, auth }) });
  }

  /** The key the client sends now (the configured one, or the one a regeneration returned). */
  currentKey(): string {
    return this.key;
  }

  /** Calls left this month as the vendor last reported them, or undefined before the first report. */
  monthlyCallsLeft(): number | undefined {
    return this.budget.remaining();
  }

  /** Sends `GET /v1/token` (metered) and returns the raw answer. */
  tokenRequest(signal?: AbortSignal): Promise<HttpResponse> {
    return this.metered.request({ method: 'GET', path: '/v1/token', signal });
  }

  /** The key's state and quotas. The values are those before this call was counted. */
  async readToken(signal?: AbortSignal): Promise<ThreatJammerToken> {
    const res = await this.observe(await this.tokenRequest(signal));
    const token = processTokenResponse(res);
    // This call counted too: the vendor reports the buckets as they stood before it.
    this.budget.report(token.month.limit, token.month.used + 1, token.month.resetsAtMs);
    return token;
  }

  /** A page of the key's activity, newest first (metered). */
  async listActivity(options: { page?: number; pageSize?: number } = {}, signal?: AbortSignal): Promise<ThreatJammerActivityPage> {
    const page = options.page ?? 1;
    const pageSize = options.pageSize ?? 20;
    assertArgument(Number.isInteger(page) && page >= 1, '"page"', 'must be an integer of at least 1.');
    assertArgument(Number.isInteger(pageSize) && pageSize >= 1, '"pageSize"', 'must be an integer of at least 1.');
    const res = await this.metered.request({ method: 'GET', path: '/v1/token/activity', query: { page, page_size: pageSize }, signal });
    return processActivityResponse(await this.observe(res));
  }

  /** Resolves when the key is valid and enabled (`GET /test`, not metered). */
  async test(signal?: AbortSignal): Promise<void> {
    processEmptyResponse(await this.plain.request({ method: 'GET', path: '/test', signal }), 200, 'Testing the Threat Jammer API key');
  }

  /** Disables the key (PROPOSED `PUT /v1/token/disable`); it then answers 401 except on `GET /v1/token`. */
  async disableKey(signal?: AbortSignal): Promise<void> {
    processEmptyResponse(await this.plain.request({ method: 'PUT', path: '/v1/token/disable', signal }), 204, 'Disabling the Threat Jammer API key');
  }

  /** Enables the key again (PROPOSED `PUT /v1/token/enable`). */
  async enableKey(signal?: AbortSignal): Promise<void> {
    processEmptyResponse(await this.plain.request({ method: 'PUT', path: '/v1/token/enable', signal }), 204, 'Enabling the Threat Jammer API key');
  }

  /**
   * Replaces the key (PROPOSED `POST /v1/token/regenerate`) and uses the new one from now on.
   * The old key answers 401 afterwards. Safe to call again after a lost answer: before sending
   * again, the client asks with the old key whether it still works. If it does, nothing happened
   * and the request is sent once more; if it does not, the key was replaced and the new one was
   * in the lost answer, which the error says (APIACCESS_UNAUTHORIZED).
   */
  async regenerateKey(signal?: AbortSignal): Promise<RegeneratedKey> {
    const send = (): Promise<HttpResponse> => this.plain.request({ method: 'POST', path: '/v1/token/regenerate', signal });
    let res: HttpResponse;
    try {
      res = await send();
    } catch (err) {
      if (!lostAnswer(err)) throw err;
      const probe = await this.plain.request({ method: 'GET', path: '/test', signal });
      if (probe.status === 401) {
        throw new ApiAccessError(
          APIACCESS_UNAUTHORIZED,
          'Regenerating the Threat Jammer API key: the answer was lost after the key had been replaced. The old key no longer works, ' +
            'and the new one was only in the lost answer: read it on the API keys page of the Threat Jammer website.',
          { cause: err, status: 401 },
        );
      }
      if (probe.status !== 200) throw threatJammerError(probe, 'Regenerating the Threat Jammer API key: checking the old key after a lost answer failed');
      res = await send();
    }
    const out = processRegenerateResponse(res);
    this.key = out.apiKey;
    return out;
  }

  /** Learns from a monthly 429, so that later calls are refused locally until the reset. */
  private async observe(res: HttpResponse): Promise<HttpResponse> {
    if (res.status === 429) {
      const waitMs = parseRetryAfter(res.headers['retry-after'], this.clock.now());
      if (waitMs !== null && waitMs > MAX_RETRY_AFTER_MS) this.budget.exhausted(Math.ceil(waitMs / 1000));
    }
    return res;
  }
}
