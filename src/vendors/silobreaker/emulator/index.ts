/**
 * Silobreaker emulator, served under `/silobreaker`: the digest-signed data routes
 * (`/search/documents/{query}`, `/documents`), forms-auth cookie login with growing delays
 * (`/v1/login`, `/v1/logout`, `/v1/loginstatus`, `/v1/changepassword`) and the PROPOSED API-key
 * management routes (`/v1/apikeys`) behind a cookie session. Strict: a digest is checked over the URL
 * exactly as received and the raw body bytes; every malformed or unauthenticated call is rejected.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { Router } from '../../../sandbox/router';
import { checkedCopy, StatefulEmulator } from '../../../sandbox/stateful';
import type { EmulatorFactory, SandboxContext, SandboxRequest, SandboxResponse } from '../../../sandbox/types';
import { jsonBody, randomAlnum, sentence } from '../../../sandbox/util';
import { checkDigest, cookieValue } from './auth';
import {
  assertState,
  COOKIE_NAME,
  DOCUMENTS,
  type DocumentRecord,
  loginDelaySeconds,
  MAX_DESCRIPTION_LENGTH,
  RATE_LIMIT,
  RATE_WINDOW_SECONDS,
  seedState,
  SESSION_IDLE_SECONDS,
  type SessionRecord,
  sha256,
  type SilobreakerState,
} from './state';

export {
  COOKIE_NAME,
  MAX_LOGIN_DELAY_SECONDS,
  RATE_LIMIT,
  SEED_API_KEY,
  SEED_API_KEY_DESCRIPTION,
  SEED_PASSWORD,
  SEED_SHARED_KEY,
  SEED_USERNAME,
  SESSION_IDLE_SECONDS,
  MAX_DESCRIPTION_LENGTH,
} from './state';
export type { SilobreakerState } from './state';
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
/** The most live sessions kept; idle ones are purged at each login, then the oldest dropped. */
export const MAX_SESSIONS = 1_000;
/** The most login-throttle and rate-window records kept (oldest dropped). */
const MAX_TRACKED_CALLERS = 10_000;
/** PROPOSED: new passwords shorter than this are refused. */
const MIN_PASSWORD_LENGTH = 8;

function reply(body: unknown, status = 200, headers: Record<string, string> = {}): SandboxResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body };
}

/** PROPOSED failure answers (the vendor documents none). */
const unauthorized = (): SandboxResponse => reply({ Status: 'Unauthorized' }, 401);
const invalid = (message: string): SandboxResponse => reply({ Status: 'Invalid request', Message: message }, 400);
const notFound = (): SandboxResponse => reply({ Status: 'Not found' }, 404);

