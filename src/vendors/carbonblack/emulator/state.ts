/**
 * The Carbon Black Cloud emulator's own model of the API (written from
 * the vendor's public API docs, independent of the client): one org, its API keys
 * (secrets stored as SHA-256 only), the custom access levels a CUSTOM key may point at, the
 * per-key sliding rate-limit windows, a little v3 data (devices, policies, events), the SIEM
 * notification queue, the audit log, and Live Response sessions. Everything is plain JSON.
 */
import { createHash, randomInt } from 'node:crypto';
import { isIP } from 'node:net';

/** Access levels ("key types", formerly "connector types"). */
export const ACCESS_LEVEL_TYPES = ['API', 'SIEM', 'LIVE_RESPONSE', 'CUSTOM'] as const;
export type AccessLevelType = (typeof ACCESS_LEVEL_TYPES)[number];

/** PROPOSED: the custom-access-level permission that opens the API-key management routes. */
export const MANAGE_KEYS_PERMISSION = 'org.api_keys';

/** Calls per window per key, and the window. */
export const RATE_LIMIT = 25;
export const RATE_WINDOW_MS = 5 * 60 * 1000;

export const SEED_ORG_KEY = 'ABCD1234';
const SEED_ORG_NAME = 'Sandbox Org';

/** A seeded credential: documented, fixed values that tests and the demo use. */
export interface SeedCredential {
  readonly apiId: string;
  readonly apiSecretKey: string;
  readonly accessLevelType: AccessLevelType;
  readonly name: string;
}

/** `API` key: v3 device, event, policy and audit-log routes. */
export const SEED_API_KEY: SeedCredential = { apiId: 'SBXAPI0001', apiSecretKey: 'SBXAPISECRETKEY000000001', accessLevelType: 'API', name: 'sandbox api' };
/** `SIEM` key: notifications only. */
export const SEED_SIEM_KEY: SeedCredential = { apiId: 'SBXSIEM002', apiSecretKey: 'SBXSIEMSECRETKEY00000002', accessLevelType: 'SIEM', name: 'sandbox siem' };
/** `LIVE_RESPONSE` key: what `API` opens plus the cblr routes. */
export const SEED_LIVE_RESPONSE_KEY: SeedCredential = {
  apiId: 'SBXLIVE003',
  apiSecretKey: 'SBXLIVESECRETKEY00000003',
  accessLevelType: 'LIVE_RESPONSE',
  name: 'sandbox live response',
};
/** `CUSTOM` key on the "API Key Administrator" access level: the one seeded key that may manage keys. */
export const SEED_KEY_ADMIN_KEY: SeedCredential = {
  apiId: 'SBXKEYS004',
  apiSecretKey: 'SBXKEYSSECRETKEY00000004',
  accessLevelType: 'CUSTOM',
  name: 'sandbox key admin',
};

/** Seeded custom access levels (PROPOSED ids and permission names). */
export const KEY_ADMIN_ACCESS_LEVEL_ID = 1001;
export const AUDITOR_ACCESS_LEVEL_ID = 1002;

interface CustomAccessLevel {
  id: number;
  name: string;
  permissions: string[];
}

export interface ApiKeyRecord {
  api_id: string;
  name: string;
  description: string;
  access_level_type: AccessLevelType;
  custom_access_level_id: number | null;
  allowed_ip_addresses: string[];
  create_time: string;
  update_time: string;
  /** sha256 of the API secret key; the value itself is never stored. */
  secret_sha256: string;
}

interface Device {
  deviceId: number;
  name: string;
  email: string;
  osVersion: string;
  policyId: number;
  policyName: string;
  status: string;
  lastInternalIpAddress: string;
}

interface Policy {
  id: number;
  name: string;
  description: string;
  priorityLevel: string;
  version: number;
}

interface EventRecord {
  eventId: string;
  deviceId: number;
  eventTime: number;
  eventType: string;
  shortDescription: string;
}

interface Notification {
  eventTime: number;
  type: string;
  url: string;
  ruleName: string;
  threatInfo: { incidentId: string; score: number; summary: string };
  deviceInfo: { deviceId: number; deviceName: string };
}

