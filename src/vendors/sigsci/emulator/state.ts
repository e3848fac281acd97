/**
 * The Signal Sciences sandbox state: one corp, its users and their personal API access tokens, as
 * plain JSON. Token values are never stored, only their SHA-256 digests, so a state snapshot
 * (`GET /__sandbox/state`) never carries a secret.
 */
import { createHash } from 'node:crypto';
import { isIpv4Entry } from './ip';

/** Corp roles, most privileged first. */
const ROLES = ['owner', 'admin', 'user', 'observer'] as const;
type Role = (typeof ROLES)[number];

/** The corp and its API access token settings. */
export interface CorpState {
  name: string;
  displayName: string;
  smallIconURI: string;
  /** RFC 3339. */
  created: string;
  siteLimit: number;
  authType: string;
  sessionMaxAgeDashboard: number;
  /** IPv4 addresses and CIDR ranges; empty = no restriction. */
  apiAllowedIPs: string[];
  /** Seconds; 0 = tokens never expire. */
  apiTokenMaxAge: number;
  /** "Restrict access by user". */
  restrictedAccessTokens: boolean;
}

/** A corp user. */
export interface UserState {
  /** Lower-case e-mail, the user's key. */
  email: string;
  name: string;
  role: Role;
  /** RFC 3339 with milliseconds, like the recorded CorpUser. */
  created: string;
  apiUser: boolean;
  mfaEnabled: boolean;
  /** The stored grant; it only matters while the corp restricts tokens, and is remembered. */
  accessTokenAllowed: boolean;
}

/** A personal API access token (the value itself is never kept). */
export interface TokenState {
  /** 24 hex characters. */
  id: string;
  name: string;
  /** Lower-case e-mail of the owning user. */
  email: string;
  /** SHA-256 of the value, hex. */
  tokenSha256: string;
  /** RFC 3339; expiry is measured from here. */
  created: string;
  /** RFC 3339 or '' when never used. */
  lastUsed: string;
  lastUsedIP: string;
  lastUsedUserAgent: string;
}

/** The whole emulator state. */
export interface SigSciState {
  corp: CorpState;
  users: UserState[];
  tokens: TokenState[];
}

/** Seeded corp name. */
export const SEED_CORP = 'sandbox-corp';
/** Seeded owner (has one active token). */
export const SEED_OWNER_EMAIL = 'owner@example.com';
/** Seeded non-owner user (no tokens). */
export const SEED_USER_EMAIL = 'user@example.com';
/** The fixed value of the seeded owner token (documented in the README; sandbox only). */
export const SEED_OWNER_TOKEN = '5a9db0c5-0000-4000-8000-00000000c0de';
/** The id of the seeded owner token. */
export const SEED_OWNER_TOKEN_ID = '5a9db0c50000000000000001';
/** The name of the seeded owner token. */
export const SEED_OWNER_TOKEN_NAME = 'sandbox seed';

/** Max personal tokens per user, on every plan. */
export const MAX_TOKENS_PER_USER = 5;

/** SHA-256 hex digest of a token value. */
export function digest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** RFC 3339 without fractional seconds, as the vendor writes `created`. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The seed: one corp, an owner with one active token created `nowMs`, a plain user without tokens. */
export function seedState(nowMs: number): SigSciState {
  return {
    corp: {
      name: SEED_CORP,
      displayName: 'Sandbox Corp',
      smallIconURI: '',
      created: '2022-01-10T18:29:55Z',
      siteLimit: 5,
      authType: 'builtin',
      sessionMaxAgeDashboard: 2592000,
      apiAllowedIPs: [],
      apiTokenMaxAge: 0,
      restrictedAccessTokens: false,
    },
    users: [
      {
        email: SEED_OWNER_EMAIL,
        name: 'Sandbox Owner',
        role: 'owner',
        created: '2022-01-10T18:29:55.000Z',
        apiUser: false,
        mfaEnabled: false,
        accessTokenAllowed: false,
      },
      {
        email: SEED_USER_EMAIL,
        name: 'Sandbox User',
        role: 'user',
        created: '2022-01-18T17:51:41.435Z',
        apiUser: false,
        mfaEnabled: false,
        accessTokenAllowed: false,
      },
    ],
    tokens: [
      {
        id: SEED_OWNER_TOKEN_ID,
        name: SEED_OWNER_TOKEN_NAME,
        email: SEED_OWNER_EMAIL,
        tokenSha256: digest(SEED_OWNER_TOKEN),
        created: rfc3339(nowMs),
        lastUsed: '',
        lastUsedIP: '',
        lastUsedUserAgent: '',
      },
    ],
  };
}

// ---- validation of a restored document -------------------------------------------------------

type Obj = Record<string, unknown>;

function fail(where: string, what: string): never {
  throw new Error(`sigsci state: ${where} ${what}`);
}

function obj(v: unknown, where: string): Obj {
  if (!v || typeof v !== 'object' || Array.isArray(v)) fail(where, 'must be an object');
  return v as Obj;
}

function str(o: Obj, k: string, where: string, opts: { empty?: boolean } = {}): string {
  const v = o[k];
  if (typeof v !== 'string' || (!opts.empty && v === '')) fail(`${where}.${k}`, opts.empty ? 'must be a string' : 'must be a non-empty string');
  return v;
}

function bool(o: Obj, k: string, where: string): boolean {
  const v = o[k];
  if (typeof v !== 'boolean') fail(`${where}.${k}`, 'must be a boolean');
  return v;
}

