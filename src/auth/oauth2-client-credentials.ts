/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4) on oauth4webapi: a token source that caches
 * tokens per (token URL, client, scope), renews them shortly before expiry, shares one in-flight
 * request between concurrent callers, and an interceptor that sends `Authorization: Bearer` and
 * retries a request once with a fresh token when the API answers 401.
 */
import * as oauth from 'oauth4webapi';
import { type Dispatcher, fetch as undiciFetch } from 'undici';
import { raceSignal } from '../core/abort';
import { type IClock, systemClock } from '../core/clock';
import { createHash } from 'node:crypto';
import { APIACCESS_ABORTED, APIACCESS_NETWORK_ERROR, APIACCESS_OAUTH_ERROR, APIACCESS_UNAUTHORIZED, ApiAccessError } from '../core/errors';
import { redact, registerSecret } from '../core/redact';
import { failRequest, isReplayable, normalizeHeaders, signalOf } from './dispatch-utils';
import { createDefaultRetryPolicy } from './retry';

/** How the client proves its identity at the token endpoint. */
export type ClientAuthMethod = 'client_secret_post' | 'client_secret_basic';

/** Options of {@link OAuth2TokenSource}. */
export interface OAuth2ClientCredentialsConfig {
  /** Issuer identifier (used by oauth4webapi for metadata; not fetched). */
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope: string;
  /** @default 'client_secret_post' */
  readonly authMethod?: ClientAuthMethod;
  /** Dispatcher for token requests (retry/limits but no bearer auth). */
  readonly dispatcher?: Dispatcher;
  readonly clock?: IClock;
  /** Renew this long before expiry at most. @default 60_000 */
  readonly renewBeforeMs?: number;
  /** Time limit of one token request. @default 30_000 */
  readonly timeoutMs?: number;
  /**
   * Names put in `field` of an APIACCESS_UNAUTHORIZED error, so the caller can say which setting
   * to check. @default { clientId: 'client_id', clientSecret: 'client_secret' }
   */
  readonly credentialFields?: { readonly clientId: string; readonly clientSecret: string };
}

/** Resolves like `promise`, or rejects with APIACCESS_ABORTED as soon as `signal` aborts. */
function raceAbort<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  return raceSignal(promise, signal, () => new ApiAccessError(APIACCESS_ABORTED, 'The token request was cancelled.', { cause: signal?.reason }));
}

interface CachedToken {
  readonly accessToken: string;
  readonly expiresAt: number;
  readonly renewAt: number;
}

const cache = new Map<string, CachedToken>();
const inFlight = new Map<string, Promise<CachedToken>>();

/** Drops every cached token (tests). */
export function clearTokenCache(): void {
  cache.clear();
  inFlight.clear();
}

/** When a failed token request is sent again (connection errors, 429, 502-504; Retry-After honoured). */
const TOKEN_RETRY = createDefaultRetryPolicy({ maxRetries: 3 });

/** Gets, caches and renews client-credentials access tokens. */
export class OAuth2TokenSource {
  private readonly key: string;
  private readonly clock: IClock;
  /** Token requests actually sent (for tests and diagnostics). */
  requests = 0;

  constructor(private readonly config: OAuth2ClientCredentialsConfig) {
    // The secret (hashed) and method are part of the key: a source with wrong credentials must
    // never be handed a token another source obtained for the same client.
    const secretHash = createHash('sha256').update(config.clientSecret).digest('hex');
    this.key = [config.tokenEndpoint, config.clientId, config.scope, config.authMethod ?? 'client_secret_post', secretHash].join('\n');
    this.clock = config.clock ?? systemClock;
    registerSecret(config.clientSecret);
  }

  /** A valid access token, from the cache when it is not due for renewal. */
  async getToken(signal?: AbortSignal): Promise<string> {
    return (await this.getTokenWithExpiry(signal)).accessToken;
  }

  /** Like {@link getToken}, with when the token expires (epoch ms on this source's clock). */
  async getTokenWithExpiry(signal?: AbortSignal): Promise<{ readonly accessToken: string; readonly expiresAt: number }> {
    if (signal?.aborted) throw new ApiAccessError(APIACCESS_ABORTED, 'The token request was cancelled.', { cause: signal.reason });
    const cached = cache.get(this.key);
    if (cached && this.clock.now() < cached.renewAt) return cached;
    let pending = inFlight.get(this.key);
    if (!pending) {
      // The shared request has its own time limit; one caller giving up must not fail the others.
      const shared: Promise<CachedToken> = this.fetchToken(AbortSignal.timeout(this.config.timeoutMs ?? 30_000)).finally(() => {
        if (inFlight.get(this.key) === shared) inFlight.delete(this.key);
      });
      pending = shared;
      inFlight.set(this.key, pending);
    }
    return raceAbort(pending, signal);
  }

