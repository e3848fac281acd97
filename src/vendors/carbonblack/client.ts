/**
 * Typed client for Carbon Black Cloud API keys (the PROPOSED v6 routes
 * `/appservices/v6/orgs/{org_key}/api_keys…`), built on the shared HTTP module:
 *
 *   retry → rate limit (25 calls / 5 min + 1 s margin, one limiter per API ID for the whole process)
 *         → X-Auth-Token (`<API Secret Key>/<API ID>`) → network
 *
 * Every method is split in two, so the answer handling can be tested without a server: it sends with {@link HttpClient.request} and makes
 * sense of the answer with one of the exported `process…` functions, which check the status, the
 * vendor's `success` flag and the shape, and turn anything else into a coded ApiAccessError.
 *
 * Creates carry the caller's idempotency key (`Idempotency-Key`, see the README): the vendor answers
 * a repeat with the first answer (secret included), so the retry layer may send a create again after
 * a lost answer. The client never looks a key up by name to guess what a create made.
 */
import { composeDispatcher, createDefaultDispatcher } from '../../auth/compose';
import { HttpClient, httpError, path, type HttpResponse } from '../../auth/http';
import { createRateLimitInterceptor, defaultLimiterRegistry, type LimiterRegistry, limiterKey, SlidingWindowLimiter } from '../../auth/rate-limit';
import { createRetryInterceptor, type RetryOptions } from '../../auth/retry';
import { assertXAuthTokenPart, createXAuthTokenInterceptor } from '../../auth/x-auth-token';
import { type IClock, systemClock } from '../../core/clock';
import { APIACCESS_BAD_RESPONSE, APIACCESS_VENDOR_REJECTED, ApiAccessError, assertArgument } from '../../core/errors';
import type { Logger } from '../../core/log';
import { registerSecret } from '../../core/redact';
import { ACCESS_LEVEL_TYPES, type ApiKey, type ApiKeyWithSecret, type CreateApiKeyInput, type UpdateApiKeyInput } from './types';

/** Vendor name in errors, logs and limiter keys. */
export const CARBONBLACK_VENDOR = 'carbonblack';
/** Calls per window per API key. */
export const CARBONBLACK_RATE_LIMIT = 25;
/** The rate-limit window: 5 minutes. */
export const CARBONBLACK_RATE_WINDOW_MS = 5 * 60 * 1000;
/**
 * Added to the client's window. The vendor counts a call when it arrives, the client's limiter
 * when it leaves; if an old call travelled slower than the call that replaces it in the window,
 * an exact 5-minute window would draw a 429. One second absorbs ordinary differences in latency.
 */
export const CARBONBLACK_RATE_SAFETY_MARGIN_MS = 1000;
/**
 * Default time for one call, including its wait for the rate limiter (the shared HttpClient starts
 * its timer before the interceptors run): one full window plus 30 seconds.
 */
export const CARBONBLACK_DEFAULT_TIMEOUT_MS = CARBONBLACK_RATE_WINDOW_MS + 30_000;

/** An undici Dispatcher, named through src/auth (vendor clients do not import undici). */
export type CarbonBlackDispatcher = Parameters<typeof composeDispatcher>[0];

/** Settings of {@link CarbonBlackClient}. */
export interface CarbonBlackClientConfig {
  /** The environment's API host, e.g. `https://defense.conferdeploy.net`, or `<sandbox>/carbonblack`. */
  readonly baseUrl: string;
  /** The org key (e.g. `ABCD1234`), used in the v6 paths. */
  readonly orgKey: string;
  /** The API Secret Key of the managing key (a CUSTOM key whose access level may manage API keys). */
  readonly apiSecretKey: string;
  /** The API ID of the managing key. */
  readonly apiId: string;
  /** Base dispatcher. @default createDefaultDispatcher() (an undici Agent) */
  readonly dispatcher?: CarbonBlackDispatcher;
  /** Clock of the rate limiter and the retry waits. @default systemClock */
  readonly clock?: IClock;
  /**
   * Where the per-API-ID limiter lives. Clients sharing a registry (the process-wide default) and
   * an API ID share one budget. The first client to use an API ID fixes the limiter's clock.
   * @default defaultLimiterRegistry
   */
  readonly limiterRegistry?: LimiterRegistry;
  /**
   * Extra milliseconds on top of the 5-minute window in the client's limiter (only used by the
   * client that creates the API ID's limiter). @default CARBONBLACK_RATE_SAFETY_MARGIN_MS
   */
  readonly rateLimitSafetyMarginMs?: number;
  /** Retry settings (the clock defaults to `clock`). @default the shared defaults */
  readonly retry?: RetryOptions;
  /** @default CARBONBLACK_DEFAULT_TIMEOUT_MS */
  readonly timeoutMs?: number;
  readonly logger?: Logger;
}

