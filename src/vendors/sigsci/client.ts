/**
 * Typed client for the Signal Sciences (Fastly Next-Gen WAF) API credentials: personal API access
 * tokens, the corp-wide token settings and the per-user `accessTokenAllowed` grant.
 *
 * Every request carries `x-api-user` + `x-api-token` (the shared header-token interceptor) and
 * passes the shared retry policy (idempotent calls only: GET, DELETE, and the PATCHes, which set
 * absolute values) and, when given, a rate limiter; the vendor publishes no number, so there is no
 * default limit. Sending is split from making sense of the reply: each `process*` function checks
 * one answer and returns a typed value or throws a coded `ApiAccessError` (responses.ts).
 *
 * Creates carry the caller's idempotency key (`Idempotency-Key`, see the README): a repeat gets the
 * first answer replayed (the token's once-visible value included), so the retry layer may send a
 * create again after a lost answer. The client never deletes or adopts a token by its name.
 */
import { composeDispatcher, type ComposeInterceptors } from '../../auth/compose';
import { createHeaderTokenInterceptor } from '../../auth/header-token';
import { HttpClient, path, type HttpClientOptions, type HttpMethod, type HttpResponse } from '../../auth/http';
import { createRateLimitInterceptor, type ILimiter } from '../../auth/rate-limit';
import { createRetryInterceptor, type RetryOptions } from '../../auth/retry';
import { systemClock, type IClock } from '../../core/clock';
import { assertArgument } from '../../core/errors';
import type { Logger } from '../../core/log';
import { registerSecret } from '../../core/redact';
import {
  processCorp,
  processCorpList,
  processCreatedToken,
  processDeleted,
  processToken,
  processTokenList,
  processUser,
  processUserList,
  sigsciError,
} from './responses';
import type { SigSciApiToken, SigSciCorp, SigSciCorpUser, SigSciCreatedApiToken, SigSciTokenSettings, SigSciTokenSettingsUpdate } from './types';

/** The production host; the API lives below `/api/v0`. */
export const SIGSCI_DEFAULT_BASE_URL = 'https://dashboard.signalsciences.net';
/** Personal tokens per user, on every plan. */
export const SIGSCI_MAX_TOKENS_PER_USER = 5;
const VENDOR = 'sigsci';
/** Characters the vendor documents as "often" rejected in token names. */
const DOCUMENTED_BAD_NAME_CHARS = /[-@!%]/;

/** Settings of {@link SigSciClient}. */
export interface SigSciClientConfig {
  /** Host below which `/api/v0` lives, e.g. `<sandbox>/sigsci`. @default SIGSCI_DEFAULT_BASE_URL */
  readonly baseUrl?: string;
  /** `x-api-user`: the e-mail of the user the token belongs to. */
  readonly email: string;
  /** `x-api-token`: a personal API access token of that user. */
  readonly accessToken: string;
  /** The corp whose settings and users this client manages. */
  readonly corpName: string;
  /** Base undici dispatcher (an Agent) the interceptors are composed onto. */
  readonly dispatcher: HttpClientOptions['dispatcher'];
  /** Clock for retry waits. @default systemClock */
  readonly clock?: IClock;
  /** @default 30000 */
  readonly timeoutMs?: number;
  /** Retry policy options (clock defaults to `clock`). @default createRetryInterceptor defaults */
  readonly retry?: RetryOptions;
  /** Optional client-side rate limiter (the vendor publishes no number). @default none */
  readonly limiter?: ILimiter;
  /** @default silentLogger */
  readonly logger?: Logger;
}

// ---- making sense of replies ------------------------------------------------------------------

// ---- argument checks --------------------------------------------------------------------------

function assertTokenName(name: unknown): asserts name is string {
  assertArgument(typeof name === 'string' && name.trim() !== '', 'name', 'must be a non-empty string.');
  assertArgument(name === name.trim(), 'name', 'must not start or end with white space.');
  assertArgument(name.length <= 64, 'name', 'must be at most 64 characters.');
  assertArgument(!DOCUMENTED_BAD_NAME_CHARS.test(name), 'name', 'must not contain "-", "@", "!" or "%" (Signal Sciences rejects them).');
}

function assertEmail(email: unknown, field: string): asserts email is string {
  assertArgument(typeof email === 'string' && /^[^\s@]+@[^\s@]+$/.test(email), field, 'must be an e-mail address.');
}

function assertId(id: unknown): asserts id is string {
  assertArgument(typeof id === 'string' && id !== '', 'id', 'must be a non-empty token id.');
}