interface AuditEntry {
  requestUrl: string | null;
  eventTime: number;
  eventId: string;
  loginName: string;
  orgName: string;
  flagged: boolean;
  clientIp: string;
  verbose: boolean;
  description: string;
}

export interface LiveResponseSession {
  id: string;
  device_id: number;
  /** PENDING until `active_at`, then ACTIVE; CLOSE once closed. */
  status: 'PENDING' | 'ACTIVE' | 'CLOSE';
  create_time: number;
  active_at: number;
  api_id: string;
}

export interface CarbonBlackState {
  orgKey: string;
  orgName: string;
  /** Rate-limit enforcement (the vendor can switch it on and off); on by default. */
  rateLimitEnforced: boolean;
  customAccessLevels: CustomAccessLevel[];
  apiKeys: ApiKeyRecord[];
  /** API ID → times (ms) of the counted calls still inside the window, oldest first. */
  rateWindows: Record<string, number[]>;
  devices: Device[];
  policies: Policy[];
  events: EventRecord[];
  notifications: Notification[];
  auditLog: AuditEntry[];
  /** API ID → how far this key has read each queue (items are returned once per key). */
  cursors: Record<string, { notifications: number; auditlogs: number }>;
  sessions: LiveResponseSession[];
  nextSessionId: number;
}

export function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomUpper(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += UPPER_ALNUM[randomInt(UPPER_ALNUM.length)];
  return out;
}

/** A new API ID (10 upper-case alphanumerics), unused in `state`. */
export function newApiId(state: CarbonBlackState): string {
  for (;;) {
    const id = randomUpper(10);
    if (!state.apiKeys.some((k) => k.api_id === id)) return id;
  }
}

/** A new API secret key: 24 upper-case alphanumerics. */
export function newApiSecretKey(): string {
  return randomUpper(24);
}

function seedKey(c: SeedCredential, at: string, customLevel: number | null, description: string): ApiKeyRecord {
  return {
    api_id: c.apiId,
    name: c.name,
    description,
    access_level_type: c.accessLevelType,
    custom_access_level_id: customLevel,
    allowed_ip_addresses: [],
    create_time: at,
    update_time: at,
    secret_sha256: sha256(c.apiSecretKey),
  };
}

