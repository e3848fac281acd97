/**
 * The checks every Carbon Black route runs before its own work, in this order:
 *
 * 1. `X-Auth-Token: <API Secret Key>/<API ID>` is present, well formed and names a key whose
 *    secret matches (→ 401 otherwise; a swapped, partial or unknown pair is simply invalid);
 * 2. the caller's IP is inside the key's allow-list when it has one (→ 401, PROPOSED);
 * 3. the key's access level opens the route (→ 401, not 403, as the vendor documents);
 * 4. the key has budget left: 25 counted calls in any 5-minute sliding window (→ 429).
 *
 * Only calls that pass 1–3 are counted, and a call refused with 429 is not counted either, so
 * a key that is over its budget gets its next call exactly when its oldest counted call leaves the
 * window. Calls that pass and then fail validation (400, 404, 409) do count: they reached the API.
 */
import { timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { SandboxRequest, SandboxResponse } from '../../../sandbox/types';
import { type ApiKeyRecord, type CarbonBlackState, RATE_LIMIT, RATE_WINDOW_MS, sha256 } from './state';

/** What a route needs from the caller's key. */
export type RouteClass =
  /** v3 REST routes other than Notifications and Live Response: `API` and `LIVE_RESPONSE` keys. */
  | { readonly kind: 'api' }
  /** `GET /integrationServices/v3/notification`: `SIEM` keys only. */
  | { readonly kind: 'siem' }
  /** `/integrationServices/v3/cblr/...`: `LIVE_RESPONSE` keys only. */
  | { readonly kind: 'live_response' }
  /** Platform routes (`/appservices/...`): `CUSTOM` keys whose access level has `permission`. */
  | { readonly kind: 'platform'; readonly permission: string };

/** The body every failure carries (PROPOSED for 401/429, which the vendor does not document). */
export function failure(status: number, message: string): SandboxResponse {
  return { status, body: { success: false, message } };
}

const TOKEN_FORMAT = 'Send X-Auth-Token: <API Secret Key>/<API ID>.';

/** A parsed input, or the answer to send instead. */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly response: SandboxResponse };

function deny(status: number, message: string): { ok: false; response: SandboxResponse } {
  return { ok: false, response: failure(status, message) };
}

/** The key named by the request's X-Auth-Token, or the 401 to answer. */
function authenticate(state: CarbonBlackState, req: SandboxRequest): Checked<ApiKeyRecord> {
  const token = req.headers['x-auth-token'];
  if (token === undefined || token === '') return deny(401, `Unauthorized: the X-Auth-Token header is missing. ${TOKEN_FORMAT}`);
  const parts = token.split('/');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '' || /\s/.test(token)) {
    return deny(401, `Unauthorized: the X-Auth-Token header is malformed. ${TOKEN_FORMAT}`);
  }
  const [secret, apiId] = parts as [string, string];
  const key = state.apiKeys.find((k) => k.api_id === apiId);
  const given = Buffer.from(sha256(secret), 'hex');
  const expected = Buffer.from(key?.secret_sha256 ?? sha256(`!${secret}`), 'hex');
  if (!key || !timingSafeEqual(given, expected)) return deny(401, 'Unauthorized: the API Secret Key and API ID do not match a valid API key.');
  return { ok: true, value: key };
}

/** True when `ip` may use `key` (an empty allow-list admits everyone). */
function ipAllowed(key: ApiKeyRecord, ip: string): boolean {
  if (key.allowed_ip_addresses.length === 0) return true;
  const family = isIP(ip);
  if (family === 0) return false;
  const list = new BlockList();
  for (const entry of key.allowed_ip_addresses) {
    const slash = entry.indexOf('/');
    const addr = slash < 0 ? entry : entry.slice(0, slash);
    const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (slash < 0) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(entry.slice(slash + 1)), type);
  }
  return list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}

/** True when the key's access level opens routes of class `cls`. */
function opens(state: CarbonBlackState, key: ApiKeyRecord, cls: RouteClass): boolean {
  switch (cls.kind) {
    case 'api':
      return key.access_level_type === 'API' || key.access_level_type === 'LIVE_RESPONSE';
    case 'siem':
      return key.access_level_type === 'SIEM';
    case 'live_response':
      return key.access_level_type === 'LIVE_RESPONSE';
    case 'platform': {
      if (key.access_level_type !== 'CUSTOM') return false;
      const level = state.customAccessLevels.find((l) => l.id === key.custom_access_level_id);
      return level !== undefined && level.permissions.includes(cls.permission);
    }
  }
}

/** The most call times kept per key in the rate window (only matters with enforcement off). */
export const MAX_WINDOW_CALLS = 10_000;

/**
 * Counts one call for `key` at `now`, or answers 429 when the key already made {@link RATE_LIMIT}
 * counted calls in `(now - 5 min, now]` and enforcement is on. A refused call is not counted.
 */
function countCall(state: CarbonBlackState, key: ApiKeyRecord, now: number): SandboxResponse | undefined {
  const inWindow = (state.rateWindows[key.api_id] ?? []).filter((t) => t > now - RATE_WINDOW_MS);
  if (state.rateLimitEnforced && inWindow.length >= RATE_LIMIT) {
    state.rateWindows[key.api_id] = inWindow;
    return failure(429, `Too Many Requests: API key ${key.api_id} made ${RATE_LIMIT} calls in the last 5 minutes.`);
  }
  inWindow.push(now);
  // With enforcement off a frozen clock could let the window grow without end: keep the newest only.
  if (inWindow.length > MAX_WINDOW_CALLS) inWindow.splice(0, inWindow.length - MAX_WINDOW_CALLS);
  state.rateWindows[key.api_id] = inWindow;
  return undefined;
}

/**
 * Runs checks 1–4; returns the caller's key or the answer to send instead. For platform routes,
 * `orgKey` is the org key from the path: a key of another org gets 401 (PROPOSED) before counting.
 */
export function admit(state: CarbonBlackState, req: SandboxRequest, cls: RouteClass, now: number, orgKey?: string): Checked<ApiKeyRecord> {
  const key = authenticate(state, req);
  if (!key.ok) return key;
  const k = key.value;
  if (!ipAllowed(k, req.ip)) return deny(401, `Unauthorized: API key ${k.api_id} may not be used from ${req.ip}.`);
  if (!opens(state, k, cls)) {
    return deny(401, `Unauthorized: the access level of API key ${k.api_id} (${k.access_level_type}) does not open ${req.method} ${req.path}.`);
  }
  if (orgKey !== undefined && orgKey !== state.orgKey) return deny(401, `Unauthorized: API key ${k.api_id} does not belong to org ${orgKey}.`);
  const limited = countCall(state, k, now);
  return limited ? { ok: false, response: limited } : key;
}