function assertSettings(update: SigSciTokenSettingsUpdate): void {
  assertArgument(typeof update === 'object' && update !== null, 'settings', 'must be an object.');
  for (const key of Object.keys(update)) {
    assertArgument(
      ['apiTokenMaxAge', 'restrictedAccessTokens', 'apiAllowedIPs'].includes(key),
      key,
      'is not a token setting (apiTokenMaxAge, restrictedAccessTokens, apiAllowedIPs).',
    );
  }
  const { apiTokenMaxAge, restrictedAccessTokens, apiAllowedIPs } = update;
  if (apiTokenMaxAge !== undefined) {
    assertArgument(Number.isSafeInteger(apiTokenMaxAge) && apiTokenMaxAge >= 0, 'apiTokenMaxAge', 'must be a whole number of seconds, 0 for no expiration.');
  }
  if (restrictedAccessTokens !== undefined) assertArgument(typeof restrictedAccessTokens === 'boolean', 'restrictedAccessTokens', 'must be a boolean.');
  if (apiAllowedIPs !== undefined) {
    assertArgument(Array.isArray(apiAllowedIPs), 'apiAllowedIPs', 'must be an array of IPv4 addresses or CIDR ranges.');
    for (const entry of apiAllowedIPs) {
      assertArgument(
        typeof entry === 'string' && /^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(entry),
        'apiAllowedIPs',
        `${JSON.stringify(entry)} is not an IPv4 address or CIDR range.`,
      );
    }
  }
}

// ---- the client -------------------------------------------------------------------------------

/** Signal Sciences API credentials: personal tokens, corp token settings, per-user grants. */
export class SigSciClient {
  /** The corp this client manages. */
  readonly corpName: string;
  private readonly http: HttpClient;

  constructor(config: SigSciClientConfig) {
    assertEmail(config.email, 'email');
    assertArgument(typeof config.accessToken === 'string' && config.accessToken.trim() !== '', 'accessToken', 'must be a non-empty string.');
    assertArgument(
      typeof config.corpName === 'string' && /^[A-Za-z0-9._-]+$/.test(config.corpName),
      'corpName',
      'must be a corp short name such as "my-corp".',
    );
    assertArgument(typeof config.dispatcher?.compose === 'function', 'dispatcher', 'must be an undici Dispatcher (e.g. an Agent).');
    registerSecret(config.accessToken);
    this.corpName = config.corpName;
    const interceptors: ComposeInterceptors = {
      retry: createRetryInterceptor({ clock: config.clock ?? systemClock, ...config.retry }),
      auth: createHeaderTokenInterceptor({ 'x-api-user': config.email, 'x-api-token': config.accessToken }),
      ...(config.limiter ? { rateLimit: createRateLimitInterceptor(config.limiter) } : {}),
    };
    this.http = new HttpClient({
      baseUrl: (config.baseUrl ?? SIGSCI_DEFAULT_BASE_URL).replace(/\/+$/, ''),
      dispatcher: composeDispatcher(config.dispatcher, interceptors),
      vendor: VENDOR,
      timeoutMs: config.timeoutMs ?? 30_000,
      ...(config.logger ? { logger: config.logger } : {}),
    });
  }

  /** Sends one request and returns the raw answer (see {@link HttpClient.request}). */
  private send(method: HttpMethod, route: string, body?: object, signal?: AbortSignal, idempotencyKey?: string): Promise<HttpResponse> {
    return this.http.request({
      method,
      path: route,
      ...(body !== undefined ? { body } : {}),
      ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
      // The PATCHes set absolute values: sending one twice changes nothing.
      ...(method === 'PATCH' ? { idempotent: true } : {}),
      ...(signal ? { signal } : {}),
    });
  }

  private get corpPath(): string {
    return path`/api/v0/corps/${this.corpName}`;
  }

  // ---- personal API access tokens (the caller's own; PROPOSED routes) ----

  /** The caller's tokens (never their values). */
  async listTokens(signal?: AbortSignal): Promise<SigSciApiToken[]> {
    return processTokenList(await this.send('GET', '/api/v0/user/apitokens', undefined, signal));
  }

  /** One of the caller's tokens; APIACCESS_NOT_FOUND when there is none with `id`. */
  async getToken(id: string, signal?: AbortSignal): Promise<SigSciApiToken> {
    assertId(id);
    return processToken(await this.send('GET', path`/api/v0/user/apitokens/${id}`, undefined, signal), `reading API access token ${id}`);
  }

  /** The caller's token named `name`, or undefined. */
  async findTokenByName(name: string, signal?: AbortSignal): Promise<SigSciApiToken | undefined> {
    assertArgument(typeof name === 'string' && name !== '', 'name', 'must be a non-empty string.');
    return (await this.listTokens(signal)).find((t) => t.name === name);
  }

  /**
   * Creates a token for the caller and returns it with its value (shown only this once, and in a
   * replay under the same `idempotencyKey`; it is registered for redaction). The vendor refuses a
   * name the caller already uses (APIACCESS_VENDOR_REJECTED / CONFLICT, as it answers).
   */
  async createToken(name: string, signal?: AbortSignal, idempotencyKey?: string): Promise<SigSciCreatedApiToken> {
    assertTokenName(name);
    const what = `creating API access token "${name}"`;
    const res = await this.send('POST', '/api/v0/user/apitokens', { name }, signal, idempotencyKey);
    if (res.status < 500) return processCreatedToken(res, what);
    throw sigsciError(what, res);
  }

