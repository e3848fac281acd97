/**
 * The v3 "integrationServices" routes: devices, policies, events and audit logs (`API` and
 * `LIVE_RESPONSE` keys), notifications (`SIEM` keys) and Live Response sessions (`LIVE_RESPONSE`
 * keys). Lists carry `results` and `totalResults` and page with `rows` and 1-based `start`;
 * singletons are wrapped in an info key; the two queues (notifications, audit logs) return each
 * item once per key.
 */
import type { SandboxRequest, SandboxResponse } from '../../../sandbox/types';
import { failure } from './auth';
import type { ApiKeyRecord, CarbonBlackState, LiveResponseSession } from './state';
import { badRequest, intParam, objectBody, page, queryOf } from './validate';

const MAX_ROWS = 5000;
const DEFAULT_ROWS = 20;
/** A new Live Response session stays PENDING this long (sandbox clock) before it turns ACTIVE. */
const SESSION_PENDING_MS = 2000;

const SEARCH_WINDOWS: Readonly<Record<string, number>> = { '1h': 3_600_000, '3h': 10_800_000, '1d': 86_400_000, '1w': 604_800_000, '2w': 1_209_600_000 };

function ok(fields: Record<string, unknown>): SandboxResponse {
  return { status: 200, body: { success: true, message: 'Success', ...fields } };
}

function notFound(what: string): SandboxResponse {
  return failure(404, `Not Found: ${what}.`);
}

/** Parses `rows` and `start` plus the extra parameters a list route accepts. */
function listQuery(
  req: SandboxRequest,
  extra: readonly string[],
): { ok: true; q: Map<string, string>; rows?: number; start?: number } | { ok: false; response: SandboxResponse } {
  const q = queryOf(req, ['rows', 'start', ...extra]);
  if (!q.ok) return q;
  const rows = intParam(q.value, 'rows', 1, MAX_ROWS);
  if (!rows.ok) return rows;
  const start = intParam(q.value, 'start', 1, Number.MAX_SAFE_INTEGER);
  if (!start.ok) return start;
  return { ok: true, q: q.value, rows: rows.value, start: start.value };
}

function positiveInt(raw: string, name: string): { ok: true; value: number } | { ok: false; response: SandboxResponse } {
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < 1) return { ok: false, response: badRequest(`"${name}" must be a positive integer.`) };
  return { ok: true, value: Number(raw) };
}

/** A single-item route: no query parameters, and the path parameter `param` a positive integer (`name` in the error). */
function idInPath(req: SandboxRequest, param: string, name = param): { ok: true; value: number } | { ok: false; response: SandboxResponse } {
  const q = queryOf(req, []);
  if (!q.ok) return q;
  return positiveInt(req.params[param] ?? '', name);
}

export function listDevices(state: CarbonBlackState, req: SandboxRequest): SandboxResponse {
  const lq = listQuery(req, ['hostName']);
  if (!lq.ok) return lq.response;
  const host = lq.q.get('hostName');
  const all = host === undefined ? state.devices : state.devices.filter((d) => d.name.toLowerCase().includes(host.toLowerCase()));
  return ok({ results: page(all, lq.start, lq.rows, DEFAULT_ROWS), totalResults: all.length });
}

export function getDevice(state: CarbonBlackState, req: SandboxRequest): SandboxResponse {
  const id = idInPath(req, 'deviceId');
  if (!id.ok) return id.response;
  const device = state.devices.find((d) => d.deviceId === id.value);
  return device ? ok({ deviceInfo: device }) : notFound(`there is no device ${id.value}`);
}

export function listPolicies(state: CarbonBlackState, req: SandboxRequest): SandboxResponse {
  const lq = listQuery(req, []);
  if (!lq.ok) return lq.response;
  return ok({ results: page(state.policies, lq.start, lq.rows, DEFAULT_ROWS), totalResults: state.policies.length });
}

export function getPolicy(state: CarbonBlackState, req: SandboxRequest): SandboxResponse {
  const id = idInPath(req, 'policyId');
  if (!id.ok) return id.response;
  const policy = state.policies.find((p) => p.id === id.value);
  return policy ? ok({ policyInfo: policy }) : notFound(`there is no policy ${id.value}`);
}

export function listEvents(state: CarbonBlackState, req: SandboxRequest, now: number): SandboxResponse {
  const lq = listQuery(req, ['deviceId', 'searchWindow']);
  if (!lq.ok) return lq.response;
  let all = state.events;
  const device = lq.q.get('deviceId');
  if (device !== undefined) {
    const id = positiveInt(device, 'deviceId');
    if (!id.ok) return id.response;
    all = all.filter((e) => e.deviceId === id.value);
  }
  const window = lq.q.get('searchWindow');
  if (window !== undefined) {
    const ms = SEARCH_WINDOWS[window];
    if (ms === undefined) return badRequest(`"searchWindow" must be one of ${Object.keys(SEARCH_WINDOWS).join(', ')}.`);
    all = all.filter((e) => e.eventTime > now - ms);
  }
  return ok({ results: page(all, lq.start, lq.rows, DEFAULT_ROWS), totalResults: all.length });
}

