/**
 * Forms-authentication cookie sessions (the `/v1/login` family of Silobreaker's API; the vendor's
 * paths are in `src/vendors/silobreaker/auth-params.ts`):
 *
 * - `POST login {"Username","Password"}` answers `{"Status":"Success","CookieName":"<name>"}` with a
 *   `Set-Cookie: <name>=…`, or `{"Status":"Delay","NextLoginDelayInSeconds":n}`: no login may be tried
 *   for n seconds, and one tried earlier earns a new, longer delay. The vendor says "Delay" both to a
 *   wrong password and to an early attempt, so the session never tries before the delay has passed
 *   (it waits on the injectable clock, or gives up with APIACCESS_LOGIN_DELAYED when the wait is
 *   longer than it may wait), and it makes at most `maxLoginAttempts` attempts per login.
 * - `logout` → `Logged out` | `No active session found`; `loginstatus` → `authenticated` |
 *   `unauthenticated`; `changepassword {"Password","NewPassword"}` → `Success` (or a refusal).
 *
 * {@link CookieSession} holds the state machine (one login at a time, however many requests wait for
 * it); {@link createCookieSessionInterceptor} only adds the cookie to each request, logging in first
 * when there is none, and forgets a cookie the server answered 401 to. The cookie value and the
 * password are registered as secrets and never appear in errors or logs.
 */
import type { IncomingHttpHeaders } from 'http';
import type { Duplex } from 'stream';
import { getSetCookies, Headers, type Cookie, type Dispatcher } from 'undici';

import { systemClock, type IClock } from '../core/clock';
import {
  APIACCESS_BAD_RESPONSE,
  APIACCESS_LOGIN_DELAYED,
  APIACCESS_UNAUTHORIZED,
  APIACCESS_VENDOR_REJECTED,
  ApiAccessError,
  assertArgument,
} from '../core/errors';
import { redact, registerSecret } from '../core/redact';
import { normalizeHeaders, sendWhenReady, signalOf, type Interceptor } from './dispatch-utils';
import { createDefaultDispatcher } from './compose';
import { HttpClient, httpError, type HttpResponse } from './http';

/** Paths of the session routes, below the base URL. */
export interface CookieSessionPaths {
  readonly login: string;
  readonly logout: string;
  readonly status: string;
  readonly changePassword: string;
}

/** Options of {@link CookieSession}. */
export interface CookieSessionOptions {
  /** API root, e.g. `https://api.silobreaker.com` (or `<sandbox>/silobreaker`). */
  readonly baseUrl: string;
  /**
   * Dispatcher for the session's own calls (login, logout, status, password change). It must not
   * carry this session's interceptor. Rate limit and retry belong on it; POSTs are not retried.
   * @default createDefaultDispatcher()
   */
  readonly dispatcher?: Dispatcher;
  readonly username: string;
  readonly password: string;
  /** Clock the login delays are waited on. @default systemClock */
  readonly clock?: IClock;
  /** Longest login delay waited out without giving up. @default 60 */
  readonly maxLoginWaitSeconds?: number;
  /** Login attempts per login (the first one plus retries after a delay). @default 2 */
  readonly maxLoginAttempts?: number;
  /** The vendor's session routes. */
  readonly paths: CookieSessionPaths;
  /** Vendor name for messages. */
  readonly vendor: string;
  /** @default 30000 */
  readonly timeoutMs?: number;
}

/** What a login answer means. */
export type LoginOutcome =
  { readonly kind: 'success'; readonly cookieName: string; readonly cookieValue: string } | { readonly kind: 'delay'; readonly seconds: number };

/** Answers of the logout route. */
export type LogoutStatus = 'Logged out' | 'No active session found';
/** Answers of the login-status route. */
export type LoginStatus = 'authenticated' | 'unauthenticated';

interface SetCookie {
  readonly name: string;
  readonly value: string;
  readonly expired: boolean;
}

/** Where a joined header value starts its next cookie: a comma followed by `name=` (not a date's day). */
const NEXT_COOKIE = /,\s*(?=[^;,\s=]+=)/;

/**
 * Parses Set-Cookie values with undici's `getSetCookies`. They come as an array, or joined with
 * ", " (HttpClient joins repeated headers), so a joined value is split first where a comma is
 * followed by `name=` (the comma in an Expires date is followed by a day). A cookie counts as
 * expired when its value is empty, its Max-Age is 0 or its Expires is not after `nowMs`. (undici
 * 7.30 drops a negative Max-Age, which RFC 6265 reads as "expired"; ASP.NET forms authentication,
 * Silobreaker's, removes its cookie with an empty value and a past Expires, which both count.)
 */