  /** Deletes one of the caller's tokens; APIACCESS_NOT_FOUND when there is none with `id`. */
  async deleteToken(id: string, signal?: AbortSignal): Promise<void> {
    assertId(id);
    processDeleted(await this.send('DELETE', path`/api/v0/user/apitokens/${id}`, undefined, signal), `deleting API access token ${id}`);
  }

  // ---- owner views (PROPOSED routes) ----

  /** Every token of the corp, with creator and live status (owners only). */
  async listCorpTokens(signal?: AbortSignal): Promise<SigSciApiToken[]> {
    return processTokenList(await this.send('GET', `${this.corpPath}/apitokens`, undefined, signal), 'listing the corp API access tokens');
  }

  /** Deletes any token of the corp (owners only). */
  async deleteCorpToken(id: string, signal?: AbortSignal): Promise<void> {
    assertId(id);
    processDeleted(await this.send('DELETE', `${this.corpPath}${path`/apitokens/${id}`}`, undefined, signal), `deleting API access token ${id} of the corp`);
  }

  // ---- corp token settings ----

  /** The corps the caller belongs to. */
  async listCorps(signal?: AbortSignal): Promise<SigSciCorp[]> {
    return processCorpList(await this.send('GET', '/api/v0/corps', undefined, signal));
  }

  /** The managed corp. */
  async getCorp(signal?: AbortSignal): Promise<SigSciCorp> {
    return processCorp(await this.send('GET', this.corpPath, undefined, signal), `reading corp ${this.corpName}`);
  }

  /** The corp-wide token settings. */
  async getTokenSettings(signal?: AbortSignal): Promise<SigSciTokenSettings> {
    return settingsOf(await this.getCorp(signal));
  }

  /**
   * Changes the corp-wide token settings (owners only) and returns them as the vendor now holds
   * them. Careful: `restrictedAccessTokens: true` disables the caller's own token unless its user
   * was granted `accessTokenAllowed` first, a shorter `apiTokenMaxAge` expires old tokens at once,
   * and an `apiAllowedIPs` list without this machine's address locks this client out.
   */
  async updateTokenSettings(update: SigSciTokenSettingsUpdate, signal?: AbortSignal): Promise<SigSciTokenSettings> {
    assertSettings(update);
    const body: Record<string, unknown> = {};
    if (update.apiTokenMaxAge !== undefined) body.apiTokenMaxAge = update.apiTokenMaxAge;
    if (update.restrictedAccessTokens !== undefined) body.restrictedAccessTokens = update.restrictedAccessTokens;
    if (update.apiAllowedIPs !== undefined) body.apiAllowedIPs = [...update.apiAllowedIPs];
    return settingsOf(processCorp(await this.send('PATCH', this.corpPath, body, signal), `updating the API access token settings of corp ${this.corpName}`));
  }

  // ---- users and their accessTokenAllowed grant ----

  /** The users of the corp. */
  async listUsers(signal?: AbortSignal): Promise<SigSciCorpUser[]> {
    return processUserList(await this.send('GET', `${this.corpPath}/users`, undefined, signal));
  }

  /** One user of the corp; APIACCESS_NOT_FOUND when unknown. */
  async getUser(email: string, signal?: AbortSignal): Promise<SigSciCorpUser> {
    assertEmail(email, 'email');
    return processUser(await this.send('GET', `${this.corpPath}${path`/users/${email}`}`, undefined, signal), 'reading a corp user');
  }

  /** Whether `email` may create and use tokens while the corp restricts them. */
  async getAccessTokenAllowed(email: string, signal?: AbortSignal): Promise<boolean> {
    return (await this.getUser(email, signal)).accessTokenAllowed;
  }

  /** Grants or withdraws `accessTokenAllowed` (owners only); returns the updated user. */
  async setAccessTokenAllowed(email: string, allowed: boolean, signal?: AbortSignal): Promise<SigSciCorpUser> {
    assertEmail(email, 'email');
    assertArgument(typeof allowed === 'boolean', 'accessTokenAllowed', 'must be a boolean.');
    return processUser(
      await this.send('PATCH', `${this.corpPath}${path`/users/${email}`}`, { accessTokenAllowed: allowed }, signal),
      'updating accessTokenAllowed of a corp user',
    );
  }
}

function settingsOf(corp: SigSciCorp): SigSciTokenSettings {
  return { apiTokenMaxAge: corp.apiTokenMaxAge, restrictedAccessTokens: corp.restrictedAccessTokens, apiAllowedIPs: [...corp.apiAllowedIPs] };
}
