/**
 * API key management, PROPOSED in the v6 platform style (the vendor offers it in the console
 * only): `/appservices/v6/orgs/{org_key}/api_keys[/{api_id}[/_regenerate]]`. Secrets are shown
 * once (on create and on regenerate) and stored as SHA-256; regenerating replaces the secret at
 * once. Names are unique in the org (exact match) → 409. Every change is written to the audit log.
 */
import type { SandboxRequest, SandboxResponse } from '../../../sandbox/types';
import { randomHex } from '../../../sandbox/util';
import { failure } from './auth';
import { ACCESS_LEVEL_TYPES, type AccessLevelType, type ApiKeyRecord, type CarbonBlackState, isIpOrCidr, newApiId, newApiSecretKey, sha256 } from './state';
import { badRequest, type Checked, objectBody } from './validate';

const MAX_NAME_LENGTH = 64;
const MAX_DESCRIPTION_LENGTH = 256;
const MAX_ALLOWED_IPS = 50;

const EDITABLE = ['name', 'description', 'access_level_type', 'custom_access_level_id', 'allowed_ip_addresses'] as const;

/** The public shape of a key: everything but the secret. */
function presentKey(k: ApiKeyRecord): Record<string, unknown> {
  return {
    api_id: k.api_id,
    name: k.name,
    description: k.description,
    access_level_type: k.access_level_type,
    custom_access_level_id: k.custom_access_level_id,
    allowed_ip_addresses: [...k.allowed_ip_addresses],
    create_time: k.create_time,
    update_time: k.update_time,
  };
}

function ok(status: number, fields: Record<string, unknown>): SandboxResponse {
  return { status, body: { success: true, message: 'Success', ...fields } };
}

type Fields = Partial<Pick<ApiKeyRecord, (typeof EDITABLE)[number]>>;

/** Checks each editable field that is present in `b`; returns them typed, or a 400. */
function checkFields(state: CarbonBlackState, b: Record<string, unknown>): Checked<Fields> {
  const out: Fields = {};
  const bad = (message: string): Checked<Fields> => ({ ok: false, response: badRequest(message) });
  if ('name' in b) {
    const v = b.name;
    if (typeof v !== 'string' || v.trim() === '') return bad('"name" must be a non-empty string.');
    if (v.length > MAX_NAME_LENGTH) return bad(`"name" must be at most ${MAX_NAME_LENGTH} characters.`);
    if (/[\p{Cc}]/u.test(v)) return bad('"name" must not contain control characters.');
    out.name = v;
  }
  if ('description' in b) {
    const v = b.description;
    if (typeof v !== 'string') return bad('"description" must be a string.');
    if (v.length > MAX_DESCRIPTION_LENGTH) return bad(`"description" must be at most ${MAX_DESCRIPTION_LENGTH} characters.`);
    out.description = v;
  }
  if ('access_level_type' in b) {
    const v = b.access_level_type;
    if (typeof v !== 'string' || !ACCESS_LEVEL_TYPES.includes(v as AccessLevelType))
      return bad(`"access_level_type" must be one of ${ACCESS_LEVEL_TYPES.join(', ')}.`);
    out.access_level_type = v as AccessLevelType;
  }
  if ('custom_access_level_id' in b) {
    const v = b.custom_access_level_id;
    if (v !== null && !Number.isInteger(v)) return bad('"custom_access_level_id" must be an integer or null.');
    if (v !== null && !state.customAccessLevels.some((l) => l.id === v))
      return bad(`"custom_access_level_id" ${String(v)} is not a custom access level of this org.`);
    out.custom_access_level_id = v as number | null;
  }
  if ('allowed_ip_addresses' in b) {
    const v = b.allowed_ip_addresses;
    if (!Array.isArray(v)) return bad('"allowed_ip_addresses" must be an array of IP addresses or CIDR blocks.');
    if (v.length > MAX_ALLOWED_IPS) return bad(`"allowed_ip_addresses" may hold at most ${MAX_ALLOWED_IPS} entries.`);
    for (const [i, a] of v.entries()) {
      if (typeof a !== 'string' || !isIpOrCidr(a)) return bad(`"allowed_ip_addresses[${i}]" is not an IPv4/IPv6 address or CIDR block.`);
    }
    if (new Set(v).size !== v.length) return bad('"allowed_ip_addresses" has duplicate entries.');
    out.allowed_ip_addresses = [...(v as string[])];
  }
  return { ok: true, value: out };
}

/** The custom access level must be set exactly for CUSTOM keys. */
function checkLevel(type: AccessLevelType, level: number | null): SandboxResponse | undefined {
  if (type === 'CUSTOM' && level === null) return badRequest('"custom_access_level_id" is required when "access_level_type" is CUSTOM.');
  if (type !== 'CUSTOM' && level !== null) return badRequest('"custom_access_level_id" is only allowed when "access_level_type" is CUSTOM.');
  return undefined;
}

function nameTaken(state: CarbonBlackState, name: string, except?: ApiKeyRecord): boolean {
  return state.apiKeys.some((k) => k !== except && k.name === name);
}

function conflict(name: string): SandboxResponse {
  return failure(409, `Conflict: an API key named "${name}" already exists in this org.`);
}

function audit(state: CarbonBlackState, req: SandboxRequest, caller: ApiKeyRecord, now: number, description: string): void {
  state.auditLog.push({
    requestUrl: req.url,
    eventTime: now,
    eventId: randomHex(32),
    loginName: `${caller.name} (API key ${caller.api_id})`,
    orgName: state.orgName,
    flagged: false,
    clientIp: req.ip,
    verbose: false,
    description,
  });
  trimAuditLog(state);
}

