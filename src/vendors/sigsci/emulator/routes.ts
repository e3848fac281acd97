/**
 * The emulated routes, below `/sigsci`, at the real API's paths (`/api/v0/...`). Documented:
 * corps, corp users and their PATCH. PROPOSED (the console does it; no public reference): the
 * personal token collection `/api/v0/user/apitokens` (the real CorpUser's `accessTokens.uri`), the
 * owner's corp-wide token view, and the token settings accepted by `PATCH /corps/{corpName}`.
 */
import type { IClock } from '../../../core/clock';
import type { IdempotencyStore } from '../../../sandbox/idempotency';
import { Router } from '../../../sandbox/router';
import type { SandboxRequest, SandboxResponse } from '../../../sandbox/types';
import { jsonBody, randomHex } from '../../../sandbox/util';
import { randomUUID } from 'node:crypto';
import { authenticate, type Caller } from './auth';
import { isIpv4Entry } from './ip';
import { digest, MAX_TOKENS_PER_USER, rfc3339, type CorpState, type SigSciState, type TokenState } from './state';
import { corpView, fail, MESSAGES, reply, tokenView, userView } from './views';

/** Token names: letters, digits, underscores and single inner spaces, 1-64 characters (PROPOSED). */
const TOKEN_NAME = /^[A-Za-z0-9_]+( [A-Za-z0-9_]+)*$/;
const TOKEN_NAME_MAX = 64;

type Handler = (req: SandboxRequest, caller: Caller, state: SigSciState, now: number) => SandboxResponse | Promise<SandboxResponse>;
/** A route below `/corps/:corpName`, once the corp (and the caller's role) are checked. */
type CorpHandler = (req: SandboxRequest, corp: CorpState, state: SigSciState, now: number) => SandboxResponse;

/**
 * Builds the router over a state the emulator may replace at any time (restore/reset). The token
 * create route runs under `idempotency`, scoped to the calling user.
 */
export function buildRoutes(getState: () => SigSciState, clock: IClock, idempotency: IdempotencyStore): Router {
  const authed =
    (handler: Handler) =>
    (req: SandboxRequest): SandboxResponse | Promise<SandboxResponse> => {
      const state = getState();
      const now = clock.now();
      const auth = authenticate(state, req, now);
      if (!auth.ok) return auth.response;
      return handler(req, auth.caller, state, now);
    };

  /**
   * A route below `/corps/:corpName`: 404 unless the path names the caller's corp (a foreign corp
   * looks like no corp), then for `who` = owner 403 to anyone else; `handler` gets the corp.
   */
  const inCorp = (who: 'member' | 'owner', handler: CorpHandler) =>
    authed((req, caller, state, now) => {
      if (req.params.corpName !== state.corp.name) return fail(404, MESSAGES.corpNotFound);
      if (who === 'owner' && caller.user.role !== 'owner') return fail(403, MESSAGES.forbidden);
      return handler(req, state.corp, state, now);
    });

  const router = new Router();

  // ---- corps (documented) ----------------------------------------------------------------------
  router.get(
    '/api/v0/corps',
    authed((_req, _caller, state) => reply(200, { data: [corpView(state.corp)] })),
  );
  router.get(
    '/api/v0/corps/:corpName',
    inCorp('member', (_req, corp) => reply(200, corpView(corp))),
  );
  router.patch(
    '/api/v0/corps/:corpName',
    inCorp('owner', (req, corp) => {
      const body = jsonBody(req);
      if (!body.ok) return fail(400, `Invalid request body: ${body.reason}`);
      const patch = parseCorpPatch(body.value);
      if (typeof patch === 'string') return fail(400, patch);
      Object.assign(corp, patch);
      return reply(200, corpView(corp));
    }),
  );

  // ---- corp users (documented; PATCH of accessTokenAllowed PROPOSED) ---------------------------
  router.get(
    '/api/v0/corps/:corpName/users',
    inCorp('member', (_req, corp, state) => reply(200, { data: state.users.map((u) => userView(corp, u)) })),
  );
  router.get(
    '/api/v0/corps/:corpName/users/:email',
    inCorp('member', (req, corp, state) => {
      const user = state.users.find((u) => u.email === req.params.email!.toLowerCase());
      return user ? reply(200, userView(corp, user)) : fail(404, MESSAGES.userNotFound);
    }),
  );
  router.patch(
    '/api/v0/corps/:corpName/users/:email',
    inCorp('owner', (req, corp, state) => {
      const user = state.users.find((u) => u.email === req.params.email!.toLowerCase());
      if (!user) return fail(404, MESSAGES.userNotFound);
      const body = jsonBody(req);
      if (!body.ok) return fail(400, `Invalid request body: ${body.reason}`);
      for (const key of Object.keys(body.value)) if (key !== 'accessTokenAllowed') return fail(400, `Unknown or read-only field: ${key}`);
      if ('accessTokenAllowed' in body.value) {
        if (typeof body.value.accessTokenAllowed !== 'boolean') return fail(400, 'Invalid value for accessTokenAllowed: expected a boolean');
        user.accessTokenAllowed = body.value.accessTokenAllowed;
      }
      return reply(200, userView(corp, user));
    }),
  );

  // ---- personal tokens of the caller (PROPOSED) ------------------------------------------------
  router.get(
    '/api/v0/user/apitokens',
    authed((_req, caller, state, now) => reply(200, { data: state.tokens.filter((t) => t.email === caller.user.email).map((t) => tokenView(state, t, now)) })),
  );
  router.post(
    '/api/v0/user/apitokens',
    authed((req, caller, state, now) => idempotency.run(req, caller.user.email, () => createToken(req, caller, state, now))),
  );
  router.get(
    '/api/v0/user/apitokens/:id',
    authed((req, caller, state, now) => {
      const token = state.tokens.find((t) => t.id === req.params.id && t.email === caller.user.email);
      return token ? reply(200, tokenView(state, token, now)) : fail(404, MESSAGES.tokenNotFound);
    }),
  );
  router.delete(
    '/api/v0/user/apitokens/:id',
    authed((req, caller, state) => removeToken(state, (t) => t.id === req.params.id && t.email === caller.user.email)),
  );

  // ---- owner's corp-wide token view (PROPOSED) -------------------------------------------------
  router.get(
    '/api/v0/corps/:corpName/apitokens',
    inCorp('owner', (_req, _corp, state, now) => reply(200, { data: state.tokens.map((t) => tokenView(state, t, now)) })),
  );
  router.delete(
    '/api/v0/corps/:corpName/apitokens/:id',
    inCorp('owner', (req, _corp, state) => removeToken(state, (t) => t.id === req.params.id)),
  );

  return router;
}

