/**
 * Making sense of Signal Sciences answers: each `process*` function checks one answer (status,
 * content type, shape) and returns a typed value or throws a coded {@link ApiAccessError}. The
 * client (client.ts) sends; these read.
 */
import { httpError, type HttpResponse } from '../../auth/http';
import { APIACCESS_BAD_RESPONSE, APIACCESS_FORBIDDEN, APIACCESS_UNAUTHORIZED, ApiAccessError } from '../../core/errors';
import { registerSecret } from '../../core/redact';
import type { SigSciApiToken, SigSciCorp, SigSciCorpUser, SigSciCreatedApiToken, SigSciErrorBody, SigSciRole, SigSciTokenStatus } from './types';

const VENDOR = 'sigsci';

type Obj = Record<string, unknown>;

function badResponse(what: string, res: HttpResponse, detail: string): ApiAccessError {
  return new ApiAccessError(APIACCESS_BAD_RESPONSE, `${what}: ${VENDOR} answered HTTP ${res.status} with ${detail}.`, { status: res.status });
}

/** The vendor's `message`, when the body has one. */
function vendorMessage(res: HttpResponse): string {
  try {
    const body = res.json<SigSciErrorBody>();
    return typeof body?.message === 'string' ? body.message : '';
  } catch {
    return '';
  }
}

/**
 * The coded error for an answer that is not a success. Beyond the status mapping of `httpError`:
 * 401 explains the four ways a token stops working, and a 400 about the caller's IP (the allow-list
 * rejection the vendor documents as 400) becomes APIACCESS_FORBIDDEN with field `apiAllowedIPs`.
 */
export function sigsciError(what: string, res: HttpResponse): ApiAccessError {
  const base = httpError(VENDOR, res, what);
  const opts = { status: res.status, body: base.body, ...(base.retryAfterSeconds !== undefined ? { retryAfterSeconds: base.retryAfterSeconds } : {}) };
  if (res.status === 401) {
    return new ApiAccessError(
      APIACCESS_UNAUTHORIZED,
      `${base.message}. The x-api-user / x-api-token pair was refused: the token may be wrong, deleted, belong to another user, be expired (corp apiTokenMaxAge) or be disabled (corp restrictedAccessTokens without accessTokenAllowed for its user).`,
      opts,
    );
  }
  if (res.status === 400 && /\bIP\b/.test(vendorMessage(res))) {
    return new ApiAccessError(APIACCESS_FORBIDDEN, `${base.message}. This machine's IP address is not in the corp's apiAllowedIPs list.`, {
      ...opts,
      field: 'apiAllowedIPs',
    });
  }
  if (res.status === 403) {
    return new ApiAccessError(APIACCESS_FORBIDDEN, `${base.message}. Only corp owners may do this.`, opts);
  }
  return base;
}