/** The most audit-log entries kept (oldest dropped; every reader's cursor moves with them). */
export const MAX_AUDIT_LOG = 10_000;

function trimAuditLog(state: CarbonBlackState): void {
  const excess = state.auditLog.length - MAX_AUDIT_LOG;
  if (excess <= 0) return;
  state.auditLog.splice(0, excess);
  for (const c of Object.values(state.cursors)) c.auditlogs = Math.max(0, c.auditlogs - excess);
}

/** The key named in the path, or a 404. */
export function findKey(state: CarbonBlackState, apiId: string): Checked<ApiKeyRecord> {
  const key = state.apiKeys.find((k) => k.api_id === apiId);
  return key ? { ok: true, value: key } : { ok: false, response: failure(404, `Not Found: there is no API key with API ID "${apiId}".`) };
}

export function listKeys(state: CarbonBlackState): SandboxResponse {
  return ok(200, { api_keys: state.apiKeys.map(presentKey) });
}

/** `GET …/access_levels` (PROPOSED): the org's custom access levels, so a key manager can pick one for a CUSTOM key. */
export function listAccessLevels(state: CarbonBlackState): SandboxResponse {
  return ok(200, { access_levels: state.customAccessLevels.map((l) => ({ id: l.id, name: l.name, permissions: [...l.permissions] })) });
}

export function getKey(key: ApiKeyRecord): SandboxResponse {
  return ok(200, presentKey(key));
}

export function createKey(state: CarbonBlackState, req: SandboxRequest, caller: ApiKeyRecord, now: number): SandboxResponse {
  const body = objectBody(req, EDITABLE);
  if (!body.ok) return body.response;
  for (const required of ['name', 'access_level_type']) {
    if (!(required in body.value)) return badRequest(`"${required}" is required.`);
  }
  const fields = checkFields(state, body.value);
  if (!fields.ok) return fields.response;
  const f = fields.value;
  const type = f.access_level_type as AccessLevelType;
  const level = f.custom_access_level_id ?? null;
  const levelProblem = checkLevel(type, level);
  if (levelProblem) return levelProblem;
  const name = f.name as string;
  if (nameTaken(state, name)) return conflict(name);
  const secret = newApiSecretKey();
  const at = new Date(now).toISOString();
  const key: ApiKeyRecord = {
    api_id: newApiId(state),
    name,
    description: f.description ?? '',
    access_level_type: type,
    custom_access_level_id: level,
    allowed_ip_addresses: f.allowed_ip_addresses ?? [],
    create_time: at,
    update_time: at,
    secret_sha256: sha256(secret),
  };
  state.apiKeys.push(key);
  audit(state, req, caller, now, `Created API key ${key.name} with api key ${key.api_id}`);
  return ok(201, { ...presentKey(key), api_secret_key: secret });
}

/** PUT is a partial update (PROPOSED): fields present replace, fields absent stay; at least one is needed. */
export function updateKey(state: CarbonBlackState, req: SandboxRequest, caller: ApiKeyRecord, key: ApiKeyRecord, now: number): SandboxResponse {
  const body = objectBody(req, EDITABLE);
  if (!body.ok) return body.response;
  if (Object.keys(body.value).length === 0) return badRequest(`send at least one of ${EDITABLE.join(', ')}.`);
  const fields = checkFields(state, body.value);
  if (!fields.ok) return fields.response;
  const f = fields.value;
  const type = f.access_level_type ?? key.access_level_type;
  // Moving away from CUSTOM drops the custom level unless the body names one (which checkLevel refuses).
  const level = 'custom_access_level_id' in f ? (f.custom_access_level_id ?? null) : type === 'CUSTOM' ? key.custom_access_level_id : null;
  const levelProblem = checkLevel(type, level);
  if (levelProblem) return levelProblem;
  if (f.name !== undefined && nameTaken(state, f.name, key)) return conflict(f.name);
  if (f.name !== undefined) key.name = f.name;
  if (f.description !== undefined) key.description = f.description;
  if (f.allowed_ip_addresses !== undefined) key.allowed_ip_addresses = f.allowed_ip_addresses;
  key.access_level_type = type;
  key.custom_access_level_id = level;
  key.update_time = new Date(now).toISOString();
  audit(state, req, caller, now, `Updated connector ${key.name} with api key ${key.api_id}`);
  return ok(200, presentKey(key));
}

export function deleteKey(state: CarbonBlackState, req: SandboxRequest, caller: ApiKeyRecord, key: ApiKeyRecord, now: number): SandboxResponse {
  state.apiKeys = state.apiKeys.filter((k) => k !== key);
  delete state.rateWindows[key.api_id];
  delete state.cursors[key.api_id];
  audit(state, req, caller, now, `Deleted API key ${key.name} with api key ${key.api_id}`);
  return ok(200, {});
}

/** Takes no body (or `{}`); answers the key with its new secret, once. */
export function regenerateKey(state: CarbonBlackState, req: SandboxRequest, caller: ApiKeyRecord, key: ApiKeyRecord, now: number): SandboxResponse {
  if (req.rawBody.length > 0) {
    const body = objectBody(req, []);
    if (!body.ok) return body.response;
  }
  const secret = newApiSecretKey();
  key.secret_sha256 = sha256(secret);
  key.update_time = new Date(now).toISOString();
  audit(state, req, caller, now, `Generated new credentials for API key ${key.name} with api key ${key.api_id}`);
  return ok(200, { ...presentKey(key), api_secret_key: secret });
}
