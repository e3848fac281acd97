/**
 * Typed client for Silobreaker. Two ways in, as the vendor has them:
 *
 * - API key + shared key: every data call is signed by the HMAC digest interceptor
 *   (`apiKey` and `digest` query parameters).
 * - Username + password: a forms-auth cookie session (login with the vendor's growing delays,
 *   logout, login status, password change), which the PROPOSED API-key management routes require.
 *
 * Both paths go through the shared order of `composeDispatcher` (retry → rate limit → auth). Creates
 * carry the caller's idempotency key (`Idempotency-Key`, see the README): a repeat gets the first
 * answer replayed (the shared key included), so the retry layer may send a create again after a lost
 * answer. The client never deletes or adopts a key by its Description.
 */
import { composeDispatcher, createDefaultDispatcher } from '../../auth/compose';
import { CookieSession, createCookieSessionInterceptor, type LoginStatus, type LogoutStatus } from '../../auth/cookie-session';
import { createHmacDigestInterceptor, requestDigest, type DigestAlgorithm } from '../../auth/hmac-digest';
import { HttpClient, httpError, path, type HttpRequest, type HttpResponse } from '../../auth/http';
import { createRateLimitInterceptor, limiterFor, limiterKey, TokenBucketLimiter, type ILimiter } from '../../auth/rate-limit';
import { createRetryInterceptor } from '../../auth/retry';
import { SILOBREAKER_DIGEST, SILOBREAKER_SESSION_PATHS } from './auth-params';
import { systemClock, type IClock } from '../../core/clock';
import { APIACCESS_BAD_RESPONSE, APIACCESS_CONFIG_MISSING, APIACCESS_INVALID_ARGUMENT, ApiAccessError, assertArgument } from '../../core/errors';
import { redact, registerSecret } from '../../core/redact';
import type { ApiKeyInfo, CreateApiKeyInput, CreatedApiKey, DocumentSearchResult } from './types';

/** The production API host. */
const SILOBREAKER_DEFAULT_BASE_URL = 'https://api.silobreaker.com';
/** The vendor's name in messages and limiter keys. */
const VENDOR = 'silobreaker';

/** The base dispatcher type, without importing undici here. */
type BaseDispatcher = Parameters<typeof composeDispatcher>[0];