export function seedState(now: number): CarbonBlackState {
  const at = new Date(now).toISOString();
  return {
    orgKey: SEED_ORG_KEY,
    orgName: SEED_ORG_NAME,
    rateLimitEnforced: true,
    customAccessLevels: [
      { id: KEY_ADMIN_ACCESS_LEVEL_ID, name: 'API Key Administrator', permissions: [MANAGE_KEYS_PERMISSION] },
      { id: AUDITOR_ACCESS_LEVEL_ID, name: 'Auditor', permissions: ['org.audits'] },
    ],
    apiKeys: [
      seedKey(SEED_API_KEY, at, null, 'Seeded API key (device, event, policy, audit log).'),
      seedKey(SEED_SIEM_KEY, at, null, 'Seeded SIEM key (notifications).'),
      seedKey(SEED_LIVE_RESPONSE_KEY, at, null, 'Seeded Live Response key.'),
      seedKey(SEED_KEY_ADMIN_KEY, at, KEY_ADMIN_ACCESS_LEVEL_ID, 'Seeded custom key that manages API keys.'),
    ],
    rateWindows: {},
    devices: [
      {
        deviceId: 11001,
        name: 'WIN-SANDBOX-01',
        email: 'alice@example.com',
        osVersion: 'Windows 10 x64',
        policyId: 6525,
        policyName: 'Standard',
        status: 'REGISTERED',
        lastInternalIpAddress: '10.0.0.11',
      },
      {
        deviceId: 11002,
        name: 'MAC-SANDBOX-02',
        email: 'bob@example.com',
        osVersion: 'MAC OS X 10.14.4',
        policyId: 6526,
        policyName: 'Monitored',
        status: 'REGISTERED',
        lastInternalIpAddress: '10.0.0.12',
      },
    ],
    policies: [
      { id: 6525, name: 'Standard', description: 'Default policy', priorityLevel: 'MEDIUM', version: 2 },
      { id: 6526, name: 'Monitored', description: 'Monitoring only', priorityLevel: 'LOW', version: 2 },
    ],
    events: [
      {
        eventId: 'e1a2b3c4d5e6f708',
        deviceId: 11001,
        eventTime: now - 3_600_000,
        eventType: 'NETWORK',
        shortDescription: 'chrome.exe connected to 93.184.216.34:443',
      },
      { eventId: 'f1e2d3c4b5a69788', deviceId: 11002, eventTime: now - 1_800_000, eventType: 'FILE_CREATE', shortDescription: 'curl created /tmp/payload' },
    ],
    notifications: [
      {
        eventTime: now - 600_000,
        type: 'THREAT',
        url: 'https://defense.conferdeploy.net/investigate?s[searchWindow]=ALL',
        ruleName: 'sandbox alert rule',
        threatInfo: { incidentId: 'SBX00001', score: 7, summary: 'A known virus was detected.' },
        deviceInfo: { deviceId: 11001, deviceName: 'WIN-SANDBOX-01' },
      },
      {
        eventTime: now - 300_000,
        type: 'POLICY_ACTION',
        url: 'https://defense.conferdeploy.net/investigate?s[searchWindow]=ALL',
        ruleName: 'sandbox alert rule',
        threatInfo: { incidentId: 'SBX00002', score: 3, summary: 'The application curl was blocked.' },
        deviceInfo: { deviceId: 11002, deviceName: 'MAC-SANDBOX-02' },
      },
    ],
    auditLog: [
      {
        requestUrl: null,
        eventTime: now - 86_400_000,
        eventId: 'a0000000000000000000000000000001',
        loginName: 'admin@example.com',
        orgName: SEED_ORG_NAME,
        flagged: false,
        clientIp: '192.0.2.10',
        verbose: false,
        description: 'Logged in successfully',
      },
    ],
    cursors: {},
    sessions: [],
    nextSessionId: 1,
  };
}