function nonNegInt(o: Obj, k: string, where: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(`${where}.${k}`, 'must be a non-negative integer');
  return v;
}

function date(o: Obj, k: string, where: string, opts: { empty?: boolean } = {}): string {
  const v = str(o, k, where, opts);
  if (v !== '' && Number.isNaN(Date.parse(v))) fail(`${where}.${k}`, 'must be an RFC 3339 date');
  return v;
}

function exactKeys(o: Obj, keys: readonly string[], where: string): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) fail(where, `has an unknown field "${k}"`);
}

/** Checks a document from `snapshot` and returns a typed copy; throws on any nonsense. */
export function parseState(doc: unknown): SigSciState {
  const root = obj(doc, 'state');
  exactKeys(root, ['corp', 'users', 'tokens'], 'state');
  const c = obj(root.corp, 'corp');
  exactKeys(
    c,
    [
      'name',
      'displayName',
      'smallIconURI',
      'created',
      'siteLimit',
      'authType',
      'sessionMaxAgeDashboard',
      'apiAllowedIPs',
      'apiTokenMaxAge',
      'restrictedAccessTokens',
    ],
    'corp',
  );
  const ips = c.apiAllowedIPs;
  if (!Array.isArray(ips) || !ips.every((x) => typeof x === 'string' && isIpv4Entry(x)))
    fail('corp.apiAllowedIPs', 'must be an array of IPv4 addresses or CIDR ranges');
  const corp: CorpState = {
    name: str(c, 'name', 'corp'),
    displayName: str(c, 'displayName', 'corp', { empty: true }),
    smallIconURI: str(c, 'smallIconURI', 'corp', { empty: true }),
    created: date(c, 'created', 'corp'),
    siteLimit: nonNegInt(c, 'siteLimit', 'corp'),
    authType: str(c, 'authType', 'corp'),
    sessionMaxAgeDashboard: nonNegInt(c, 'sessionMaxAgeDashboard', 'corp'),
    apiAllowedIPs: [...(ips as string[])],
    apiTokenMaxAge: nonNegInt(c, 'apiTokenMaxAge', 'corp'),
    restrictedAccessTokens: bool(c, 'restrictedAccessTokens', 'corp'),
  };
  if (!Array.isArray(root.users)) fail('state.users', 'must be an array');
  const users = (root.users as unknown[]).map((u, i): UserState => {
    const where = `users[${i}]`;
    const o = obj(u, where);
    exactKeys(o, ['email', 'name', 'role', 'created', 'apiUser', 'mfaEnabled', 'accessTokenAllowed'], where);
    const email = str(o, 'email', where);
    if (email !== email.toLowerCase() || !email.includes('@')) fail(`${where}.email`, 'must be a lower-case e-mail address');
    const role = str(o, 'role', where);
    if (!(ROLES as readonly string[]).includes(role)) fail(`${where}.role`, `must be one of ${ROLES.join(', ')}`);
    return {
      email,
      name: str(o, 'name', where, { empty: true }),
      role: role as Role,
      created: date(o, 'created', where),
      apiUser: bool(o, 'apiUser', where),
      mfaEnabled: bool(o, 'mfaEnabled', where),
      accessTokenAllowed: bool(o, 'accessTokenAllowed', where),
    };
  });
  if (new Set(users.map((u) => u.email)).size !== users.length) fail('state.users', 'has duplicate e-mail addresses');
  if (!Array.isArray(root.tokens)) fail('state.tokens', 'must be an array');
  const tokens = (root.tokens as unknown[]).map((t, i): TokenState => {
    const where = `tokens[${i}]`;
    const o = obj(t, where);
    exactKeys(o, ['id', 'name', 'email', 'tokenSha256', 'created', 'lastUsed', 'lastUsedIP', 'lastUsedUserAgent'], where);
    const id = str(o, 'id', where);
    if (!/^[0-9a-f]{24}$/.test(id)) fail(`${where}.id`, 'must be 24 lower-case hex characters');
    const email = str(o, 'email', where);
    if (!users.some((u) => u.email === email)) fail(`${where}.email`, 'must name a user of the corp');
    const sha = str(o, 'tokenSha256', where);
    if (!/^[0-9a-f]{64}$/.test(sha)) fail(`${where}.tokenSha256`, 'must be a SHA-256 hex digest');
    return {
      id,
      name: str(o, 'name', where),
      email,
      tokenSha256: sha,
      created: date(o, 'created', where),
      lastUsed: date(o, 'lastUsed', where, { empty: true }),
      lastUsedIP: str(o, 'lastUsedIP', where, { empty: true }),
      lastUsedUserAgent: str(o, 'lastUsedUserAgent', where, { empty: true }),
    };
  });
  if (new Set(tokens.map((t) => t.id)).size !== tokens.length) fail('state.tokens', 'has duplicate ids');
  if (new Set(tokens.map((t) => t.tokenSha256)).size !== tokens.length) fail('state.tokens', 'has duplicate token digests');
  for (const u of users) {
    const own = tokens.filter((t) => t.email === u.email);
    if (own.length > MAX_TOKENS_PER_USER) fail('state.tokens', `holds more than ${MAX_TOKENS_PER_USER} tokens for one user`);
    if (new Set(own.map((t) => t.name)).size !== own.length) fail('state.tokens', 'holds two tokens of one user with the same name');
  }
  return { corp, users, tokens };
}