/** The body as a JSON object with exactly the allowed fields, all strings; or the reason it is not. */
function stringFields(req: SandboxRequest, required: readonly string[]): { ok: true; value: Record<string, string> } | { ok: false; reason: string } {
  const parsed = jsonBody(req);
  if (!parsed.ok) return parsed;
  const unknown = Object.keys(parsed.value).filter((k) => !required.includes(k));
  if (unknown.length > 0) return { ok: false, reason: `unknown field(s): ${unknown.join(', ')}` };
  const out: Record<string, string> = {};
  for (const k of required) {
    const v = parsed.value[k];
    if (typeof v !== 'string') return { ok: false, reason: `${k} must be a string` };
    out[k] = v;
  }
  return { ok: true, value: out };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Who is calling, once authenticated. */
interface Caller {
  /** Rate-limit key: `key:<ApiKey>` or `user:<username>`. */
  readonly id: string;
  readonly session: SessionRecord | undefined;
}

/** The Silobreaker emulator with its routes and state. */
export class SilobreakerEmulator extends StatefulEmulator<SilobreakerState> {
  readonly name = 'silobreaker';
  readonly prefix = '/silobreaker';
  readonly router = new Router();
  private holdCreateMs = 0;

  constructor(ctx: SandboxContext) {
    super({ now: () => ctx.clock.now(), seed: () => seedState(), parse: checkedCopy(assertState) });
    const r = this.router;
    // Digest- or cookie-authenticated data routes.
    r.get('/search/documents/:query', (req) => this.authed(req, () => this.search(req, req.params.query!)));
    r.post('/search/documents/:query', (req) => this.authed(req, () => this.searchPost(req, req.params.query!)));
    r.get('/documents', (req) => this.authed(req, () => this.documents(req)));
    // Forms authentication (also reached with a trailing slash: the router ignores empty segments).
    r.post('/v1/login', (req) => this.login(req));
    r.get('/v1/logout', (req) => this.logout(req));
    r.post('/v1/logout', (req) => this.logout(req));
    r.get('/v1/loginstatus', (req) => this.loginStatus(req));
    r.post('/v1/loginstatus', (req) => this.loginStatus(req));
    r.post('/v1/changepassword', (req) => this.changePassword(req));
    // PROPOSED API-key management, cookie session only.
    r.get('/v1/apikeys', (req) => this.withSession(req, () => this.listKeys()));
    r.post('/v1/apikeys', (req) => {
      let pending: Promise<SandboxResponse> | undefined;
      const denied = this.withSession(req, (session) => {
        pending = this.idempotency.run(req, session.Username.toLowerCase(), () => this.held(this.createKey(req)));
        return { status: 0 };
      });
      return pending ?? denied;
    });
    r.delete('/v1/apikeys/:apiKey', (req) => this.withSession(req, () => this.deleteKey(req.params.apiKey!)));
  }

  /** Back to the seed; also drops a pending `holdNextCreateAnswer`. */
  override reset(): void {
    super.reset();
    this.holdCreateMs = 0;
  }

  /** PROPOSED `{"Status": <reason>, "Message": ...}` for the sandbox core's own answers. */
  errorBody(status: number, message: string): SandboxResponse {
    const m = sentence(message);
    return status === 400 ? invalid(m) : reply({ Status: STATUS_CODES[status] ?? 'Error', Message: m }, status);
  }

  /**
   * Sandbox-only fault: the next API-key create is carried out, but its answer is held back for
   * `ms` (real time), so a client with a shorter timeout loses it. Not part of the state.
   */
  holdNextCreateAnswer(ms: number): void {
    this.holdCreateMs = ms;
  }

  private async held(out: SandboxResponse): Promise<SandboxResponse> {
    const ms = this.holdCreateMs;
    this.holdCreateMs = 0;
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms).unref());
    return out;
  }

  /** Drops the oldest entries of `list` beyond `max`. */
  private bound(list: unknown[], max: number): void {
    if (list.length > max) list.splice(0, list.length - max);
  }

  private iso(ms = this.now()): string {
    return new Date(ms).toISOString();
  }

  // ---- authentication -------------------------------------------------------------------------

  /** The live session named by the request's cookie (sliding expiry), or undefined. */
  private session(req: SandboxRequest): SessionRecord | undefined {
    const value = cookieValue(req, COOKIE_NAME);
    if (value === undefined) return undefined;
    const s = this.state.sessions.find((x) => x.Cookie === value);
    if (!s) return undefined;
    if (this.now() - Date.parse(s.LastSeen) > SESSION_IDLE_SECONDS * 1000) {
      this.state.sessions = this.state.sessions.filter((x) => x !== s);
      return undefined;
    }
    s.LastSeen = this.iso();
    return s;
  }

  /**
   * Authenticates by digest or cookie. A request carrying `apiKey`/`digest` is judged by them alone
   * (a bad digest is never rescued by a cookie).
   */
  private authenticate(req: SandboxRequest): Caller | SandboxResponse {
    const digest = checkDigest(req, (k) => this.state.apiKeys.find((x) => x.ApiKey === k)?.SharedKey);
    if (digest.kind === 'invalid') return unauthorized();
    const session = this.session(req);
    if (digest.kind === 'valid') return { id: `key:${digest.apiKey}`, session };
    if (session) return { id: `user:${session.Username.toLowerCase()}`, session };
    return unauthorized();
  }

  /** PROPOSED fixed-window rate limit per caller; undefined when the call may proceed. */
  private overLimit(caller: Caller): SandboxResponse | undefined {
    const now = this.now();
    let w = this.state.rateWindows.find((x) => x.Caller === caller.id);
    if (!w || now - Date.parse(w.WindowStart) >= RATE_WINDOW_SECONDS * 1000) {
      this.state.rateWindows = this.state.rateWindows.filter((x) => x.Caller !== caller.id);
      w = { Caller: caller.id, WindowStart: this.iso(now), Count: 0 };
      this.state.rateWindows.push(w);
      this.bound(this.state.rateWindows, MAX_TRACKED_CALLERS);
    }
    if (w.Count >= RATE_LIMIT) {
      const retryAfter = Math.max(1, Math.ceil((Date.parse(w.WindowStart) + RATE_WINDOW_SECONDS * 1000 - now) / 1000));
      return reply({ Status: 'Too many requests' }, 429, { 'retry-after': String(retryAfter) });
    }
    w.Count += 1;
    return undefined;
  }

  private authed(req: SandboxRequest, then: (caller: Caller) => SandboxResponse): SandboxResponse {
    const caller = this.authenticate(req);
    if ('status' in caller) return caller;
    return this.overLimit(caller) ?? then(caller);
  }

  private withSession(req: SandboxRequest, then: (session: SessionRecord) => SandboxResponse): SandboxResponse {
    return this.authed(req, (caller) => (caller.session ? then(caller.session) : unauthorized()));
  }

  // ---- data routes ----------------------------------------------------------------------------

  private formatError(req: SandboxRequest): SandboxResponse | undefined {
    const type = req.query.getAll('type');
    if (type.length > 1 || (type.length === 1 && type[0]!.toLowerCase() !== 'json')) return invalid('type must be json');
    return undefined;
  }

  private found(query: string): SandboxResponse {
    const q = query.toLowerCase();
    const items = DOCUMENTS.filter((d: DocumentRecord) => d.Description.toLowerCase().includes(q) || d.Entities.some((e) => e.toLowerCase() === q));
    return reply({ Items: items.map((d) => ({ ...d, Entities: [...d.Entities] })), TotalCount: items.length });
  }

  private search(req: SandboxRequest, query: string): SandboxResponse {
    return this.formatError(req) ?? (query.trim() === '' ? invalid('the query must not be empty') : this.found(query));
  }

  private searchPost(req: SandboxRequest, query: string): SandboxResponse {
    const body = jsonBody(req);
    if (!body.ok) return invalid(body.reason);
    return this.search(req, query);
  }

  private documents(req: SandboxRequest): SandboxResponse {
    const q = req.query.getAll('q');
    if (q.length !== 1 || q[0]!.trim() === '') return invalid('exactly one non-empty q parameter is required');
    return this.formatError(req) ?? this.found(q[0]!);
  }

  // ---- forms authentication -------------------------------------------------------------------

  private login(req: SandboxRequest): SandboxResponse {
    const body = stringFields(req, ['Username', 'Password']);
    if (!body.ok) return invalid(body.reason);
    const { Username: username, Password: password } = body.value;
    if (username === '') return invalid('Username must not be empty');
    const key = username.toLowerCase();
    const now = this.now();
    const throttle = this.state.loginThrottle.find((t) => t.Username === key);
    const delay = (): SandboxResponse => {
      const t = throttle ?? { Username: key, Failures: 0, NextLoginAt: this.iso(now) };
      t.Failures += 1;
      const seconds = loginDelaySeconds(t.Failures);
      t.NextLoginAt = this.iso(now + seconds * 1000);
      if (!throttle) {
        this.state.loginThrottle.push(t);
        this.bound(this.state.loginThrottle, MAX_TRACKED_CALLERS);
      }
      return reply({ Status: 'Delay', NextLoginDelayInSeconds: seconds });
    };
    // Too early: a new (longer) delay, even with the right password.
    if (throttle && now < Date.parse(throttle.NextLoginAt)) return delay();
    const user = this.state.users.find((u) => u.Username.toLowerCase() === key);
    if (!user || !sameSecret(user.PasswordSha256, sha256(password))) return delay();
    this.state.loginThrottle = this.state.loginThrottle.filter((t) => t.Username !== key);
    const cookie = randomBytes(32).toString('hex').toUpperCase();
    this.state.sessions = this.state.sessions.filter((x) => now - Date.parse(x.LastSeen) <= SESSION_IDLE_SECONDS * 1000);
    this.state.sessions.push({ Cookie: cookie, Username: user.Username, Created: this.iso(now), LastSeen: this.iso(now) });
    this.bound(this.state.sessions, MAX_SESSIONS);
    return reply({ CookieName: COOKIE_NAME, Status: 'Success' }, 200, { 'set-cookie': `${COOKIE_NAME}=${cookie}; path=/; HttpOnly; SameSite=Lax` });
  }

  private logout(req: SandboxRequest): SandboxResponse {
    const session = this.session(req);
    if (!session) return reply({ Status: 'No active session found' });
    this.state.sessions = this.state.sessions.filter((s) => s !== session);
    return reply({ Status: 'Logged out' }, 200, { 'set-cookie': `${COOKIE_NAME}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/; HttpOnly; SameSite=Lax` });
  }

  private loginStatus(req: SandboxRequest): SandboxResponse {
    return reply({ Status: this.session(req) ? 'authenticated' : 'unauthenticated' });
  }

  private changePassword(req: SandboxRequest): SandboxResponse {
    const session = this.session(req);
    if (!session) return reply({ Status: 'unauthenticated' });
    const body = stringFields(req, ['Password', 'NewPassword']);
    if (!body.ok) return invalid(body.reason);
    const user = this.state.users.find((u) => u.Username.toLowerCase() === session.Username.toLowerCase());
    if (!user || !sameSecret(user.PasswordSha256, sha256(body.value.Password!))) return reply({ Status: 'Invalid password' });
    if (body.value.NewPassword!.length < MIN_PASSWORD_LENGTH) return invalid(`NewPassword must be at least ${MIN_PASSWORD_LENGTH} characters`);
    user.PasswordSha256 = sha256(body.value.NewPassword!);
    return reply({ Status: 'Success' });
  }

  // ---- API keys (PROPOSED) --------------------------------------------------------------------

  private listKeys(): SandboxResponse {
    return reply({ Items: this.state.apiKeys.map((k) => ({ ApiKey: k.ApiKey, Description: k.Description, Created: k.Created })) });
  }

  private createKey(req: SandboxRequest): SandboxResponse {
    const body = stringFields(req, ['Description']);
    if (!body.ok) return invalid(body.reason);
    const description = body.value.Description!;
    if (description.trim() === '') return invalid('Description must not be empty');
    if (description.length > MAX_DESCRIPTION_LENGTH) return invalid(`Description must be at most ${MAX_DESCRIPTION_LENGTH} characters`);
    let apiKey: string;
    do apiKey = randomAlnum(24);
    while (this.state.apiKeys.some((k) => k.ApiKey === apiKey));
    const record = { ApiKey: apiKey, SharedKey: randomAlnum(40), Description: description, Created: this.iso() };
    this.state.apiKeys.push(record);
    return reply({ ...record });
  }

  private deleteKey(apiKey: string): SandboxResponse {
    const before = this.state.apiKeys.length;
    this.state.apiKeys = this.state.apiKeys.filter((k) => k.ApiKey !== apiKey);
    return this.state.apiKeys.length === before ? notFound() : reply({ Status: 'Success' });
  }
}

/** Factory for the sandbox registry. */
export const createSilobreakerEmulator: EmulatorFactory = (ctx) => new SilobreakerEmulator(ctx);
