/**
 * Header authentication as the real API does it: `x-api-user` (e-mail) and `x-api-token` (a
 * personal API access token of that very user). Header names are case-insensitive (the sandbox
 * core lower-cases them). Checks run in this order:
 *
 * 1. both headers present, the token known and owned by the named user → else 401;
 * 2. the token is neither disabled (corp restricts tokens and the user is not granted) nor expired
 *    (`created + apiTokenMaxAge`) → else 401;
 * 3. the caller's IP is in the corp's `apiAllowedIPs` (when the list is not empty) → else 400.
 *
 * Only a request that passes all three updates the token's last-use fields.
 */
import type { SandboxRequest, SandboxResponse } from '../../../sandbox/types';
import { ipAllowed } from './ip';
import { digest, rfc3339, type SigSciState, type TokenState, type UserState } from './state';
import { fail, MESSAGES, tokenStatus } from './views';

/** Who is calling. */
export interface Caller {
  readonly user: UserState;
  readonly token: TokenState;
}

/** Authenticates `req` against `state` at `nowMs`; on success records the token's last use. */
export function authenticate(state: SigSciState, req: SandboxRequest, nowMs: number): { ok: true; caller: Caller } | { ok: false; response: SandboxResponse } {
  const email = (req.headers['x-api-user'] ?? '').trim().toLowerCase();
  const value = (req.headers['x-api-token'] ?? '').trim();
  const unauthorized = { ok: false as const, response: fail(401, MESSAGES.unauthorized) };
  if (email === '' || value === '') return unauthorized;
  const user = state.users.find((u) => u.email === email);
  if (!user) return unauthorized;
  const sha = digest(value);
  const token = state.tokens.find((t) => t.tokenSha256 === sha);
  if (!token || token.email !== user.email) return unauthorized;
  if (tokenStatus(state, token, nowMs) !== 'active') return unauthorized;
  if (!ipAllowed(req.ip, state.corp.apiAllowedIPs)) return { ok: false, response: fail(400, MESSAGES.ipNotAllowed) };
  token.lastUsed = rfc3339(nowMs);
  token.lastUsedIP = req.ip;
  token.lastUsedUserAgent = req.headers['user-agent'] ?? '';
  return { ok: true, caller: { user, token } };
}