export function parseSetCookie(header: string | readonly string[] | undefined, nowMs: number): SetCookie[] {
  if (header === undefined) return [];
  const headers = new Headers();
  for (const line of (typeof header === 'string' ? [header] : header).flatMap((h) => h.split(NEXT_COOKIE))) headers.append('set-cookie', line);
  return getSetCookies(headers)
    .filter((c): c is Cookie => c !== null && c.name !== '')
    .map((c) => ({
      name: c.name,
      value: c.value,
      expired: c.value === '' || c.maxAge === 0 || (c.expires !== undefined && Number(c.expires) <= nowMs),
    }));
}

function statusOf(res: HttpResponse, vendor: string, what: string): string {
  let body: unknown;
  try {
    body = res.json();
  } catch {
    throw new ApiAccessError(APIACCESS_BAD_RESPONSE, `${vendor}: ${what} answered HTTP ${res.status} with a body that is not JSON.`, { status: res.status });
  }
  const status = (body as { Status?: unknown } | null)?.Status;
  if (typeof status !== 'string') throw new ApiAccessError(APIACCESS_BAD_RESPONSE, `${vendor}: ${what} answered without a "Status".`, { status: res.status });
  return status;
}

/**
 * Makes sense of a login answer: Success with the cookie it set, or Delay with its seconds. Any
 * other answer is a coded error (the HTTP status decides the code; a 200 of another shape is
 * APIACCESS_BAD_RESPONSE).
 */
export function processLoginResponse(res: HttpResponse, vendor: string, nowMs = Date.now()): LoginOutcome {
  if (res.status !== 200) throw httpError(vendor, res, `${vendor}: login failed`);
  const status = statusOf(res, vendor, 'login');
  const body = res.json<Record<string, unknown>>();
  if (status === 'Delay') {
    const seconds = body.NextLoginDelayInSeconds;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
      throw new ApiAccessError(APIACCESS_BAD_RESPONSE, `${vendor}: login answered "Delay" without a valid NextLoginDelayInSeconds.`, { status: res.status });
    }
    return { kind: 'delay', seconds };
  }
  if (status === 'Success') {
    const cookieName = body.CookieName;
    if (typeof cookieName !== 'string' || cookieName === '') {
      throw new ApiAccessError(APIACCESS_BAD_RESPONSE, `${vendor}: login answered "Success" without a CookieName.`, { status: res.status });
    }
    const cookie = parseSetCookie(res.headers['set-cookie'], nowMs).find((c) => c.name === cookieName && !c.expired);
    if (!cookie) throw new ApiAccessError(APIACCESS_BAD_RESPONSE, `${vendor}: login succeeded but set no "${cookieName}" cookie.`, { status: res.status });
    registerSecret(cookie.value);
    return { kind: 'success', cookieName, cookieValue: cookie.value };
  }
  throw new ApiAccessError(APIACCESS_BAD_RESPONSE, `${vendor}: login answered an unknown Status "${redact(status).slice(0, 40)}".`, { status: res.status });
}

/** One forms-auth session: its cookie, its login delay, and the session routes. */
export class CookieSession {
  private readonly http: HttpClient;
  private readonly clock: IClock;
  private readonly paths: CookieSessionPaths;
  private readonly vendor: string;
  private readonly maxLoginWaitMs: number;
  private readonly maxLoginAttempts: number;
  private readonly username: string;
  private password: string;
  private cookie: { readonly name: string; readonly value: string } | undefined;
  private notBefore: number | undefined;
  private pending: Promise<void> | undefined;
  private attempts = 0;

  constructor(options: CookieSessionOptions) {
    assertArgument(typeof options?.username === 'string' && options.username.length > 0, '"username"', 'must be a non-empty string.');
    assertArgument(typeof options.password === 'string' && options.password.length > 0, '"password"', 'must be a non-empty string.');
    const maxWait = options.maxLoginWaitSeconds ?? 60;
    assertArgument(Number.isFinite(maxWait) && maxWait >= 0, '"maxLoginWaitSeconds"', 'must be a non-negative number.');
    const maxAttempts = options.maxLoginAttempts ?? 2;
    assertArgument(Number.isInteger(maxAttempts) && maxAttempts >= 1, '"maxLoginAttempts"', 'must be a positive integer.');
    registerSecret(options.password);
    assertArgument(typeof options.vendor === 'string' && options.vendor.length > 0, '"vendor"', 'must be a non-empty string.');
    const paths = options.paths;
    assertArgument(
      typeof paths === 'object' && paths !== null && [paths.login, paths.logout, paths.status, paths.changePassword].every((p) => typeof p === 'string'),
      '"paths"',
      'needs string "login", "logout", "status" and "changePassword" paths.',
    );
    this.vendor = options.vendor;
    this.http = new HttpClient({
      baseUrl: options.baseUrl,
      dispatcher: options.dispatcher ?? createDefaultDispatcher(),
      vendor: this.vendor,
      timeoutMs: options.timeoutMs ?? 30_000,
    });
    this.clock = options.clock ?? systemClock;
    this.paths = { login: paths.login, logout: paths.logout, status: paths.status, changePassword: paths.changePassword };
    this.maxLoginWaitMs = maxWait * 1000;
    this.maxLoginAttempts = maxAttempts;
    this.username = options.username;
    this.password = options.password;
  }