/** True when `v` is an IPv4/IPv6 address or a CIDR block of one. */
export function isIpOrCidr(v: string): boolean {
  const slash = v.indexOf('/');
  if (slash < 0) return isIP(v) !== 0;
  const addr = v.slice(0, slash);
  const bits = v.slice(slash + 1);
  const family = isIP(addr);
  if (family === 0 || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/** Validates a restored state document; throws naming the offending field. */
export function assertState(doc: unknown): asserts doc is CarbonBlackState {
  const fail = (what: string): never => {
    throw new Error(`carbonblack state: ${what}`);
  };
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObj(doc)) return fail('expected an object');
  const s = doc;
  if (typeof s.orgKey !== 'string' || s.orgKey === '') fail('"orgKey" must be a non-empty string');
  if (typeof s.orgName !== 'string') fail('"orgName" must be a string');
  if (typeof s.rateLimitEnforced !== 'boolean') fail('"rateLimitEnforced" must be a boolean');
  for (const name of ['customAccessLevels', 'apiKeys', 'devices', 'policies', 'events', 'notifications', 'auditLog', 'sessions']) {
    if (!Array.isArray(s[name])) fail(`"${name}" must be an array`);
  }
  if (!Number.isInteger(s.nextSessionId) || (s.nextSessionId as number) < 1) fail('"nextSessionId" must be a positive integer');
  for (const [i, l] of (s.customAccessLevels as unknown[]).entries()) {
    if (
      !isObj(l) ||
      !Number.isInteger(l.id) ||
      typeof l.name !== 'string' ||
      !Array.isArray(l.permissions) ||
      !l.permissions.every((p) => typeof p === 'string')
    ) {
      fail(`customAccessLevels[${i}] needs an integer id, a name and a permissions array of strings`);
    }
  }
  const ids = new Set<string>();
  const names = new Set<string>();
  for (const [i, k] of (s.apiKeys as unknown[]).entries()) {
    if (!isObj(k)) return fail(`apiKeys[${i}] must be an object`);
    for (const f of ['api_id', 'name', 'description', 'create_time', 'update_time', 'secret_sha256']) {
      if (typeof k[f] !== 'string') fail(`apiKeys[${i}].${f} must be a string`);
    }
    if (!/^[0-9a-f]{64}$/.test(k.secret_sha256 as string)) fail(`apiKeys[${i}].secret_sha256 must be 64 hex characters`);
    if (!ACCESS_LEVEL_TYPES.includes(k.access_level_type as AccessLevelType))
      fail(`apiKeys[${i}].access_level_type must be one of ${ACCESS_LEVEL_TYPES.join(', ')}`);
    if (k.access_level_type === 'CUSTOM' ? !Number.isInteger(k.custom_access_level_id) : k.custom_access_level_id !== null) {
      fail(`apiKeys[${i}].custom_access_level_id must be an integer for CUSTOM keys and null otherwise`);
    }
    if (!Array.isArray(k.allowed_ip_addresses) || !k.allowed_ip_addresses.every((a) => typeof a === 'string' && isIpOrCidr(a))) {
      fail(`apiKeys[${i}].allowed_ip_addresses must be an array of IP addresses or CIDR blocks`);
    }
    if (ids.has(k.api_id as string)) fail(`apiKeys[${i}].api_id is duplicated`);
    if (names.has(k.name as string)) fail(`apiKeys[${i}].name is duplicated`);
    ids.add(k.api_id as string);
    names.add(k.name as string);
  }
  if (!isObj(s.rateWindows)) return fail('"rateWindows" must be an object');
  for (const [id, times] of Object.entries(s.rateWindows)) {
    if (!Array.isArray(times) || !times.every((t) => typeof t === 'number' && Number.isFinite(t))) fail(`rateWindows.${id} must be an array of numbers`);
  }
  if (!isObj(s.cursors)) return fail('"cursors" must be an object');
  for (const [id, c] of Object.entries(s.cursors)) {
    if (!isObj(c) || !Number.isInteger(c.notifications) || !Number.isInteger(c.auditlogs)) fail(`cursors.${id} needs integer notifications and auditlogs`);
  }
  for (const [i, d] of (s.devices as unknown[]).entries()) {
    if (!isObj(d) || !Number.isInteger(d.deviceId) || typeof d.name !== 'string') fail(`devices[${i}] needs an integer deviceId and a name`);
  }
  for (const [i, p] of (s.policies as unknown[]).entries()) {
    if (!isObj(p) || !Number.isInteger(p.id) || typeof p.name !== 'string') fail(`policies[${i}] needs an integer id and a name`);
  }
  for (const [i, e] of (s.events as unknown[]).entries()) {
    if (!isObj(e) || typeof e.eventId !== 'string' || !Number.isInteger(e.deviceId) || typeof e.eventTime !== 'number')
      fail(`events[${i}] needs eventId, deviceId and eventTime`);
  }
  for (const [i, n] of (s.notifications as unknown[]).entries()) {
    if (!isObj(n) || typeof n.eventTime !== 'number' || typeof n.type !== 'string') fail(`notifications[${i}] needs eventTime and type`);
  }
  for (const [i, a] of (s.auditLog as unknown[]).entries()) {
    if (!isObj(a) || typeof a.eventId !== 'string' || typeof a.eventTime !== 'number' || typeof a.description !== 'string')
      fail(`auditLog[${i}] needs eventId, eventTime and description`);
  }
  for (const [i, x] of (s.sessions as unknown[]).entries()) {
    if (!isObj(x)) return fail(`sessions[${i}] must be an object`);
    if (typeof x.id !== 'string' || !Number.isInteger(x.device_id) || !['PENDING', 'ACTIVE', 'CLOSE'].includes(x.status as string)) {
      fail(`sessions[${i}] needs id, device_id and a status of PENDING, ACTIVE or CLOSE`);
    }
    if (typeof x.create_time !== 'number' || typeof x.active_at !== 'number' || typeof x.api_id !== 'string')
      fail(`sessions[${i}] needs create_time, active_at and api_id`);
  }
}