  /** Forgets `token` (after the API rejected it) so the next call fetches a new one. */
  invalidate(token?: string): void {
    const cached = cache.get(this.key);
    if (cached && (token === undefined || cached.accessToken === token)) cache.delete(this.key);
  }

  private async fetchToken(signal?: AbortSignal): Promise<CachedToken> {
    const c = this.config;
    const as: oauth.AuthorizationServer = { issuer: c.issuer, token_endpoint: c.tokenEndpoint };
    const client: oauth.Client = { client_id: c.clientId };
    const auth = c.authMethod === 'client_secret_basic' ? oauth.ClientSecretBasic(c.clientSecret) : oauth.ClientSecretPost(c.clientSecret);
    const dispatcher = c.dispatcher;
    const options: oauth.ClientCredentialsGrantRequestOptions = {
      signal,
      [oauth.allowInsecureRequests]: c.tokenEndpoint.startsWith('http://'),
      [oauth.customFetch]: ((url: string, init: RequestInit) =>
        undiciFetch(url, { ...(init as object), ...(dispatcher ? { dispatcher } : {}) } as never)) as unknown as typeof fetch,
    };
    // A token request creates nothing at the vendor, so a failed one is simply sent again: capped,
    // jittered, Retry-After honoured (the default retry policy's rules), never taken for a lost create.
    let response: Response;
    for (let retryCount = 0; ; retryCount++) {
      this.requests += 1;
      let sent: Response | undefined;
      let failure: unknown;
      try {
        sent = await oauth.clientCredentialsGrantRequest(as, client, auth, new URLSearchParams({ scope: c.scope }), options);
      } catch (err) {
        if (signal?.aborted) throw new ApiAccessError(APIACCESS_ABORTED, `The token request to ${c.tokenEndpoint} was cancelled or timed out.`, { cause: err });
        failure = err;
      }
      const delay = TOKEN_RETRY({
        method: 'POST',
        idempotent: true,
        retryCount,
        nowMs: this.clock.now(),
        ...(sent ? { statusCode: sent.status, headers: Object.fromEntries(sent.headers) } : { error: failure as Error }),
      });
      if (delay === null) {
        if (sent) {
          response = sent;
          break;
        }
        throw new ApiAccessError(
          APIACCESS_NETWORK_ERROR,
          `Could not reach the token endpoint ${c.tokenEndpoint}: ${redact(String((failure as Error)?.message ?? failure))}`,
          { cause: failure },
        );
      }
      await sent?.body?.cancel().catch(() => undefined);
      await this.clock.sleep(delay, signal);
    }
    let result: oauth.TokenEndpointResponse;
    try {
      result = await oauth.processClientCredentialsResponse(as, client, response);
    } catch (err) {
      throw tokenError(c, err);
    }
    registerSecret(result.access_token);
    const now = this.clock.now();
    const lifetimeMs = Math.max(1, Number(result.expires_in ?? 300)) * 1000;
    const token: CachedToken = {
      accessToken: result.access_token,
      expiresAt: now + lifetimeMs,
      renewAt: now + lifetimeMs - Math.min(c.renewBeforeMs ?? 60_000, lifetimeMs * 0.1),
    };
    cache.set(this.key, token);
    return token;
  }
}

/** OAuth error codes that mean "these client credentials are wrong", and the setting to check. */
const REFUSED: Readonly<Record<string, 'clientId' | 'clientSecret'>> = { invalid_client: 'clientSecret', unauthorized_client: 'clientId' };

/**
 * Maps what oauth4webapi throws for a token answer to one coded error: a refusal of the client's
 * credentials (an `invalid_client` / `unauthorized_client` body, any 401, or a 401 with a
 * WWW-Authenticate challenge) is APIACCESS_UNAUTHORIZED with `field` = the setting to check; anything else is
 * APIACCESS_OAUTH_ERROR. Messages never carry the secret or the library's prose.
 */