/** Deletes the token `which` picks (204), or 404 when there is none. */
function removeToken(state: SigSciState, which: (t: TokenState) => boolean): SandboxResponse {
  const i = state.tokens.findIndex(which);
  if (i < 0) return fail(404, MESSAGES.tokenNotFound);
  state.tokens.splice(i, 1);
  return reply(204);
}

/** `POST /api/v0/user/apitokens`: a new personal token, its value shown once. */
function createToken(req: SandboxRequest, caller: Caller, state: SigSciState, now: number): SandboxResponse {
  // A user without the grant under restriction never gets here: their own token is disabled
  // (401 above), which is how "they can't create tokens either" shows through header auth.
  const body = jsonBody(req);
  if (!body.ok) return fail(400, `Invalid request body: ${body.reason}`);
  for (const key of Object.keys(body.value)) if (key !== 'name') return fail(400, `Unknown or read-only field: ${key}`);
  const name = body.value.name;
  if (typeof name !== 'string' || name.length > TOKEN_NAME_MAX || !TOKEN_NAME.test(name)) return fail(400, MESSAGES.tokenName);
  const mine = state.tokens.filter((t) => t.email === caller.user.email);
  if (mine.some((t) => t.name === name)) return fail(400, MESSAGES.tokenNameTaken);
  if (mine.length >= MAX_TOKENS_PER_USER) return fail(400, MESSAGES.tokenLimit);
  const value = randomUUID();
  const token = {
    id: newTokenId(state),
    name,
    email: caller.user.email,
    tokenSha256: digest(value),
    created: rfc3339(now),
    lastUsed: '',
    lastUsedIP: '',
    lastUsedUserAgent: '',
  };
  state.tokens.push(token);
  return reply(200, { ...tokenView(state, token, now), token: value });
}

function newTokenId(state: SigSciState): string {
  for (;;) {
    const id = randomHex(24);
    if (!state.tokens.some((t) => t.id === id)) return id;
  }
}

type CorpPatch = Partial<
  Pick<CorpState, 'displayName' | 'smallIconURI' | 'sessionMaxAgeDashboard' | 'apiTokenMaxAge' | 'restrictedAccessTokens' | 'apiAllowedIPs'>
>;

/** Validates a corp PATCH body completely before anything changes; returns the patch or the 400 message. */
function parseCorpPatch(body: Record<string, unknown>): CorpPatch | string {
  const patch: CorpPatch = {};
  for (const [key, v] of Object.entries(body)) {
    switch (key) {
      case 'displayName':
        if (typeof v !== 'string' || v.trim() === '') return 'Invalid value for displayName: expected a non-empty string';
        patch.displayName = v;
        break;
      case 'smallIconURI':
        if (typeof v !== 'string') return 'Invalid value for smallIconURI: expected a string';
        patch.smallIconURI = v;
        break;
      case 'sessionMaxAgeDashboard':
        if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0)
          return 'Invalid value for sessionMaxAgeDashboard: expected a positive number of seconds';
        patch.sessionMaxAgeDashboard = v;
        break;
      case 'apiTokenMaxAge':
        if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
          return 'Invalid value for apiTokenMaxAge: expected a whole number of seconds, 0 for no expiration';
        patch.apiTokenMaxAge = v;
        break;
      case 'restrictedAccessTokens':
        if (typeof v !== 'boolean') return 'Invalid value for restrictedAccessTokens: expected a boolean';
        patch.restrictedAccessTokens = v;
        break;
      case 'apiAllowedIPs': {
        if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) return 'Invalid value for apiAllowedIPs: expected an array of strings';
        const bad = v.find((x) => !isIpv4Entry(x));
        if (bad !== undefined) return `Invalid value for apiAllowedIPs: ${JSON.stringify(bad)} is not an IPv4 address or CIDR range`;
        patch.apiAllowedIPs = [...v];
        break;
      }
      default:
        return `Unknown or read-only field: ${key}`;
    }
  }
  return patch;
}
