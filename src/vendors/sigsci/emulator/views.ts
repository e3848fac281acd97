/**
 * How the emulated API writes its objects and answers: the recorded Corp and CorpUser shapes, the
 * PROPOSED Token shape, `{"message": "..."}` error bodies and the observed response headers, with
 * `Content-Type: application/json; charset=utf-8` on every answer (204 included).
 */
import { randomHex } from '../../../sandbox/util';
import type { SandboxResponse } from '../../../sandbox/types';
import { rfc3339, type CorpState, type SigSciState, type TokenState, type UserState } from './state';

/** Live status of a token: computed on every read from the corp settings and the clock. */
export type TokenStatus = 'active' | 'expired' | 'disabled';

/** Expiry instant (ms) of `token` under the corp's current `apiTokenMaxAge`, or undefined when none. */
function expiresAt(corp: CorpState, token: TokenState): number | undefined {
  return corp.apiTokenMaxAge > 0 ? Date.parse(token.created) + corp.apiTokenMaxAge * 1000 : undefined;
}

/**
 * `disabled` while the corp restricts tokens and the owner of the token is not granted;
 * otherwise `expired` once `created + apiTokenMaxAge` has passed (re-evaluated live, so changing
 * the policy expires or un-expires existing tokens); otherwise `active`.
 */
export function tokenStatus(state: SigSciState, token: TokenState, nowMs: number): TokenStatus {
  const user = state.users.find((u) => u.email === token.email);
  if (state.corp.restrictedAccessTokens && !user?.accessTokenAllowed) return 'disabled';
  const exp = expiresAt(state.corp, token);
  if (exp !== undefined && nowMs >= exp) return 'expired';
  return 'active';
}

/** The Token object (never carries the value). */
export function tokenView(state: SigSciState, token: TokenState, nowMs: number): Record<string, unknown> {
  const exp = expiresAt(state.corp, token);
  return {
    id: token.id,
    name: token.name,
    createdBy: token.email,
    created: token.created,
    lastUsed: token.lastUsed,
    lastUsedIP: token.lastUsedIP,
    lastUsedUserAgent: token.lastUsedUserAgent,
    expires: exp === undefined ? '' : rfc3339(exp),
    status: tokenStatus(state, token, nowMs),
  };
}

/** The Corp object, as recorded from the real API. */
export function corpView(corp: CorpState): Record<string, unknown> {
  return {
    name: corp.name,
    displayName: corp.displayName,
    smallIconURI: corp.smallIconURI,
    created: corp.created,
    siteLimit: corp.siteLimit,
    sites: { uri: `/api/v0/corps/${corp.name}/sites` },
    authType: corp.authType,
    logoutURI: '',
    samlCert: '',
    samlEndpoint: '',
    signRequestsUsingStoredCert: false,
    samlRequestCert: '',
    sessionMaxAgeDashboard: corp.sessionMaxAgeDashboard,
    apiAllowedIPs: [...corp.apiAllowedIPs],
    apiTokenMaxAge: corp.apiTokenMaxAge,
    restrictedAccessTokens: corp.restrictedAccessTokens,
    ssoProvisioningConfigured: false,
  };
}

/** The CorpUser object, as recorded from the real API. */
export function userView(corp: CorpState, user: UserState): Record<string, unknown> {
  return {
    name: user.name,
    email: user.email,
    announcements: { uri: '/api/v0/user/announcements' },
    defaultDashboards: { uri: '/api/v0/user/defaultDashboards' },
    memberships: { data: [], uri: `/api/v0/corps/${corp.name}/users/${user.email}/memberships` },
    accessTokens: { uri: '/api/v0/user/apitokens' },
    role: user.role,
    status: 'active',
    mfaEnabled: user.mfaEnabled,
    corpAuthType: corp.authType,
    authStatus: 'none',
    created: user.created,
    apiUser: user.apiUser,
    accessTokenAllowed: user.accessTokenAllowed,
    ssoProvisioned: false,
  };
}

/** Headers the real API sends on every answer. */
function standardHeaders(): Record<string, string> {
  return {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'private, max-age=0, no-cache, no-store',
    'x-request-id': randomHex(24),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'deny',
    'strict-transport-security': 'max-age=31536000',
  };
}

/** A JSON answer with the vendor's headers. */
export function reply(status: number, body?: unknown): SandboxResponse {
  return body === undefined ? { status, headers: standardHeaders() } : { status, headers: standardHeaders(), body };
}

/** An error answer: `{"message": "..."}`. */
export function fail(status: number, message: string): SandboxResponse {
  return reply(status, { message });
}

/** PROPOSED message texts (pysigsci matches the substring `Unauthorized`). */
export const MESSAGES = {
  unauthorized: 'Unauthorized',
  ipNotAllowed: 'Request IP address is not in the corp API access allow-list',
  forbidden: 'Forbidden',
  corpNotFound: 'Corp not found',
  userNotFound: 'User not found',
  tokenNotFound: 'Token not found',
  tokenLimit: 'Maximum number of API access tokens reached',
  tokenName: 'Invalid token name: use letters, digits, spaces and underscores (1-64 characters)',
  tokenNameTaken: 'An API access token with this name already exists',
} as const;