function tokenError(c: OAuth2ClientCredentialsConfig, err: unknown): ApiAccessError {
  const fields = { clientId: c.credentialFields?.clientId ?? 'client_id', clientSecret: c.credentialFields?.clientSecret ?? 'client_secret' };
  if (err instanceof oauth.ResponseBodyError) {
    const said = redact(`${err.error}${err.error_description ? `: ${err.error_description}` : ''}`);
    // RFC 6749 §5.2: a 401 from the token endpoint is a failed client authentication, whatever the code says.
    const refused = REFUSED[err.error] ?? (err.status === 401 ? 'clientSecret' : undefined);
    if (refused) {
      return new ApiAccessError(APIACCESS_UNAUTHORIZED, `The token endpoint refused client "${c.clientId}" (${said}).`, {
        status: err.status,
        body: { error: redact(err.error) },
        field: fields[refused],
        cause: err,
      });
    }
    return new ApiAccessError(APIACCESS_OAUTH_ERROR, `The token endpoint refused the token request of client "${c.clientId}" (${said}).`, {
      status: err.status,
      body: { error: redact(err.error) },
      cause: err,
    });
  }
  if (err instanceof oauth.WWWAuthenticateChallengeError) {
    const challenged = err.cause.map((ch) => ch.parameters.error).find((e): e is string => typeof e === 'string');
    if (err.status === 401) {
      return new ApiAccessError(
        APIACCESS_UNAUTHORIZED,
        `The token endpoint refused client "${c.clientId}" (HTTP 401${challenged ? `, ${redact(challenged)}` : ''}).`,
        { status: err.status, field: fields[REFUSED[challenged ?? ''] ?? 'clientSecret'], cause: err },
      );
    }
    return new ApiAccessError(APIACCESS_OAUTH_ERROR, `The token endpoint answered HTTP ${err.status}${challenged ? ` (${challenged})` : ''}.`, {
      status: err.status,
      cause: err,
    });
  }
  return new ApiAccessError(APIACCESS_OAUTH_ERROR, `The token endpoint answered unexpectedly: ${redact(String((err as Error)?.message ?? err))}`, {
    cause: err,
  });
}

type DispatchFn = Dispatcher['dispatch'];
type Handler = Dispatcher.DispatchHandler;
type Controller = Dispatcher.DispatchController;

/**
 * Sends `Authorization: Bearer <token>` from `tokens`; when the API answers 401, drops that token
 * and sends the request once more with a fresh one (requests with a replayable body only).
 */
export function createOAuth2ClientCredentialsInterceptor(tokens: OAuth2TokenSource) {
  return (dispatch: DispatchFn): DispatchFn =>
    (opts, handler) => {
      const signal = signalOf(opts);
      let started = false;
      let current: Controller | undefined;
      const stable: Controller = {
        abort: (reason?: Error) => current?.abort(reason as Error),
        pause: () => current?.pause(),
        resume: () => current?.resume(),
        get paused() {
          return current?.paused ?? false;
        },
        get aborted() {
          return current?.aborted ?? false;
        },
        get reason() {
          return current?.reason ?? null;
        },
      } as Controller;

      const attempt = (retryLeft: boolean): void => {
        tokens.getToken(signal).then(
          (token) => {
            let swallow = false;
            const h: Handler = {
              onRequestStart(controller, context) {
                current = controller;
                if (!started) {
                  started = true;
                  handler.onRequestStart?.(stable, context);
                }
              },
              onRequestUpgrade: (controller, statusCode, headers, socket) => handler.onRequestUpgrade?.(controller, statusCode, headers, socket),
              onResponseStart(_controller, statusCode, headers, statusMessage) {
                if (statusCode === 401 && retryLeft && isReplayable(opts.body)) {
                  swallow = true;
                  return;
                }
                handler.onResponseStart?.(stable, statusCode, headers, statusMessage);
              },
              onResponseData(_controller, chunk) {
                if (!swallow) handler.onResponseData?.(stable, chunk);
              },
              onResponseEnd(_controller, trailers) {
                if (swallow) {
                  tokens.invalidate(token);
                  attempt(false);
                  return;
                }
                handler.onResponseEnd?.(stable, trailers);
              },
              onResponseError(_controller, err) {
                handler.onResponseError?.(stable, err);
              },
            };
            dispatch({ ...opts, headers: { ...normalizeHeaders(opts.headers), authorization: `Bearer ${token}` } }, h);
          },
          (err: unknown) => (started ? handler.onResponseError?.(stable, err as Error) : failRequest(handler, err)),
        );
      };
      attempt(true);
      return true;
    };
}
