/**
 * The Silobreaker emulator's own model of the API (written from the vendor's public API docs,
 * independent of the client): one account with its users, API keys with their shared keys (the server
 * needs the shared key itself to check digests), forms-auth sessions, the login delay per user, the
 * request windows of the (PROPOSED) rate limit, and a handful of documents to search.
 */
import { createHash } from 'node:crypto';

/** A user who can log in with a cookie session. The password is kept as a sha256 hex digest. */
interface UserRecord {
  Username: string;
  PasswordSha256: string;
}

/** An API key and the shared key its digests are made with. */
interface ApiKeyRecord {
  ApiKey: string;
  SharedKey: string;
  Description: string;
  /** ISO time of creation. */
  Created: string;
}

/** A forms-auth session (the value of the session cookie). */
export interface SessionRecord {
  Cookie: string;
  Username: string;
  Created: string;
  /** Last use; the session ends after {@link SESSION_IDLE_SECONDS} without one. */
  LastSeen: string;
}

/** The login delay of one user name (lower-cased). */
interface ThrottleRecord {
  Username: string;
  /** Failed or early attempts since the last success. */
  Failures: number;
  /** ISO time before which a login attempt earns a new, longer delay. */
  NextLoginAt: string;
}

/** One fixed request window of the (PROPOSED) rate limit, per API key or per session user. */
interface RateWindowRecord {
  Caller: string;
  WindowStart: string;
  Count: number;
}

/** The whole emulator state, as plain JSON. */
export interface SilobreakerState {
  users: UserRecord[];
  apiKeys: ApiKeyRecord[];
  sessions: SessionRecord[];
  loginThrottle: ThrottleRecord[];
  rateWindows: RateWindowRecord[];
}

/** The seed's example API key and shared key (Silobreaker "Authentication" page). */
export const SEED_API_KEY = 'MyApiKey';
export const SEED_SHARED_KEY = 'MySharedKey';
export const SEED_API_KEY_DESCRIPTION = 'Documentation example key';
/** The seeded user for cookie (forms) login; a sandbox-only credential. */
export const SEED_USERNAME = 'sandbox.user@example.com';
export const SEED_PASSWORD = 'Sandbox-Passw0rd!';

/** PROPOSED: the forms-auth cookie name (ASP.NET's default), returned as `CookieName`. */
export const COOKIE_NAME = '.ASPXAUTH';
/** PROPOSED: sessions end after 30 minutes without a call (ASP.NET forms default, sliding). */
export const SESSION_IDLE_SECONDS = 30 * 60;
/** PROPOSED: the first login delay after a failure, doubled per further failure or early attempt. */
const FIRST_LOGIN_DELAY_SECONDS = 10;
/** PROPOSED: the longest login delay. */
export const MAX_LOGIN_DELAY_SECONDS = 300;
/** PROPOSED: at most this many authenticated calls per caller per window. */
export const RATE_LIMIT = 120;
export const RATE_WINDOW_SECONDS = 60;
/** PROPOSED: longest API-key description. */
export const MAX_DESCRIPTION_LENGTH = 200;

const SEED_CREATED = '2024-01-01T00:00:00.000Z';

/** sha256 hex of a UTF-8 string. */
export function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** The seed: the documented example key and one user. */
export function seedState(): SilobreakerState {
  return {
    users: [{ Username: SEED_USERNAME, PasswordSha256: sha256(SEED_PASSWORD) }],
    apiKeys: [{ ApiKey: SEED_API_KEY, SharedKey: SEED_SHARED_KEY, Description: SEED_API_KEY_DESCRIPTION, Created: SEED_CREATED }],
    sessions: [],
    loginThrottle: [],
    rateWindows: [],
  };
}

/** The delay after `failures` failed or early attempts: 10, 20, 40 … capped at 300 seconds. */
export function loginDelaySeconds(failures: number): number {
  const n = Math.max(1, failures);
  return Math.min(MAX_LOGIN_DELAY_SECONDS, FIRST_LOGIN_DELAY_SECONDS * 2 ** Math.min(n - 1, 30));
}

/** A document the search routes can return. */
export interface DocumentRecord {
  readonly Id: string;
  readonly Description: string;
  readonly PublicationDate: string;
  readonly SourceUrl: string;
  readonly Entities: readonly string[];
}