function cursor(state: CarbonBlackState, key: ApiKeyRecord): { notifications: number; auditlogs: number } {
  state.cursors[key.api_id] ??= { notifications: 0, auditlogs: 0 };
  return state.cursors[key.api_id]!;
}

/**
 * Reads a queue every key reads once: the entries of `queue` past this key's cursor, which then
 * moves to the end. Both queues answer in a `notifications` array.
 */
function readOnce(state: CarbonBlackState, req: SandboxRequest, key: ApiKeyRecord, queue: 'auditlogs' | 'notifications'): SandboxResponse {
  const q = queryOf(req, []);
  if (!q.ok) return q.response;
  const all = queue === 'auditlogs' ? state.auditLog : state.notifications;
  const c = cursor(state, key);
  const items = all.slice(c[queue]);
  c[queue] = all.length;
  return ok({ notifications: items });
}

/** The audit-log queue: entries this key has not read yet, then marked read. */
export function auditLogs(state: CarbonBlackState, req: SandboxRequest, key: ApiKeyRecord): SandboxResponse {
  return readOnce(state, req, key, 'auditlogs');
}

/** The SIEM notification queue: items this key has not read yet, then marked read. */
export function notifications(state: CarbonBlackState, req: SandboxRequest, key: ApiKeyRecord): SandboxResponse {
  return readOnce(state, req, key, 'notifications');
}

function presentSession(s: LiveResponseSession, now: number): Record<string, unknown> {
  const status = s.status === 'PENDING' && now >= s.active_at ? 'ACTIVE' : s.status;
  return { id: s.id, device_id: s.device_id, status, create_time: s.create_time };
}

/** Opens a session on a device; the body is empty or a JSON object naming no fields but `device_id`. */
export function openSession(state: CarbonBlackState, req: SandboxRequest, key: ApiKeyRecord, now: number): SandboxResponse {
  const id = idInPath(req, 'deviceId', 'device_id');
  if (!id.ok) return id.response;
  if (req.rawBody.length > 0) {
    const body = objectBody(req, ['device_id']);
    if (!body.ok) return body.response;
    if ('device_id' in body.value && body.value.device_id !== id.value) return badRequest('"device_id" in the body differs from the one in the path.');
  }
  if (!state.devices.some((d) => d.deviceId === id.value)) return notFound(`there is no device ${id.value}`);
  const session: LiveResponseSession = {
    id: `${state.nextSessionId}:${id.value}`,
    device_id: id.value,
    status: 'PENDING',
    create_time: now,
    active_at: now + SESSION_PENDING_MS,
    api_id: key.api_id,
  };
  state.nextSessionId += 1;
  state.sessions.push(session);
  if (state.sessions.length > MAX_SESSIONS) state.sessions.splice(0, state.sessions.length - MAX_SESSIONS);
  return ok(presentSession(session, now));
}

/** The most Live Response sessions kept (oldest dropped). */
const MAX_SESSIONS = 1_000;

export function sessionStatus(state: CarbonBlackState, req: SandboxRequest, now: number): SandboxResponse {
  const q = queryOf(req, []);
  if (!q.ok) return q.response;
  const sessionId = req.params.sessionId ?? '';
  if (!/^\d+:\d+$/.test(sessionId)) return badRequest('the session ID must look like "<session>:<device_id>".');
  const s = state.sessions.find((x) => x.id === sessionId);
  return s ? ok(presentSession(s, now)) : notFound(`there is no Live Response session ${sessionId}`);
}

/** Closes a session: body `{"session_id": "...", "status": "CLOSE"}`. Closing a closed session is a no-op. */
export function closeSession(state: CarbonBlackState, req: SandboxRequest, now: number): SandboxResponse {
  const q = queryOf(req, []);
  if (!q.ok) return q.response;
  const body = objectBody(req, ['session_id', 'status']);
  if (!body.ok) return body.response;
  const { session_id: sessionId, status } = body.value;
  if (typeof sessionId !== 'string' || sessionId === '') return badRequest('"session_id" must be a non-empty string.');
  if (status !== 'CLOSE') return badRequest('"status" must be "CLOSE".');
  const s = state.sessions.find((x) => x.id === sessionId);
  if (!s) return notFound(`there is no Live Response session ${sessionId}`);
  s.status = 'CLOSE';
  return ok(presentSession(s, now));
}
