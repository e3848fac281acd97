/**
 * Threat Jammer's Bearer check and its error bodies. The framework (FastAPI `HTTPBearer`) splits
 * the Authorization header at the first space and compares the scheme word case-insensitively;
 * Threat Jammer answers 401 (not FastAPI's stock 403) and says so when the `Bearer` prefix is
 * missing.
 */
import type { SandboxRequest, SandboxResponse } from '../../../sandbox/types';
import { KEY_PATTERN, REGION_ID, type ThreatJammerState, type UserRecord } from './state';

const DOCS = 'https://threatjammer.com/docs/';

/**
 * A handled error in Threat Jammer's shape: `title`, `detail` and the documented `"type:"` key
 * (with the colon), plus `"type"` with the same URL (PROPOSED, for clients that read the usual key).
 */
export function problem(status: number, title: string, detail: string, slug: string, headers: Record<string, string> = {}): SandboxResponse {
  const type = `${DOCS}${slug}`;
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: { title, detail, type, 'type:': type } };
}

/** 401 with `WWW-Authenticate: Bearer`, as HTTPBearer sends it. */
export function unauthorized(detail: string): SandboxResponse {
  return problem(401, 'Unauthorized', detail, 'error-unauthorized', { 'www-authenticate': 'Bearer' });
}

export const DETAIL_MISSING_HEADER = 'Not authenticated. Send the API key in the Authorization header as "Bearer <API key>".';
export const DETAIL_MISSING_BEARER = 'The Authorization header is missing the "Bearer" prefix. Send it as "Authorization: Bearer <API key>".';
export const DETAIL_MALFORMED = 'Invalid authentication credentials. The API key is malformed: it must be "tja_" followed by 36 base-62 characters.';
export const DETAIL_UNKNOWN = 'Invalid authentication credentials. The API key is unknown or was regenerated.';
export const DETAIL_OTHER_REGION = 'Invalid authentication credentials. The API key belongs to another region.';
export const DETAIL_DISABLED = 'The API key is disabled. Enable it on the API keys page before using it.';

/** The user behind a request, or the 401 to answer. Disabled keys are returned: the caller decides. */
export function authenticate(state: ThreatJammerState, req: SandboxRequest): { user: UserRecord } | { response: SandboxResponse } {
  const header = req.headers.authorization;
  if (header === undefined || header.trim() === '') return { response: unauthorized(DETAIL_MISSING_HEADER) };
  const space = header.indexOf(' ');
  const scheme = space < 0 ? header : header.slice(0, space);
  const credentials = space < 0 ? '' : header.slice(space + 1);
  if (scheme.toLowerCase() !== 'bearer') return { response: unauthorized(DETAIL_MISSING_BEARER) };
  if (!KEY_PATTERN.test(credentials)) return { response: unauthorized(DETAIL_MALFORMED) };
  const user = state.users.find((u) => u.key.value === credentials);
  if (!user) return { response: unauthorized(DETAIL_UNKNOWN) };
  if (user.region !== REGION_ID) return { response: unauthorized(DETAIL_OTHER_REGION) };
  return { user };
}
