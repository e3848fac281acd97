/**
 * Threat Jammer emulator, served under `/threatjammer` (the Dublin User API host): `GET /test`,
 * `GET /v1/token`, `GET /v1/token/activity`, and the PROPOSED key lifecycle routes
 * (`POST /v1/token/regenerate`, `PUT /v1/token/disable`, `PUT /v1/token/enable`). Strict: the
 * Bearer check, the key format, one key per user, the monthly and per-minute buckets with
 * `Retry-After`, and FastAPI's 422 for bad query parameters. Every window reads the sandbox clock.
 */
import { STATUS_CODES } from 'node:http';
import { Router } from '../../../sandbox/router';
import { checkedCopy, StatefulEmulator } from '../../../sandbox/stateful';
import type { EmulatorFactory, SandboxContext, SandboxRequest, SandboxResponse } from '../../../sandbox/types';
import { clone, randomAlnum, sentence } from '../../../sandbox/util';
import { authenticate, DETAIL_DISABLED, problem, unauthorized } from './auth';
import { consume, quotaView, refusal, settle } from './quota';
import { assertState, MAX_ACTIVITY, newKeyValue, newUser, type PlanLimits, seedState, type ThreatJammerState, type UserRecord } from './state';

export { KEY_PATTERN, MONTH_MS, PLANS, REGION_ID, SEED_API_KEY, SEED_EMAIL, SEED_USER_ID } from './state';
export type { PlanLimits, ThreatJammerState, UserRecord } from './state';
export { DETAIL_DISABLED, DETAIL_MALFORMED, DETAIL_MISSING_BEARER, DETAIL_MISSING_HEADER, DETAIL_OTHER_REGION, DETAIL_UNKNOWN } from './auth';

/** How a route treats a key and the quota. */
interface RoutePolicy {
  /** A DISABLED key may call it (reading the token, switching it back on). */
  readonly disabledAllowed: boolean;
  /** The call is a User API call: it is checked against, and counted in, both buckets. */
  readonly metered: boolean;
}

const METERED: RoutePolicy = { disabledAllowed: false, metered: true };
const METERED_DISABLED_OK: RoutePolicy = { disabledAllowed: true, metered: true };
/** `/test` is not part of the API; the key routes stand in for the website's buttons. Neither is metered (PROPOSED). */
const UNMETERED: RoutePolicy = { disabledAllowed: false, metered: false };
const UNMETERED_DISABLED_OK: RoutePolicy = { disabledAllowed: true, metered: false };

/** One FastAPI validation error item (pydantic v1 wording). */
interface ValidationItem {
  loc: (string | number)[];
  msg: string;
  type: string;
  ctx?: Record<string, unknown>;
}

/** The Threat Jammer emulator with its routes and state. */
export class ThreatJammerEmulator extends StatefulEmulator<ThreatJammerState> {
  readonly name = 'threatjammer';
  readonly prefix = '/threatjammer';
  readonly router = new Router();

  constructor(ctx: SandboxContext) {
    super({ now: () => Math.floor(ctx.clock.now()), seed: seedState, parse: checkedCopy(assertState) });
    const r = this.router;
    r.get('/test', (req) => this.guarded(req, UNMETERED, () => ({ status: 200, body: { status: 'OK' } })));
    r.get('/v1/token', (req) => this.guarded(req, METERED_DISABLED_OK, (_user, before) => ({ status: 200, body: before })));
    r.get('/v1/token/activity', (req) => this.guarded(req, METERED, (user) => this.activity(req, user)));
    r.post('/v1/token/regenerate', (req) => this.guarded(req, UNMETERED, (user) => this.regenerate(req, user)));
    r.put('/v1/token/disable', (req) => this.guarded(req, UNMETERED_DISABLED_OK, (user) => this.setStatus(req, user, 'DISABLED')));
    r.put('/v1/token/enable', (req) => this.guarded(req, UNMETERED_DISABLED_OK, (user) => this.setStatus(req, user, 'ENABLED')));
  }

  /** The handled-error shape (`title`, `detail`, `type:`) for the sandbox core's own answers. */
  errorBody(status: number, message: string): SandboxResponse {
    if (status === 404) return problem(404, 'Resource not found', sentence(message), 'error-resource-not-found');
    const title = STATUS_CODES[status] ?? 'Error';
    return problem(status, title, sentence(message), `error-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`);
  }

  /**
   * Sandbox administration (not part of the vendor surface): registers a user now and returns its
   * key. Limits default to the plan's (Free: 5000 / month, 10 / minute, refill 1 per second).
   */
  addUser(options: { email: string; plan?: string; limits?: PlanLimits; region?: string; key?: string }): { id: string; apiKey: string } {
    const user = newUser(this.state, this.now(), options);
    this.state.users.push(user);
    return { id: user.id, apiKey: user.key.value };
  }

  /** Sandbox administration: changes a user's limits (the user is found by id or current key). */
  setLimits(idOrKey: string, limits: Partial<PlanLimits>): void {
    const user = this.findUser(idOrKey);
    user.limits = { ...user.limits, ...limits };
  }

  /** A copy of a user's record (by id or current key), with the buckets brought up to now. */
  user(idOrKey: string): UserRecord {
    const user = this.findUser(idOrKey);
    settle(user, this.now());
    return clone(user);
  }

  private findUser(idOrKey: string): UserRecord {
    const user = this.state.users.find((u) => u.id === idOrKey || u.key.value === idOrKey);
    if (!user) throw new Error('threatjammer: no such user');
    return user;
  }

