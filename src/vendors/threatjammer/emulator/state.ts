/**
 * The Threat Jammer emulator's own model of the User API (written from
 * the vendor's public API docs, independent of the client): users, each with exactly
 * one API key, a plan with its monthly and per-minute buckets, the live bucket counters, and the
 * key's activity log. The whole state is plain JSON.
 */
import { randomAlnum } from '../../../sandbox/util';

/** The only public region (Dublin, AWS), as `/v1/token` reports it. */
export const REGION_ID = 'aws-eu-west-3';

/** `tja_` + 36 base-62 characters, 40 in all. */
export const KEY_PATTERN = /^tja_[0-9A-Za-z]{36}$/;
const KEY_PREFIX = 'tja_';

/** The seeded user's key: a fixed value of the documented shape (see the vendor README). */
export const SEED_API_KEY = 'tja_SandboxSeedKey0000ThreatJammer0Dub1n';
export const SEED_USER_ID = 'usr_sandbox_seed';
const SEED_EMAIL = 'seed-user@example.com';

/** One month of the monthly bucket: 30 days from registration. */
export const MONTH_MS = 30 * 24 * 60 * 60 * 1000;
/** The per-minute bucket is reset this long after the first call that found it empty. */
export const MINUTE_MS = 60 * 1000;
/** The bucket is refilled once per second. */
export const REFILL_TICK_MS = 1000;
/** Most activity entries kept per user (oldest dropped first). */
export const MAX_ACTIVITY = 200;

type KeyStatus = 'ENABLED' | 'DISABLED';

/** Limits of a plan. */
export interface PlanLimits {
  /** Monthly bucket size (`last_month_bucket_init_value`). */
  month: number;
  /** Per-minute bucket size (`last_minute_bucket_init_value`). */
  minute: number;
  /** Calls per second given back to the per-minute bucket (`last_minute_bucket_refill_ratio`). */
  refillRatio: number;
}

/** The plans the sandbox knows. The docs only publish the Free plan (5000 / month, 10 / minute). */
const PLANS: Readonly<Record<string, PlanLimits>> = {
  // The refill ratio of the Free plan is not published; 1 per second is the documented example's value.
  Free: { month: 5000, minute: 10, refillRatio: 1 },
};

interface KeyRecord {
  value: string;
  status: KeyStatus;
  createdAt: number;
  updatedAt: number;
}

/** Monthly bucket: calls counted in the 30-day period that started at `periodStart`. */
interface MonthBucket {
  periodStart: number;
  used: number;
}

/**
 * Per-minute bucket: `used` calls not yet given back; one refill tick every second since
 * `refilledAt` gives back `refillRatio` calls; at `resetAt` (one minute after the first call
 * that found it empty) the bucket is emptied. `resetAt` is null while the bucket is empty.
 */
interface MinuteBucket {
  used: number;
  refilledAt: number;
  resetAt: number | null;
}

interface ActivityRecord {
  id: string;
  event: string;
  description: string;
  data: Record<string, unknown>;
  source: { address: string; ua_string: string; status_code: number; uri: string; body: string; method: string };
  createdAt: number;
}

export interface UserRecord {
  id: string;
  email: string;
  plan: string;
  region: string;
  registeredAt: number;
  limits: PlanLimits;
  key: KeyRecord;
  month: MonthBucket;
  minute: MinuteBucket;
  activity: ActivityRecord[];
}

export interface ThreatJammerState {
  version: 1;
  users: UserRecord[];
}

/** A new key value that no user holds. */
export function newKeyValue(state: ThreatJammerState): string {
  for (;;) {
    const value = `${KEY_PREFIX}${randomAlnum(36)}`;
    if (!state.users.some((u) => u.key.value === value)) return value;
  }
}