  /** True while the session holds a cookie (the server may still have ended it). */
  get active(): boolean {
    return this.cookie !== undefined;
  }

  /** Login requests sent so far (tests, diagnostics). */
  get loginAttempts(): number {
    return this.attempts;
  }

  /** Time (ms) before which no login will be tried, when the vendor asked for a delay. */
  get nextLoginAt(): number | undefined {
    return this.notBefore;
  }

  /** The `name=value` pair to send, logging in first when there is no cookie. */
  async cookieHeader(signal?: AbortSignal): Promise<string> {
    if (!this.cookie) await this.login(signal);
    const cookie = this.cookie;
    if (!cookie) throw new ApiAccessError(APIACCESS_UNAUTHORIZED, `${this.vendor}: the session ended while the request waited for it.`);
    return `${cookie.name}=${cookie.value}`;
  }

  /** Logs in (once, however many callers ask at the same time), honouring the vendor's delay. */
  login(signal?: AbortSignal): Promise<void> {
    this.pending ??= this.runLogin(signal).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forgets the cookie; with `pair`, only when it is still the one in use (a 401 to an old cookie). */
  invalidate(pair?: string): void {
    if (pair === undefined || (this.cookie && `${this.cookie.name}=${this.cookie.value}` === pair)) this.cookie = undefined;
  }

  /** Applies Set-Cookie headers of any answer to the session cookie (renewal or removal). */
  observe(setCookie: string | readonly string[] | undefined): void {
    const name = this.cookie?.name;
    if (name === undefined) return;
    for (const c of parseSetCookie(setCookie, this.clock.now())) {
      if (c.name !== name) continue;
      if (c.expired) this.cookie = undefined;
      else {
        registerSecret(c.value);
        this.cookie = { name: c.name, value: c.value };
      }
    }
  }

  /** Ends the session on the server and forgets the cookie. */
  async logout(signal?: AbortSignal): Promise<LogoutStatus> {
    const res = await this.http.request({ method: 'POST', path: this.paths.logout, headers: this.cookieHeaders(), signal });
    if (res.status !== 200) throw httpError(this.vendor, res, `${this.vendor}: logout failed`);
    const status = statusOf(res, this.vendor, 'logout');
    if (status !== 'Logged out' && status !== 'No active session found') {
      throw new ApiAccessError(APIACCESS_BAD_RESPONSE, `${this.vendor}: logout answered an unknown Status.`, { status: res.status });
    }
    this.cookie = undefined;
    return status;
  }

  /** Asks the server whether the current cookie (if any) is a live session. Never logs in. */
  async status(signal?: AbortSignal): Promise<LoginStatus> {
    const res = await this.http.request({ method: 'GET', path: this.paths.status, headers: this.cookieHeaders(), signal });
    if (res.status !== 200) throw httpError(this.vendor, res, `${this.vendor}: login status failed`);
    this.observe(res.headers['set-cookie']);
    const status = statusOf(res, this.vendor, 'login status');
    if (status !== 'authenticated' && status !== 'unauthenticated') {
      throw new ApiAccessError(APIACCESS_BAD_RESPONSE, `${this.vendor}: login status answered an unknown Status.`, { status: res.status });
    }
    if (status === 'unauthenticated') this.cookie = undefined;
    return status;
  }

  /**
   * Changes the user's password (logging in first when needed); `currentPassword` defaults to the
   * one the session logs in with. A wrong current password is
   * APIACCESS_VENDOR_REJECTED (field `password`); an ended session is logged in again once.
   * On success later logins use the new password.
   */
  async changePassword(input: { readonly newPassword: string; readonly currentPassword?: string }, signal?: AbortSignal): Promise<void> {
    const newPassword = input?.newPassword;
    const currentPassword = input?.currentPassword ?? this.password;
    assertArgument(typeof currentPassword === 'string' && currentPassword.length > 0, '"currentPassword"', 'must be a non-empty string.');
    assertArgument(typeof newPassword === 'string' && newPassword.length > 0, '"newPassword"', 'must be a non-empty string.');
    registerSecret(currentPassword);
    registerSecret(newPassword);
    for (let round = 0; ; round++) {
      const pair = await this.cookieHeader(signal);
      const res = await this.http.request({
        method: 'POST',
        path: this.paths.changePassword,
        headers: { cookie: pair },
        body: { Password: currentPassword, NewPassword: newPassword },
        signal,
      });
      if (res.status !== 200) throw httpError(this.vendor, res, `${this.vendor}: changing the password failed`);
      this.observe(res.headers['set-cookie']);
      const status = statusOf(res, this.vendor, 'change password');
      if (status === 'Success') {
        this.password = newPassword;
        return;
      }
      if (status === 'unauthenticated') {
        this.invalidate(pair);
        if (round === 0) continue;
        throw new ApiAccessError(APIACCESS_UNAUTHORIZED, `${this.vendor}: changing the password failed: the session is not authenticated.`, {
          status: res.status,
        });
      }
      if (status === 'Invalid password') {
        throw new ApiAccessError(APIACCESS_VENDOR_REJECTED, `${this.vendor}: changing the password failed: the current password is wrong.`, {
          status: res.status,
          field: 'password',
        });
      }
      throw new ApiAccessError(APIACCESS_VENDOR_REJECTED, `${this.vendor}: changing the password was refused (Status "${redact(status).slice(0, 60)}").`, {
        status: res.status,
      });
    }
  }

  private cookieHeaders(): Record<string, string> {
    return this.cookie ? { cookie: `${this.cookie.name}=${this.cookie.value}` } : {};
  }

  private delayedError(waitMs: number, cause?: unknown): ApiAccessError {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    return new ApiAccessError(
      APIACCESS_LOGIN_DELAYED,
      `${this.vendor}: login is delayed; the next attempt is allowed in ${seconds} s. The vendor answers "Delay" to a wrong username or password and to a login tried too early.`,
      { retryAfterSeconds: seconds, cause },
    );
  }

  /** Waits until a login may be tried, or throws when that is further away than allowed. */
  private async waitForTurn(signal?: AbortSignal): Promise<void> {
    if (this.notBefore === undefined) return;
    const waitMs = this.notBefore - this.clock.now();
    if (waitMs <= 0) return;
    if (waitMs > this.maxLoginWaitMs) throw this.delayedError(waitMs);
    await this.clock.sleep(waitMs, signal);
  }

  private async runLogin(signal?: AbortSignal): Promise<void> {
    this.cookie = undefined;
    for (let attempt = 1; ; attempt++) {
      await this.waitForTurn(signal);
      this.attempts += 1;
      const res = await this.http.request({
        method: 'POST',
        path: this.paths.login,
        body: { Username: this.username, Password: this.password },
        signal,
      });
      const outcome = processLoginResponse(res, this.vendor, this.clock.now());
      if (outcome.kind === 'success') {
        this.notBefore = undefined;
        this.cookie = { name: outcome.cookieName, value: outcome.cookieValue };
        return;
      }
      this.notBefore = this.clock.now() + outcome.seconds * 1000;
      if (attempt >= this.maxLoginAttempts) throw this.delayedError(outcome.seconds * 1000);
    }
  }
}

/** Passes everything on, after showing the answer's headers to the session. */
class SessionHandler implements Dispatcher.DispatchHandler {
  constructor(
    private readonly downstream: Dispatcher.DispatchHandler,
    private readonly session: CookieSession,
    private readonly pair: string,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.downstream.onRequestStart?.(controller, context);
  }
  onRequestUpgrade(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, socket: Duplex): void {
    this.downstream.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }
  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, statusMessage?: string): void {
    if (statusCode === 401) this.session.invalidate(this.pair);
    else this.session.observe(headers['set-cookie']);
    this.downstream.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }
  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.downstream.onResponseData?.(controller, chunk);
  }
  onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.downstream.onResponseEnd?.(controller, trailers);
  }
  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.downstream.onResponseError?.(controller, error);
  }
}

/**
 * Adds the session cookie to every request (after the caller's own cookies), logging in first when
 * the session has none. A 401 answer makes the session forget that cookie, so the next request logs
 * in again; the 401 itself is passed on (the caller decides whether to repeat the call).
 */
export function createCookieSessionInterceptor(session: CookieSession): Interceptor {
  assertArgument(typeof session?.cookieHeader === 'function' && typeof session.invalidate === 'function', '"session"', 'must be a CookieSession.');
  return (dispatch) =>
    function cookieSessionInterceptor(opts, handler) {
      return sendWhenReady(session.cookieHeader(signalOf(opts)), handler, (pair) => {
        const headers = normalizeHeaders(opts.headers);
        const existing = headers.cookie;
        headers.cookie = existing === undefined ? pair : `${(Array.isArray(existing) ? existing : [existing]).join('; ')}; ${pair}`;
        dispatch({ ...opts, headers }, new SessionHandler(handler, session, pair));
      });
    };
}