  /**
   * The pipeline every route shares: Bearer check (401), disabled key (401 unless the route allows
   * it), then for metered routes the quota check (429 + Retry-After, not counted) and the count.
   * The handler gets the token view as it stood before this call was counted.
   */
  private guarded(req: SandboxRequest, policy: RoutePolicy, handler: (user: UserRecord, before: Record<string, unknown>) => SandboxResponse): SandboxResponse {
    const auth = authenticate(this.state, req);
    if ('response' in auth) return auth.response;
    const user = auth.user;
    if (user.key.status === 'DISABLED' && !policy.disabledAllowed) return unauthorized(DETAIL_DISABLED);
    const now = this.now();
    settle(user, now);
    if (policy.metered) {
      const refused = refusal(user, now);
      if (refused) {
        const detail =
          refused.bucket === 'month'
            ? `The monthly quota of ${user.limits.month} requests is used up. Retry after ${refused.retryAfterSeconds} seconds.`
            : `The per-minute rate limit of ${user.limits.minute} requests is exceeded. Retry after ${refused.retryAfterSeconds} seconds.`;
        return problem(429, 'Too many requests', detail, 'error-too-many-requests', { 'retry-after': String(refused.retryAfterSeconds) });
      }
    }
    const before = this.tokenView(user, now);
    if (policy.metered) consume(user, now);
    return handler(user, before);
  }

  private tokenView(user: UserRecord, now: number): Record<string, unknown> {
    return {
      self: `/v1/token/${user.key.value}`,
      region_id: user.region,
      ...quotaView(user, now),
      status: user.key.status,
      created_at: user.key.createdAt,
      updated_at: user.key.updatedAt,
    };
  }

  private activity(req: SandboxRequest, user: UserRecord): SandboxResponse {
    const errors: ValidationItem[] = [];
    const page = intQuery(req, 'page', 1, 1, undefined, errors);
    const pageSize = intQuery(req, 'page_size', 20, 1, 100, errors);
    // Counted already: a call rejected for its arguments still uses quota (documented).
    if (errors.length > 0) return { status: 422, headers: { 'content-type': 'application/json' }, body: { detail: errors } };
    const newestFirst = [...user.activity].reverse();
    const slice = newestFirst.slice((page - 1) * pageSize, page * pageSize);
    return {
      status: 200,
      body: {
        self: `/v1/token/activity?page=${page}&page_size=${pageSize}`,
        page,
        page_size: pageSize,
        activities: slice.map((a) => ({
          self: `/v1/token/activity/${a.id}`,
          event: a.event,
          description: a.description,
          data: a.data,
          source: a.source,
          created_at: a.createdAt,
        })),
      },
    };
  }

  private regenerate(req: SandboxRequest, user: UserRecord): SandboxResponse {
    const now = this.now();
    // One key per user: the new key replaces the old one, which is unknown from now on.
    user.key = { value: newKeyValue(this.state), status: 'ENABLED', createdAt: now, updatedAt: now };
    this.record(user, req, 200, 'TOKEN_REGENERATED', 'API key regenerated; the previous key no longer works.');
    return { status: 200, body: { ...this.tokenView(user, now), api_key: user.key.value } };
  }

  private setStatus(req: SandboxRequest, user: UserRecord, status: 'ENABLED' | 'DISABLED'): SandboxResponse {
    if (user.key.status !== status) {
      user.key.status = status;
      user.key.updatedAt = this.now();
      this.record(user, req, 204, status === 'ENABLED' ? 'TOKEN_ENABLED' : 'TOKEN_DISABLED', `API key ${status.toLowerCase()}.`);
    }
    return { status: 204 };
  }

  private record(user: UserRecord, req: SandboxRequest, statusCode: number, event: string, description: string): void {
    user.activity.push({
      id: randomAlnum(16),
      event,
      description,
      data: {},
      source: {
        address: req.ip,
        ua_string: req.headers['user-agent'] ?? '',
        status_code: statusCode,
        uri: req.path,
        body: '',
        method: req.method,
      },
      createdAt: this.now(),
    });
    if (user.activity.length > MAX_ACTIVITY) user.activity.splice(0, user.activity.length - MAX_ACTIVITY);
  }
}

/** Reads an integer query parameter the way FastAPI + pydantic v1 would, collecting 422 items. */
function intQuery(req: SandboxRequest, name: string, fallback: number, min: number, max: number | undefined, errors: ValidationItem[]): number {
  const raw = req.query.get(name);
  if (raw === null) return fallback;
  if (!/^[+-]?\d+$/.test(raw.trim())) {
    errors.push({ loc: ['query', name], msg: 'value is not a valid integer', type: 'type_error.integer' });
    return fallback;
  }
  const value = Number.parseInt(raw.trim(), 10);
  if (value < min) {
    errors.push({
      loc: ['query', name],
      msg: `ensure this value is greater than or equal to ${min}`,
      type: 'value_error.number.not_ge',
      ctx: { limit_value: min },
    });
  } else if (max !== undefined && value > max) {
    errors.push({
      loc: ['query', name],
      msg: `ensure this value is less than or equal to ${max}`,
      type: 'value_error.number.not_le',
      ctx: { limit_value: max },
    });
  }
  return value;
}

/** The factory the sandbox calls. */
export const createThreatJammerEmulator: EmulatorFactory = (ctx) => new ThreatJammerEmulator(ctx);