/** A user record registered at `now` with a fresh (or the given) key. */
export function newUser(
  state: ThreatJammerState,
  now: number,
  options: { id?: string; email: string; plan?: string; limits?: PlanLimits; region?: string; key?: string },
): UserRecord {
  const plan = options.plan ?? 'Free';
  const limits = options.limits ?? PLANS[plan];
  if (!limits) throw new Error(`threatjammer: unknown plan "${plan}"`);
  const key = options.key ?? newKeyValue(state);
  if (!KEY_PATTERN.test(key)) throw new Error('threatjammer: a key must be tja_ followed by 36 base-62 characters');
  if (state.users.some((u) => u.key.value === key)) throw new Error('threatjammer: that key already belongs to a user');
  const id = options.id ?? `usr_${randomAlnum(12)}`;
  return {
    id,
    email: options.email,
    plan,
    region: options.region ?? REGION_ID,
    registeredAt: now,
    limits: { ...limits },
    key: { value: key, status: 'ENABLED', createdAt: now, updatedAt: now },
    month: { periodStart: now, used: 0 },
    minute: { used: 0, refilledAt: now, resetAt: null },
    activity: [
      {
        id: randomAlnum(16),
        event: 'TOKEN_CREATED',
        description: 'API key created at sign-up.',
        data: {},
        source: { address: '127.0.0.1', ua_string: 'sandbox', status_code: 201, uri: '/signup', body: '', method: 'POST' },
        createdAt: now,
      },
    ],
  };
}

/** The seed: one Free-plan user registered at `now`, holding {@link SEED_API_KEY}. */
export function seedState(now: number): ThreatJammerState {
  const state: ThreatJammerState = { version: 1, users: [] };
  state.users.push(newUser(state, now, { id: SEED_USER_ID, email: SEED_EMAIL, key: SEED_API_KEY }));
  return state;
}

/** Validates a restored state document; throws naming the offending field. */
export function assertState(doc: unknown): asserts doc is ThreatJammerState {
  const fail = (what: string): never => {
    throw new Error(`threatjammer state: ${what}`);
  };
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (!isObj(doc)) return fail('expected an object');
  if (doc.version !== 1) fail('"version" must be 1');
  if (!Array.isArray(doc.users)) return fail('"users" must be an array');
  const keys = new Set<string>();
  const ids = new Set<string>();
  for (const [i, u] of (doc.users as unknown[]).entries()) {
    const at = `users[${i}]`;
    if (!isObj(u)) return fail(`${at} must be an object`);
    if (typeof u.id !== 'string' || u.id === '') fail(`${at}.id must be a non-empty string`);
    if (ids.has(u.id as string)) fail(`${at}.id is used twice`);
    ids.add(u.id as string);
    if (typeof u.email !== 'string') fail(`${at}.email must be a string`);
    if (typeof u.plan !== 'string') fail(`${at}.plan must be a string`);
    if (typeof u.region !== 'string') fail(`${at}.region must be a string`);
    if (!isTime(u.registeredAt)) fail(`${at}.registeredAt must be a time in ms`);
    const l = u.limits;
    if (!isObj(l) || !isCount(l.month) || !isCount(l.minute) || !isCount(l.refillRatio)) {
      fail(`${at}.limits needs non-negative integers month, minute, refillRatio`);
    }
    const k = u.key;
    if (!isObj(k)) return fail(`${at}.key must be an object`);
    if (typeof k.value !== 'string' || !KEY_PATTERN.test(k.value)) fail(`${at}.key.value must be tja_ + 36 base-62 characters`);
    if (keys.has(k.value as string)) fail(`${at}.key.value belongs to two users`);
    keys.add(k.value as string);
    if (k.status !== 'ENABLED' && k.status !== 'DISABLED') fail(`${at}.key.status must be ENABLED or DISABLED`);
    if (!isTime(k.createdAt) || !isTime(k.updatedAt)) fail(`${at}.key needs createdAt and updatedAt in ms`);
    const m = u.month;
    if (!isObj(m) || !isTime(m.periodStart) || !isCount(m.used)) fail(`${at}.month needs periodStart (ms) and used (count)`);
    const n = u.minute;
    if (!isObj(n) || !isCount(n.used) || !isTime(n.refilledAt) || !(n.resetAt === null || isTime(n.resetAt))) {
      fail(`${at}.minute needs used (count), refilledAt (ms) and resetAt (ms or null)`);
    }
    if (!Array.isArray(u.activity)) return fail(`${at}.activity must be an array`);
    for (const [j, a] of (u.activity as unknown[]).entries()) {
      if (!isObj(a) || typeof a.id !== 'string' || typeof a.event !== 'string' || typeof a.description !== 'string' || !isTime(a.createdAt)) {
        fail(`${at}.activity[${j}] needs id, event, description and createdAt`);
      }
      const s = (a as Record<string, unknown>).source;
      if (!isObj((a as Record<string, unknown>).data) || !isObj(s) || typeof s.method !== 'string' || typeof s.status_code !== 'number') {
        fail(`${at}.activity[${j}] needs data and source objects`);
      }
    }
  }
}