/** The JSON body of a success, or a coded error (any status outside `ok`, a non-JSON content type or body). */
function successBody(what: string, res: HttpResponse, ok: readonly number[]): unknown {
  if (!ok.includes(res.status)) throw sigsciError(what, res);
  const type = (res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw badResponse(what, res, `content type "${type || 'none'}" instead of application/json`);
  return res.json();
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function check(ok: boolean, what: string, res: HttpResponse, detail: string): asserts ok {
  if (!ok) throw badResponse(what, res, detail);
}

const TOKEN_STATUSES: readonly string[] = ['active', 'expired', 'disabled'];
const ROLES: readonly string[] = ['owner', 'admin', 'user', 'observer'];

function toToken(v: unknown, what: string, res: HttpResponse): SigSciApiToken {
  check(isObj(v), what, res, 'a token that is not an object');
  for (const k of ['id', 'name', 'createdBy', 'created', 'lastUsed', 'lastUsedIP', 'lastUsedUserAgent', 'expires']) {
    check(typeof v[k] === 'string', what, res, `a token without a string "${k}"`);
  }
  check(v.id !== '' && v.name !== '', what, res, 'a token without an id or name');
  check(typeof v.status === 'string' && TOKEN_STATUSES.includes(v.status), what, res, 'a token with an unknown status');
  return {
    id: v.id as string,
    name: v.name as string,
    createdBy: v.createdBy as string,
    created: v.created as string,
    lastUsed: v.lastUsed as string,
    lastUsedIP: v.lastUsedIP as string,
    lastUsedUserAgent: v.lastUsedUserAgent as string,
    expires: v.expires as string,
    status: v.status as SigSciTokenStatus,
  };
}

function toList(body: unknown, what: string, res: HttpResponse): readonly unknown[] {
  check(isObj(body) && Array.isArray(body.data), what, res, 'a body without a "data" array');
  return body.data as unknown[];
}

function toCorp(v: unknown, what: string, res: HttpResponse): SigSciCorp {
  check(isObj(v), what, res, 'a corp that is not an object');
  check(typeof v.name === 'string' && v.name !== '', what, res, 'a corp without a name');
  check(
    typeof v.apiTokenMaxAge === 'number' && Number.isSafeInteger(v.apiTokenMaxAge) && v.apiTokenMaxAge >= 0,
    what,
    res,
    'a corp without a valid "apiTokenMaxAge"',
  );
  check(typeof v.restrictedAccessTokens === 'boolean', what, res, 'a corp without a boolean "restrictedAccessTokens"');
  check(Array.isArray(v.apiAllowedIPs) && v.apiAllowedIPs.every((x) => typeof x === 'string'), what, res, 'a corp without an "apiAllowedIPs" string array');
  return {
    name: v.name,
    displayName: typeof v.displayName === 'string' ? v.displayName : '',
    created: typeof v.created === 'string' ? v.created : '',
    authType: typeof v.authType === 'string' ? v.authType : '',
    sessionMaxAgeDashboard: typeof v.sessionMaxAgeDashboard === 'number' ? v.sessionMaxAgeDashboard : 0,
    apiTokenMaxAge: v.apiTokenMaxAge,
    restrictedAccessTokens: v.restrictedAccessTokens,
    apiAllowedIPs: [...(v.apiAllowedIPs as string[])],
  };
}

function toUser(v: unknown, what: string, res: HttpResponse): SigSciCorpUser {
  check(isObj(v), what, res, 'a user that is not an object');
  check(typeof v.email === 'string' && v.email !== '', what, res, 'a user without an e-mail');
  check(typeof v.role === 'string' && ROLES.includes(v.role), what, res, 'a user with an unknown role');
  check(typeof v.accessTokenAllowed === 'boolean', what, res, 'a user without a boolean "accessTokenAllowed"');
  return {
    name: typeof v.name === 'string' ? v.name : '',
    email: v.email,
    role: v.role as SigSciRole,
    status: typeof v.status === 'string' ? v.status : '',
    accessTokenAllowed: v.accessTokenAllowed,
    apiUser: v.apiUser === true,
    created: typeof v.created === 'string' ? v.created : '',
  };
}

/** `GET .../apitokens` → the tokens (values never included). */
export function processTokenList(res: HttpResponse, what = 'listing API access tokens'): SigSciApiToken[] {
  return toList(successBody(what, res, [200]), what, res).map((t) => toToken(t, what, res));
}

/** `GET /user/apitokens/{id}` → the token. */
export function processToken(res: HttpResponse, what = 'reading an API access token'): SigSciApiToken {
  return toToken(successBody(what, res, [200]), what, res);
}

/** `POST /user/apitokens` → the token and its value (registered as a secret at once). */
export function processCreatedToken(res: HttpResponse, what = 'creating an API access token'): SigSciCreatedApiToken {
  const body = successBody(what, res, [200, 201]);
  check(isObj(body) && typeof body.token === 'string' && body.token !== '', what, res, 'no token value');
  registerSecret(body.token);
  return { ...toToken(body, what, res), token: body.token };
}

/** `DELETE ...` → nothing (200 or 204). */
export function processDeleted(res: HttpResponse, what: string): void {
  if (res.status !== 200 && res.status !== 204) throw sigsciError(what, res);
}

/** `GET|PATCH /corps/{corpName}` → the corp. */
export function processCorp(res: HttpResponse, what = 'reading the corp'): SigSciCorp {
  return toCorp(successBody(what, res, [200]), what, res);
}

/** `GET /corps` → the corps. */
export function processCorpList(res: HttpResponse, what = 'listing corps'): SigSciCorp[] {
  return toList(successBody(what, res, [200]), what, res).map((c) => toCorp(c, what, res));
}

/** `GET|PATCH /corps/{corpName}/users/{email}` → the user. */
export function processUser(res: HttpResponse, what = 'reading a corp user'): SigSciCorpUser {
  return toUser(successBody(what, res, [200]), what, res);
}

/** `GET /corps/{corpName}/users` → the users. */
export function processUserList(res: HttpResponse, what = 'listing corp users'): SigSciCorpUser[] {
  return toList(successBody(what, res, [200]), what, res).map((u) => toUser(u, what, res));
}