/** Settings of {@link SilobreakerClient}. Give an API key pair, a user, or both. */
export interface SilobreakerClientConfig {
  /** API host, e.g. https://api.silobreaker.com or `<sandbox>/silobreaker`. @default SILOBREAKER_DEFAULT_BASE_URL */
  readonly baseUrl?: string;
  /** Public API key (`apiKey` parameter). Needs `sharedKey`. */
  readonly apiKey?: string;
  /** The secret the digests are made with. */
  readonly sharedKey?: string;
  /** @default 'sha1' (the documented one) */
  readonly digestAlgorithm?: DigestAlgorithm;
  /** User for the cookie session. Needs `password`. */
  readonly username?: string;
  readonly password?: string;
  /** Longest login delay the client waits out by itself. @default 60 */
  readonly maxLoginWaitSeconds?: number;
  /** Login attempts per login. @default 2 */
  readonly maxLoginAttempts?: number;
  /** Network end of the dispatchers. @default a keep-alive undici Agent */
  readonly dispatcher?: BaseDispatcher;
  /** Clock for login delays, backoff and pacing. @default systemClock */
  readonly clock?: IClock;
  /**
   * Pacing (undocumented by the vendor; a partner integration paces 0.5 s apart). @default a token
   * bucket of 10 calls refilled at 2 per second, shared process-wide per credential (private to the
   * client when a custom clock is given).
   */
  readonly limiter?: ILimiter;
  /** @default 30000 */
  readonly timeoutMs?: number;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isApiKeyInfo(v: unknown): v is ApiKeyInfo {
  return isObj(v) && typeof v.ApiKey === 'string' && v.ApiKey !== '' && typeof v.Description === 'string' && typeof v.Created === 'string';
}

function isCreatedApiKey(v: unknown): v is CreatedApiKey {
  const sharedKey = isApiKeyInfo(v) ? (v as unknown as Record<string, unknown>).SharedKey : undefined;
  return typeof sharedKey === 'string' && sharedKey !== '';
}

function isSearchResult(v: unknown): v is DocumentSearchResult {
  return isObj(v) && Array.isArray(v.Items) && typeof v.TotalCount === 'number' && v.Items.every((d) => isObj(d) && typeof d.Id === 'string');
}

/** Input of {@link signedUrl}. */
export interface SignedUrlInput {
  /** The HTTP method as it is sent, e.g. GET or POST. */
  readonly method: string;
  /** The absolute URL as it is sent, query included, without apiKey and digest. */
  readonly url: string;
  readonly apiKey: string;
  readonly sharedKey: string;
  /** The exact body that will be sent (POST/PUT); null or empty for none. */
  readonly body?: string | null;
}

function badInput(field: string, message: string): never {
  throw new ApiAccessError(APIACCESS_INVALID_ARGUMENT, message, { field });
}

/**
 * The URL with `apiKey` and the `%`-encoded digest appended, exactly as Silobreaker checks it: the
 * digest covers `"<method> <url>"` as given (nothing is re-encoded or reordered) followed by the
 * body's UTF-8 bytes. Pure. Problems name the input (`method`, `url`, `api_key`, `shared_key`).
 */
export function signedUrl(input: SignedUrlInput): string {
  const { method, url, apiKey, sharedKey } = input;
  const body = input.body ?? '';
  if (typeof method !== 'string' || !/^[A-Z]+$/.test(method)) badInput('method', 'method must be an HTTP method in capitals, e.g. "GET" or "POST".');
  if (typeof url !== 'string' || !/^https?:\/\/[^/?#\s]+/.test(url))
    badInput('url', 'url must be an absolute http(s) URL, e.g. "https://api.silobreaker.com/search/documents/Sweden".');
  if (!/^[\x21-\x7e]+$/.test(url)) badInput('url', 'url must be written as it is sent: percent-encode spaces and non-ASCII characters.');
  if (url.includes('#')) badInput('url', 'url must not carry a fragment (#...): it is not sent, so it cannot be signed.');
  if (/[?&]$/.test(url)) badInput('url', 'url must not end with "?" or "&".');
  const q = url.indexOf('?');
  const names =
    q < 0
      ? []
      : url
          .slice(q + 1)
          .split('&')
          .map((part) => part.split('=', 1)[0]);
  if (names.includes('apiKey') || names.includes('digest')) badInput('url', 'url must not carry apiKey or digest parameters yet; the function appends them.');
  if (typeof apiKey !== 'string' || apiKey === '') badInput('api_key', 'api_key must not be empty.');
  if (typeof sharedKey !== 'string' || sharedKey === '') badInput('shared_key', 'shared_key must not be empty.');
  registerSecret(sharedKey);
  const digest = requestDigest(method, url, body, sharedKey, SILOBREAKER_DIGEST.algorithm);
  return `${url}${q < 0 ? '?' : '&'}${SILOBREAKER_DIGEST.keyParam}=${encodeURIComponent(apiKey)}&${SILOBREAKER_DIGEST.digestParam}=${encodeURIComponent(digest)}`;
}

/** Silobreaker API keys, cookie session and a signed document search. */
export class SilobreakerClient {
  /** The cookie session (undefined without username/password). */
  readonly session: CookieSession | undefined;
  /** The session's user name (undefined without one). */
  readonly username: string | undefined;
  private readonly dataHttp: HttpClient | undefined;
  private readonly sessionHttp: HttpClient | undefined;

  constructor(config: SilobreakerClientConfig) {
    const baseUrl = (config.baseUrl ?? SILOBREAKER_DEFAULT_BASE_URL).replace(/\/+$/, '');
    assertArgument(/^https?:\/\/[^/]/.test(baseUrl), 'silobreaker base_url', 'must be an http(s) URL, e.g. https://api.silobreaker.com');
    const hasKey = config.apiKey !== undefined || config.sharedKey !== undefined;
    const hasUser = config.username !== undefined || config.password !== undefined;
    assertArgument(hasKey || hasUser, 'silobreaker credentials', 'give api_key and shared_key, or username and password (or both).');
    if (hasKey) {
      assertArgument(typeof config.apiKey === 'string' && config.apiKey !== '', 'silobreaker api_key', 'must not be empty when shared_key is given.');
      assertArgument(typeof config.sharedKey === 'string' && config.sharedKey !== '', 'silobreaker shared_key', 'must not be empty when api_key is given.');
      registerSecret(config.sharedKey);
    }
    if (hasUser) {
      assertArgument(typeof config.username === 'string' && config.username !== '', 'silobreaker username', 'must not be empty when password is given.');
      assertArgument(typeof config.password === 'string' && config.password !== '', 'silobreaker password', 'must not be empty when username is given.');
      registerSecret(config.password);
    }
    this.username = hasUser ? config.username : undefined;
    const clock = config.clock ?? systemClock;
    const timeoutMs = config.timeoutMs ?? 30_000;
    const root = config.dispatcher ?? createDefaultDispatcher();
    // The vendor's 429 answer: wait (Retry-After when given) and try idempotent calls again.
    const retry = createRetryInterceptor({ clock, maxRetries: 2 });
    const limiter = (...who: string[]): ILimiter =>
      config.limiter ??
      (config.clock === undefined
        ? limiterFor(limiterKey(VENDOR, baseUrl, ...who), () => new TokenBucketLimiter({ capacity: 10, refillPerSecond: 2 }))
        : new TokenBucketLimiter({ capacity: 10, refillPerSecond: 2, clock }));

    if (hasKey) {
      const auth = createHmacDigestInterceptor({
        apiKey: config.apiKey!,
        sharedKey: config.sharedKey!,
        scheme: SILOBREAKER_DIGEST,
        algorithm: config.digestAlgorithm,
      });
      const dispatcher = composeDispatcher(root, { retry, rateLimit: createRateLimitInterceptor(limiter('key', config.apiKey!)), auth });
      this.dataHttp = new HttpClient({ baseUrl, dispatcher, vendor: VENDOR, timeoutMs });
    }
    if (hasUser) {
      const rateLimit = createRateLimitInterceptor(limiter('user', config.username!.toLowerCase()));
      this.session = new CookieSession({
        baseUrl,
        dispatcher: composeDispatcher(root, { retry, rateLimit }),
        username: config.username!,
        password: config.password!,
        clock,
        maxLoginWaitSeconds: config.maxLoginWaitSeconds,
        maxLoginAttempts: config.maxLoginAttempts,
        vendor: VENDOR,
        paths: SILOBREAKER_SESSION_PATHS,
        timeoutMs,
      });
      const dispatcher = composeDispatcher(root, { retry, rateLimit, auth: createCookieSessionInterceptor(this.session) });
      this.sessionHttp = new HttpClient({ baseUrl, dispatcher, vendor: VENDOR, timeoutMs });
    }
  }

  // ---- plumbing ---------------------------------------------------------------------------------

  private needSession(what: string): { session: CookieSession; http: HttpClient } {
    if (!this.session || !this.sessionHttp) {
      throw new ApiAccessError(APIACCESS_CONFIG_MISSING, `silobreaker: ${what} needs a cookie session; configure username and password.`, {
        field: 'username',
      });
    }
    return { session: this.session, http: this.sessionHttp };
  }

  private needKey(what: string): HttpClient {
    if (!this.dataHttp) {
      throw new ApiAccessError(APIACCESS_CONFIG_MISSING, `silobreaker: ${what} needs an API key; configure api_key and shared_key.`, { field: 'api_key' });
    }
    return this.dataHttp;
  }

  /** Sends through the session; a 401 to a cookie that was not fresh gets one new login and one more try. */
  private async sessionRequest(req: HttpRequest, what: string): Promise<HttpResponse> {
    const { session, http } = this.needSession(what);
    const loginsBefore = session.loginAttempts;
    const res = await http.request(req);
    if (res.status === 401 && session.loginAttempts === loginsBefore) return http.request(req);
    return res;
  }

  /** Throws the answer as a coded error, with the vendor's Status/Message (which never hold secrets). */
  private fail(res: HttpResponse, what: string): never {
    let said = '';
    try {
      const body = res.json<Record<string, unknown>>();
      if (isObj(body) && typeof body.Status === 'string') said = ` (${body.Status}${typeof body.Message === 'string' ? `: ${body.Message}` : ''})`;
    } catch {
      // not JSON
    }
    // Redact before cutting: half a secret would no longer be recognised.
    throw httpError(VENDOR, res, `${what} failed${redact(said).slice(0, 300)}`);
  }

  private parse<T>(res: HttpResponse, what: string, check: (v: unknown) => v is T): T {
    const v = res.json<unknown>();
    if (!check(v)) throw new ApiAccessError(APIACCESS_BAD_RESPONSE, `${what}: Silobreaker answered with an unexpected shape.`, { status: res.status });
    return v;
  }

  // ---- make sense of the replies ------------------------------------------------------------------

  /** `GET /v1/apikeys` answer → the keys. */
  processListApiKeysResponse(res: HttpResponse): ApiKeyInfo[] {
    if (res.status !== 200) this.fail(res, 'Listing API keys');
    const body = this.parse(res, 'Listing API keys', (v): v is { Items: ApiKeyInfo[] } => isObj(v) && Array.isArray(v.Items) && v.Items.every(isApiKeyInfo));
    return body.Items.map((k) => ({ ApiKey: k.ApiKey, Description: k.Description, Created: k.Created }));
  }

  /** `POST /v1/apikeys` answer → the new key with its shared key (registered as a secret). */
  processCreateApiKeyResponse(res: HttpResponse, description: string): CreatedApiKey {
    if (res.status !== 200 && res.status !== 201) this.fail(res, `Creating API key "${description}"`);
    const created = this.parse(res, 'Creating an API key', isCreatedApiKey);
    registerSecret(created.SharedKey);
    return { ApiKey: created.ApiKey, SharedKey: created.SharedKey, Description: created.Description, Created: created.Created };
  }

  /** `DELETE /v1/apikeys/{key}` answer → true when deleted, false when it was already gone. */
  processDeleteApiKeyResponse(res: HttpResponse, apiKey: string): boolean {
    if (res.status === 404) return false;
    if (res.status !== 200 && res.status !== 204) this.fail(res, `Deleting API key "${apiKey}"`);
    return true;
  }

  // ---- API keys (PROPOSED routes, cookie session) -------------------------------------------------

  async listApiKeys(signal?: AbortSignal): Promise<ApiKeyInfo[]> {
    return this.processListApiKeysResponse(await this.sessionRequest({ method: 'GET', path: '/v1/apikeys', signal }, 'listing API keys'));
  }

  /** The key, or null when it does not exist (there is no single-key route: it is looked up in the list). */
  async getApiKey(apiKey: string, signal?: AbortSignal): Promise<ApiKeyInfo | null> {
    assertArgument(typeof apiKey === 'string' && apiKey !== '', 'apiKey', 'must be a non-empty string.');
    return (await this.listApiKeys(signal)).find((k) => k.ApiKey === apiKey) ?? null;
  }

  /** Keys whose Description is exactly `description`. */
  async findApiKeysByDescription(description: string, signal?: AbortSignal): Promise<ApiKeyInfo[]> {
    return (await this.listApiKeys(signal)).filter((k) => k.Description === description);
  }

  /**
   * Creates a key. The Description is the natural key: an existing key with the same Description is
   * APIACCESS_CONFLICT. When the answer is lost (network error, timeout), the key may exist without
   * anyone having seen its shared key: the client looks it up by Description, deletes what it finds,
   * and sends the create once more.
   */
  async createApiKey(input: CreateApiKeyInput, signal?: AbortSignal, idempotencyKey?: string): Promise<CreatedApiKey> {
    assertArgument(isObj(input) && typeof input.Description === 'string' && input.Description.trim() !== '', 'Description', 'must be a non-empty string.');
    const description = input.Description;
    const res = await this.sessionRequest(
      { method: 'POST', path: '/v1/apikeys', body: { Description: description }, signal, ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) },
      'creating an API key',
    );
    return this.processCreateApiKeyResponse(res, description);
  }

  /** Deletes a key; false when it was already gone. */
  async deleteApiKey(apiKey: string, signal?: AbortSignal): Promise<boolean> {
    const res = await this.sessionRequest({ method: 'DELETE', path: path`/v1/apikeys/${apiKey}`, signal }, 'deleting an API key');
    return this.processDeleteApiKeyResponse(res, apiKey);
  }

  // ---- cookie session ------------------------------------------------------------------------------

  /** Logs in now (waiting out a short vendor delay; APIACCESS_LOGIN_DELAYED for a long one). */
  async login(signal?: AbortSignal): Promise<void> {
    await this.needSession('login').session.login(signal);
  }

  async logout(signal?: AbortSignal): Promise<LogoutStatus> {
    return this.needSession('logout').session.logout(signal);
  }

  async loginStatus(signal?: AbortSignal): Promise<LoginStatus> {
    return this.needSession('login status').session.status(signal);
  }

  /** Changes the session user's password; `currentPassword` defaults to the configured one (kept up to date after a change). */
  async changePassword(input: { readonly newPassword: string; readonly currentPassword?: string }, signal?: AbortSignal): Promise<void> {
    await this.needSession('changing the password').session.changePassword(input, signal);
  }

  // ---- data (API key digest) ----------------------------------------------------------------------

  /** `GET /search/documents/{query}?type=json`, signed with the API key. */
  async searchDocuments(query: string, signal?: AbortSignal): Promise<DocumentSearchResult> {
    assertArgument(typeof query === 'string' && query.trim() !== '', 'query', 'must be a non-empty string.');
    const res = await this.needKey('searching documents').request({ method: 'GET', path: path`/search/documents/${query}`, query: { type: 'json' }, signal });
    if (res.status !== 200) this.fail(res, 'Searching documents');
    return this.parse(res, 'Searching documents', isSearchResult);
  }
}