/** Fixed search corpus (sandbox only; the data routes exist so the digest has something to guard). */
export const DOCUMENTS: readonly DocumentRecord[] = [
  {
    Id: 'doc-0001',
    Description: 'Sweden raises national cyber threat level after DDoS wave on public services',
    PublicationDate: '2024-02-12T08:30:00Z',
    SourceUrl: 'https://news.example.org/se/ddos-wave',
    Entities: ['Sweden', 'DDoS'],
  },
  {
    Id: 'doc-0002',
    Description: 'Ransomware group claims attack on Nordic logistics firm',
    PublicationDate: '2024-03-04T14:05:00Z',
    SourceUrl: 'https://news.example.org/nordic/ransomware',
    Entities: ['Ransomware', 'Sweden', 'Norway'],
  },
  {
    Id: 'doc-0003',
    Description: 'Phishing campaign impersonates tax authority in Germany',
    PublicationDate: '2024-04-18T10:00:00Z',
    SourceUrl: 'https://news.example.org/de/phishing',
    Entities: ['Phishing', 'Germany'],
  },
];

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** Validates a restored state document; throws naming the offending field. */
export function assertState(doc: unknown): asserts doc is SilobreakerState {
  const fail = (what: string): never => {
    throw new Error(`silobreaker state: ${what}`);
  };
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const str = (v: unknown, nonEmpty = true): boolean => typeof v === 'string' && (!nonEmpty || v !== '');
  const iso = (v: unknown): boolean => typeof v === 'string' && ISO.test(v) && !Number.isNaN(Date.parse(v));
  const keysExactly = (o: Record<string, unknown>, keys: readonly string[], where: string): void => {
    const extra = Object.keys(o).filter((k) => !keys.includes(k));
    if (extra.length > 0) fail(`${where} has unknown field(s) ${extra.join(', ')}`);
  };
  if (!isObj(doc)) fail('expected an object');
  const s = doc as Record<string, unknown>;
  keysExactly(s, ['users', 'apiKeys', 'sessions', 'loginThrottle', 'rateWindows'], 'the state');
  for (const k of ['users', 'apiKeys', 'sessions', 'loginThrottle', 'rateWindows']) if (!Array.isArray(s[k])) fail(`"${k}" must be an array`);

  const usernames = new Set<string>();
  for (const [i, u] of (s.users as unknown[]).entries()) {
    if (!isObj(u)) fail(`users[${i}] must be an object`);
    const r = u as Record<string, unknown>;
    keysExactly(r, ['Username', 'PasswordSha256'], `users[${i}]`);
    if (!str(r.Username)) fail(`users[${i}].Username must be a non-empty string`);
    if (typeof r.PasswordSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(r.PasswordSha256)) fail(`users[${i}].PasswordSha256 must be 64 hex characters`);
    const key = (r.Username as string).toLowerCase();
    if (usernames.has(key)) fail(`users[${i}].Username is a duplicate`);
    usernames.add(key);
  }

  const apiKeys = new Set<string>();
  for (const [i, k] of (s.apiKeys as unknown[]).entries()) {
    if (!isObj(k)) fail(`apiKeys[${i}] must be an object`);
    const r = k as Record<string, unknown>;
    keysExactly(r, ['ApiKey', 'SharedKey', 'Description', 'Created'], `apiKeys[${i}]`);
    if (!str(r.ApiKey) || !str(r.SharedKey)) fail(`apiKeys[${i}] needs non-empty ApiKey and SharedKey strings`);
    if (!str(r.Description, false) || (r.Description as string).length > MAX_DESCRIPTION_LENGTH)
      fail(`apiKeys[${i}].Description must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters`);
    if (!iso(r.Created)) fail(`apiKeys[${i}].Created must be an ISO time`);
    if (apiKeys.has(r.ApiKey as string)) fail(`apiKeys[${i}].ApiKey is a duplicate`);
    apiKeys.add(r.ApiKey as string);
  }

  for (const [i, x] of (s.sessions as unknown[]).entries()) {
    if (!isObj(x)) fail(`sessions[${i}] must be an object`);
    const r = x as Record<string, unknown>;
    keysExactly(r, ['Cookie', 'Username', 'Created', 'LastSeen'], `sessions[${i}]`);
    if (!str(r.Cookie) || !str(r.Username)) fail(`sessions[${i}] needs Cookie and Username strings`);
    if (!usernames.has((r.Username as string).toLowerCase())) fail(`sessions[${i}].Username is not a known user`);
    if (!iso(r.Created) || !iso(r.LastSeen)) fail(`sessions[${i}] needs ISO Created and LastSeen`);
  }

  for (const [i, x] of (s.loginThrottle as unknown[]).entries()) {
    if (!isObj(x)) fail(`loginThrottle[${i}] must be an object`);
    const r = x as Record<string, unknown>;
    keysExactly(r, ['Username', 'Failures', 'NextLoginAt'], `loginThrottle[${i}]`);
    if (!str(r.Username)) fail(`loginThrottle[${i}].Username must be a non-empty string`);
    if (typeof r.Failures !== 'number' || !Number.isInteger(r.Failures) || r.Failures < 1) fail(`loginThrottle[${i}].Failures must be a positive integer`);
    if (!iso(r.NextLoginAt)) fail(`loginThrottle[${i}].NextLoginAt must be an ISO time`);
  }

  for (const [i, x] of (s.rateWindows as unknown[]).entries()) {
    if (!isObj(x)) fail(`rateWindows[${i}] must be an object`);
    const r = x as Record<string, unknown>;
    keysExactly(r, ['Caller', 'WindowStart', 'Count'], `rateWindows[${i}]`);
    if (!str(r.Caller)) fail(`rateWindows[${i}].Caller must be a non-empty string`);
    if (!iso(r.WindowStart)) fail(`rateWindows[${i}].WindowStart must be an ISO time`);
    if (typeof r.Count !== 'number' || !Number.isInteger(r.Count) || r.Count < 0) fail(`rateWindows[${i}].Count must be a non-negative integer`);
  }
}