// ---------------------------------------------------------------------------------------------
// Make sense of the reply.
// ---------------------------------------------------------------------------------------------

const HINT_401 =
  "the API Secret Key / API ID pair is wrong or was regenerated, the key's access level does not open this route " +
  "(managing API keys needs a CUSTOM key whose access level allows it), the caller's IP is outside the key's allow-list, " +
  'or the key belongs to another org';

/** The ApiAccessError for an answer with an unexpected status, with a hint for the statuses Carbon Black documents. */
export function carbonBlackError(res: HttpResponse, what: string): ApiAccessError {
  const hint =
    res.status === 401
      ? ` (Carbon Black answers 401 when ${HINT_401})`
      : res.status === 429
        ? ` (Carbon Black allows ${CARBONBLACK_RATE_LIMIT} calls per 5 minutes per API key)`
        : '';
  return httpError(CARBONBLACK_VENDOR, res, `${what}${hint}`);
}

/**
 * Checks an answer: status in `expected`, a JSON object body, `success: true`. Returns the body.
 * A 2xx with `success` other than true is APIACCESS_VENDOR_REJECTED (the vendor says "read the
 * rest only when success is true"); a body without the flag is APIACCESS_BAD_RESPONSE.
 */
export function processEnvelope(res: HttpResponse, what: string, expected: readonly number[] = [200]): Record<string, unknown> {
  if (!expected.includes(res.status)) throw carbonBlackError(res, what);
  let body: unknown;
  try {
    body = res.json<unknown>();
  } catch (err) {
    throw new ApiAccessError(APIACCESS_BAD_RESPONSE, `${what}: Carbon Black answered HTTP ${res.status} with a body that is not JSON.`, {
      status: res.status,
      cause: err,
    });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiAccessError(APIACCESS_BAD_RESPONSE, `${what}: Carbon Black answered HTTP ${res.status} with a body that is not a JSON object.`, {
      status: res.status,
    });
  }
  const record = body as Record<string, unknown>;
  if (typeof record.success !== 'boolean') {
    throw new ApiAccessError(APIACCESS_BAD_RESPONSE, `${what}: Carbon Black's answer has no "success" flag.`, { status: res.status });
  }
  if (!record.success) {
    const said = typeof record.message === 'string' ? `: ${record.message}` : '';
    throw new ApiAccessError(APIACCESS_VENDOR_REJECTED, `${what}: Carbon Black answered HTTP ${res.status} with success: false${said}`, { status: res.status });
  }
  return record;
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** The API key fields of `v` (nothing else), or undefined when `v` is not an API key. */
function apiKeyOf(v: unknown): ApiKey | undefined {
  const r = v as Record<string, unknown> | null;
  if (typeof r !== 'object' || r === null) return undefined;
  const ok =
    typeof r.api_id === 'string' &&
    r.api_id !== '' &&
    typeof r.name === 'string' &&
    typeof r.description === 'string' &&
    ACCESS_LEVEL_TYPES.includes(r.access_level_type as ApiKey['access_level_type']) &&
    (r.custom_access_level_id === null || Number.isInteger(r.custom_access_level_id)) &&
    isStringArray(r.allowed_ip_addresses) &&
    typeof r.create_time === 'string' &&
    typeof r.update_time === 'string';
  if (!ok) return undefined;
  return {
    api_id: r.api_id as string,
    name: r.name as string,
    description: r.description as string,
    access_level_type: r.access_level_type as ApiKey['access_level_type'],
    custom_access_level_id: r.custom_access_level_id as number | null,
    allowed_ip_addresses: [...(r.allowed_ip_addresses as string[])],
    create_time: r.create_time as string,
    update_time: r.update_time as string,
  };
}

function unexpectedShape(what: string, res: HttpResponse): ApiAccessError {
  return new ApiAccessError(APIACCESS_BAD_RESPONSE, `${what}: Carbon Black answered with an unexpected shape.`, { status: res.status });
}

/** `GET …/api_keys` → the keys. */
export function processApiKeyListResponse(res: HttpResponse, what = 'Listing Carbon Black API keys failed'): ApiKey[] {
  const body = processEnvelope(res, what);
  if (!Array.isArray(body.api_keys)) throw unexpectedShape(what, res);
  return body.api_keys.map((item) => {
    const key = apiKeyOf(item);
    if (!key) throw unexpectedShape(what, res);
    return key;
  });
}

/** `GET|PUT …/api_keys/{id}` → the key (any secret in the answer is ignored). */
export function processApiKeyResponse(res: HttpResponse, what: string): ApiKey {
  const key = apiKeyOf(processEnvelope(res, what));
  if (!key) throw unexpectedShape(what, res);
  return key;
}

/** `POST …/api_keys` (201) and `POST …/_regenerate` (200) → the key with its secret, registered for redaction. */
export function processApiKeyWithSecretResponse(res: HttpResponse, what: string, expected: readonly number[]): ApiKeyWithSecret {
  const body = processEnvelope(res, what, expected);
  const key = apiKeyOf(body);
  const secret = body.api_secret_key;
  if (typeof secret === 'string') registerSecret(secret);
  if (!key || typeof secret !== 'string' || secret === '') throw unexpectedShape(what, res);
  return { ...key, api_secret_key: secret };
}

// ---------------------------------------------------------------------------------------------
// Local checks.
// ---------------------------------------------------------------------------------------------

function checkKeyFields(input: UpdateApiKeyInput, required: boolean): void {
  assertArgument(typeof input === 'object' && input !== null, '"input"', 'must be an object.');
  if (required || input.name !== undefined) assertArgument(typeof input.name === 'string' && input.name.trim() !== '', 'name', 'must be a non-empty string.');
  if (input.description !== undefined) assertArgument(typeof input.description === 'string', 'description', 'must be a string.');
  if (required || input.access_level_type !== undefined) {
    assertArgument(
      ACCESS_LEVEL_TYPES.includes(input.access_level_type as ApiKey['access_level_type']),
      'access_level_type',
      `must be one of ${ACCESS_LEVEL_TYPES.join(', ')}.`,
    );
  }
  if (input.custom_access_level_id !== undefined && input.custom_access_level_id !== null) {
    assertArgument(Number.isInteger(input.custom_access_level_id), 'custom_access_level_id', 'must be an integer or null.');
  }
  if (input.allowed_ip_addresses !== undefined)
    assertArgument(isStringArray(input.allowed_ip_addresses), 'allowed_ip_addresses', 'must be an array of strings.');
}

// ---------------------------------------------------------------------------------------------
// The client.
// ---------------------------------------------------------------------------------------------

/** Carbon Black Cloud API-key management. */
export class CarbonBlackClient {
  private readonly http: HttpClient;
  private readonly clock: IClock;
  private readonly orgKey: string;
  private readonly apiId: string;
  /** The current secret; replaced when this client regenerates its own key. */
  private secret: string;

  constructor(config: CarbonBlackClientConfig) {
    assertArgument(typeof config === 'object' && config !== null, '"config"', 'must be an object.');
    assertArgument(
      typeof config.orgKey === 'string' && /^[A-Za-z0-9]+$/.test(config.orgKey),
      'orgKey',
      'must be the org key, letters and digits only (e.g. ABCD1234).',
    );
    if (typeof config.apiSecretKey === 'string') registerSecret(config.apiSecretKey);
    assertXAuthTokenPart(config.apiSecretKey, 'apiSecretKey');
    assertXAuthTokenPart(config.apiId, 'apiId');
    this.clock = config.clock ?? systemClock;
    this.orgKey = config.orgKey;
    this.apiId = config.apiId;
    this.secret = config.apiSecretKey;
    const margin = config.rateLimitSafetyMarginMs ?? CARBONBLACK_RATE_SAFETY_MARGIN_MS;
    assertArgument(Number.isFinite(margin) && margin >= 0, 'rateLimitSafetyMarginMs', 'must be a non-negative number of milliseconds.');
    const registry = config.limiterRegistry ?? defaultLimiterRegistry;
    const limiter = registry.get(
      limiterKey(CARBONBLACK_VENDOR, config.apiId),
      () => new SlidingWindowLimiter({ limit: CARBONBLACK_RATE_LIMIT, windowMs: CARBONBLACK_RATE_WINDOW_MS + margin, clock: this.clock }),
    );
    const dispatcher = composeDispatcher(config.dispatcher ?? createDefaultDispatcher(), {
      retry: createRetryInterceptor({ clock: this.clock, ...(config.retry ?? {}) }),
      rateLimit: createRateLimitInterceptor(limiter),
      auth: createXAuthTokenInterceptor({ apiSecretKey: () => this.secret, apiId: config.apiId }),
    });
    this.http = new HttpClient({
      baseUrl: config.baseUrl,
      dispatcher,
      vendor: CARBONBLACK_VENDOR,
      timeoutMs: config.timeoutMs ?? CARBONBLACK_DEFAULT_TIMEOUT_MS,
      ...(config.logger ? { logger: config.logger } : {}),
    });
  }

  private keysPath(): string {
    return path`/appservices/v6/orgs/${this.orgKey}/api_keys`;
  }

  private keyPath(apiId: string): string {
    assertArgument(typeof apiId === 'string' && apiId !== '', 'api_id', 'must be a non-empty string.');
    return path`/appservices/v6/orgs/${this.orgKey}/api_keys/${apiId}`;
  }

  /** Every API key of the org (without secrets). */
  async listApiKeys(signal?: AbortSignal): Promise<ApiKey[]> {
    const res = await this.http.request({ method: 'GET', path: this.keysPath(), signal });
    return processApiKeyListResponse(res);
  }

  /** The key, or null when there is none with this API ID. */
  async getApiKey(apiId: string, signal?: AbortSignal): Promise<ApiKey | null> {
    const res = await this.http.request({ method: 'GET', path: this.keyPath(apiId), signal });
    if (res.status === 404) return null;
    return processApiKeyResponse(res, `Reading Carbon Black API key ${apiId} failed`);
  }

  /** The key with exactly this name (names are unique in an org), or undefined. */
  async findApiKeyByName(name: string, signal?: AbortSignal): Promise<ApiKey | undefined> {
    return (await this.listApiKeys(signal)).find((k) => k.name === name);
  }

  /**
   * Creates a key and returns it with its secret (shown once; a repeat under the same
   * `idempotencyKey` replays it). A name already in use is APIACCESS_CONFLICT.
   */
  async createApiKey(input: CreateApiKeyInput, signal?: AbortSignal, idempotencyKey?: string): Promise<ApiKeyWithSecret> {
    checkKeyFields(input, true);
    const res = await this.http.request({ method: 'POST', path: this.keysPath(), body: input, signal, idempotencyKey });
    return processApiKeyWithSecretResponse(res, `Creating Carbon Black API key "${input.name}" failed`, [201]);
  }

  /** Changes name, description, access level or IP allow-list; fields left out stay as they are. */
  async updateApiKey(apiId: string, input: UpdateApiKeyInput, signal?: AbortSignal): Promise<ApiKey> {
    checkKeyFields(input, false);
    assertArgument(
      Object.values(input).some((v) => v !== undefined),
      '"input"',
      'must change at least one field.',
    );
    const res = await this.http.request({ method: 'PUT', path: this.keyPath(apiId), body: input, signal });
    return processApiKeyResponse(res, `Updating Carbon Black API key ${apiId} failed`);
  }

  /** Deletes the key; false when it was already gone. */
  async deleteApiKey(apiId: string, signal?: AbortSignal): Promise<boolean> {
    const res = await this.http.request({ method: 'DELETE', path: this.keyPath(apiId), signal });
    if (res.status === 404) return false;
    processEnvelope(res, `Deleting Carbon Black API key ${apiId} failed`);
    return true;
  }

  /**
   * Replaces the key's secret ("Generate New Credentials"); the old one stops working at once. Sent
   * as retryable: repeating a regenerate whose answer was lost is harmless (the lost secret is
   * unusable anyway). Regenerating this client's own key switches the client to the new secret.
   */
  async regenerateApiKey(apiId: string, signal?: AbortSignal): Promise<ApiKeyWithSecret> {
    const res = await this.http.request({ method: 'POST', path: `${this.keyPath(apiId)}/_regenerate`, signal, idempotent: true });
    const key = processApiKeyWithSecretResponse(res, `Regenerating the secret of Carbon Black API key ${apiId} failed`, [200]);
    if (apiId === this.apiId) this.secret = key.api_secret_key;
    return key;
  }
}
