/**
 * Signicat emulator, served under `/signicat`: OIDC discovery, the client-credentials token
 * endpoint (client_secret_post and client_secret_basic), and the API-client management routes
 * (PROPOSED shape from the vendor facts) behind Bearer tokens. Strict: it answers what Signicat
 * would answer to every malformed or unauthorised request.
 */
import { randomBytes } from 'node:crypto';
import { Router } from '../../../sandbox/router';
import { checkedCopy, StatefulEmulator } from '../../../sandbox/stateful';
import type { EmulatorFactory, SandboxContext, SandboxRequest, SandboxResponse } from '../../../sandbox/types';
import { jsonBody, randomHex, sentence } from '../../../sandbox/util';
import { apiError, base64url, CORE_CODES, formDecode, oauthError, present, TOKEN_HEADERS, validLifetime, validName, validPermission } from './shapes';
import {
  assertState,
  type ClientRecord,
  MANAGE_PERMISSION,
  DEFAULT_LIFETIME,
  newClientId,
  newSecretValue,
  PERMISSION_CATALOG,
  seedState,
  sha256,
  type SignicatState,
} from './state';

export { SEED_ACCOUNT_ID, SEED_CLIENT_ID, SEED_CLIENT_SECRET, MANAGE_PERMISSION } from './state';

/** The most access tokens kept at once (expired ones are purged first, then the oldest dropped). */
export const MAX_TOKENS = 10_000;
/** The most values kept in `issued` (oldest dropped). */
const MAX_ISSUED = 10_000;

/** The Signicat emulator with its routes and state. */
export class SignicatEmulator extends StatefulEmulator<SignicatState> {
  readonly name = 'signicat';
  readonly prefix = '/signicat';
  readonly router = new Router();
  /**
   * Every secret value and access token this emulator issued, in memory only (never in the state
   * document or over HTTP): in-process tests check that none of them leaks.
   */
  readonly issued: string[] = [];

  constructor(private readonly ctx: SandboxContext) {
    super({ now: () => ctx.clock.now(), seed: seedState, parse: checkedCopy(assertState) });
    const r = this.router;
    r.get('/auth/open/.well-known/openid-configuration', () => this.discovery());
    r.post('/auth/open/connect/token', (req) => this.token(req));
    r.get('/management/api-clients', (req) => this.managed(req, (acct) => listPage(req, this.clientsOf(acct).map(present))));
    r.post('/management/api-clients', (req) => this.managedAsync(req, (acct) => this.idempotency.run(req, acct, () => this.createClient(req, acct))));
    r.get('/management/api-clients/:clientId', (req) => this.withClient(req, (c) => ({ status: 200, body: present(c) })));
    r.patch('/management/api-clients/:clientId', (req) => this.withClient(req, (c) => this.patchClient(req, c)));
    r.delete('/management/api-clients/:clientId', (req) => this.withClient(req, (c) => this.deleteClient(c)));
    r.get('/management/api-clients/:clientId/secrets', (req) => this.withClient(req, (c) => ({ status: 200, body: { data: present(c).secrets } })));
    r.post('/management/api-clients/:clientId/secrets', (req) =>
      this.managedAsync(req, (acct) => this.idempotency.run(req, acct, () => this.withClient(req, (c) => this.addSecret(req, c)))),
    );
    r.delete('/management/api-clients/:clientId/secrets/:secretId', (req) => this.withClient(req, (c) => this.deleteSecret(req, c)));
    r.put('/management/api-clients/:clientId/permissions', (req) => this.withClient(req, (c) => this.putPermissions(req, c)));
    // PROPOSED: the permission catalogue, one entry per product.
    const catalogue = Object.entries(PERMISSION_CATALOG).map(([product, actions]) => ({ product, actions: [...actions] }));
    r.get('/management/permissions', (req) => this.managed(req, () => ({ status: 200, body: { data: catalogue } })));
  }

  errorBody(status: number, message: string): SandboxResponse {
    const [code, title] = CORE_CODES[status] ?? ['error', 'Error.'];
    return apiError(status, code, title, sentence(message));
  }

  /** Direct access for tests: the client record, or undefined. */
  client(id: string): ClientRecord | undefined {
    return this.state.clients.find((c) => c.id === id);
  }

  /** The OIDC issuer: the sandbox's own base URL, never the request's Host header. */
  private issuer(): string {
    return `${this.ctx.baseUrl()}${this.prefix}/auth/open`;
  }

  private discovery(): SandboxResponse {
    const issuer = this.issuer();
    return {
      status: 200,
      body: {
        issuer,
        token_endpoint: `${issuer}/connect/token`,
        jwks_uri: `${issuer}/.well-known/openid-configuration/jwks`,
        grant_types_supported: ['client_credentials'],
        scopes_supported: ['signicat-api'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      },
    };
  }

  private token(req: SandboxRequest): SandboxResponse {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') {
      return oauthError('invalid_request', 'The token request must be sent as application/x-www-form-urlencoded.');
    }
    const form = new URLSearchParams(req.rawBody.toString('utf8'));
    for (const key of new Set(form.keys())) {
      if (form.getAll(key).length > 1) return oauthError('invalid_request', `Parameter "${key}" was sent more than once.`);
    }
    const grant = form.get('grant_type');
    if (!grant) return oauthError('invalid_request', 'grant_type is missing.');
    if (grant !== 'client_credentials') return oauthError('unsupported_grant_type', `grant_type "${grant}" is not supported.`);

    let clientId: string | null = null;
    let secret: string | null = null;
    const auth = req.headers.authorization;
    const postId = form.get('client_id');
    const postSecret = form.get('client_secret');
    if (auth !== undefined) {
      const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(auth);
      if (!m) return oauthError('invalid_client', 'The Authorization header is not valid Basic authentication.', 401);
      const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return oauthError('invalid_client', 'Basic credentials must be client_id:client_secret.', 401);
      if (postSecret !== null) return oauthError('invalid_request', 'Use exactly one client authentication method.');
      try {
        clientId = formDecode(decoded.slice(0, colon));
        secret = formDecode(decoded.slice(colon + 1));
      } catch {
        return oauthError('invalid_client', 'Basic credentials are not form-url-encoded correctly.', 401);
      }
      if (postId !== null && postId !== clientId) return oauthError('invalid_request', 'client_id in the body differs from the Basic credentials.');
    } else {
      clientId = postId;
      secret = postSecret;
      if (!clientId) return oauthError('invalid_client', 'No client authentication was sent.');
      if (secret === null) return oauthError('invalid_client', 'client_secret is missing.');
    }
    const scope = form.get('scope');
    if (scope === null || scope === '') return oauthError('invalid_request', 'scope is missing; it must be signicat-api.');
    const client = this.state.clients.find((c) => c.id === clientId);
    if (!client || client.secrets.length === 0 || !client.secrets.some((s) => s.sha256 === sha256(secret ?? ''))) {
      return oauthError('invalid_client', 'Client authentication failed.', auth !== undefined ? 401 : 400);
    }
    if (scope !== 'signicat-api') return oauthError('invalid_scope', `Scope "${scope}" is not allowed; use signicat-api.`);

    const now = this.now();
    const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: 'sandbox' }));
    const payload = base64url(
      JSON.stringify({
        iss: this.issuer(),
        client_id: client.id,
        scope: 'signicat-api',
        iat: Math.floor(now / 1000),
        exp: Math.floor(now / 1000) + client.accessTokenLifetime,
        jti: randomHex(16),
      }),
    );
    const token = `${header}.${payload}.${base64url(randomBytes(32))}`;
    this.remember(token);
    this.storeToken(sha256(token), { clientId: client.id, expiresAt: now + client.accessTokenLifetime * 1000 }, now);
    return {
      status: 200,
      headers: TOKEN_HEADERS,
      body: { access_token: token, expires_in: client.accessTokenLifetime, token_type: 'Bearer', scope: 'signicat-api' },
    };
  }

  /** Keeps an issued value for leak checks, the newest {@link MAX_ISSUED} only. */
  private remember(value: string): void {
    this.issued.push(value);
    if (this.issued.length > MAX_ISSUED) this.issued.splice(0, this.issued.length - MAX_ISSUED);
  }

  /**
   * Stores an access token: expired tokens are purged first, then the oldest are dropped while more
   * than {@link MAX_TOKENS} remain (tokens are kept in issue order).
   */
  private storeToken(key: string, record: { clientId: string; expiresAt: number }, now: number): void {
    const tokens = this.state.tokens;
    for (const [k, t] of Object.entries(tokens)) if (t.expiresAt <= now) delete tokens[k];
    tokens[key] = record;
    const keys = Object.keys(tokens);
    for (let i = 0; i < keys.length - MAX_TOKENS; i++) delete tokens[keys[i]!];
  }

  /** {@link managed} for a route whose answer may be a promise (the idempotency store's). */
  private managedAsync(req: SandboxRequest, fn: (accountId: string) => Promise<SandboxResponse>): SandboxResponse | Promise<SandboxResponse> {
    let pending: Promise<SandboxResponse> | undefined;
    const denied = this.managed(req, (acct) => {
      pending = fn(acct);
      return { status: 0 };
    });
    return pending ?? denied;
  }

  /** Bearer token, management permission and `signicat-accountId` checks. */
  private managed(req: SandboxRequest, fn: (accountId: string) => SandboxResponse): SandboxResponse {
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!m) return apiError(401, 'invalid_token', 'Invalid authentication token.', 'An Authorization: Bearer <access token> header is required.');
    const key = sha256(m[1]!);
    const record = this.state.tokens[key];
    if (!record) return apiError(401, 'invalid_token', 'Invalid authentication token.', 'The access token is not valid.');
    if (record.expiresAt <= this.now()) {
      delete this.state.tokens[key];
      return apiError(401, 'invalid_token', 'Invalid authentication token.', 'The access token has expired.');
    }
    const caller = this.state.clients.find((c) => c.id === record.clientId);
    if (!caller) return apiError(401, 'invalid_token', 'Invalid authentication token.', 'The client of this token no longer exists.');
    if (!caller.permissions.includes(MANAGE_PERMISSION)) {
      return apiError(403, 'insufficient_permissions', 'Insufficient permissions.', `The API client needs the ${MANAGE_PERMISSION} permission.`);
    }
    const account = req.query.get('signicat-accountId');
    if (!account) {
      return apiError(400, 'validation_error', 'Validation failed.', 'The signicat-accountId query parameter is required.', [
        { name: 'signicat-accountId', reason: 'is required' },
      ]);
    }
    if (account !== caller.accountId) return apiError(403, 'forbidden', 'Forbidden.', 'The API client has no access to this account.');
    return fn(account);
  }

  private withClient(req: SandboxRequest, fn: (c: ClientRecord, accountId: string) => SandboxResponse): SandboxResponse {
    return this.managed(req, (acct) => {
      const c = this.state.clients.find((x) => x.id === req.params.clientId && x.accountId === acct);
      if (!c) return apiError(404, 'not_found', 'Not found.', `API client "${req.params.clientId}" does not exist.`);
      return fn(c, acct);
    });
  }

  private clientsOf(accountId: string): ClientRecord[] {
    return this.state.clients.filter((c) => c.accountId === accountId);
  }

  private body(req: SandboxRequest, allowed: readonly string[]): { value: Record<string, unknown> } | SandboxResponse {
    const parsed = jsonBody(req);
    if (!parsed.ok) return apiError(400, 'validation_error', 'Validation failed.', `The request body is invalid: ${parsed.reason}.`);
    const extra = Object.keys(parsed.value).filter((k) => !allowed.includes(k));
    if (extra.length > 0) {
      return apiError(
        400,
        'validation_error',
        'Validation failed.',
        'The request body has unknown fields.',
        extra.map((name) => ({ name, reason: 'is not a known field' })),
      );
    }
    return { value: parsed.value };
  }

  private createClient(req: SandboxRequest, accountId: string): SandboxResponse {
    const b = this.body(req, ['name', 'accessTokenLifetime']);
    if (!('value' in b)) return b;
    const invalid: { name: string; reason: string }[] = [];
    const nameProblem = validName(b.value.name);
    if (nameProblem) invalid.push({ name: 'name', reason: nameProblem });
    const lifetime = 'accessTokenLifetime' in b.value ? b.value.accessTokenLifetime : DEFAULT_LIFETIME;
    const lifetimeProblem = validLifetime(lifetime);
    if (lifetimeProblem) invalid.push({ name: 'accessTokenLifetime', reason: lifetimeProblem });
    if (invalid.length > 0) return apiError(400, 'validation_error', 'Validation failed.', 'One or more fields are invalid.', invalid);
    const client: ClientRecord = {
      id: newClientId(this.state),
      name: b.value.name as string,
      accountId,
      accessTokenLifetime: lifetime as number,
      createdAt: new Date(this.now()).toISOString(),
      permissions: [],
      secrets: [],
    };
    this.state.clients.push(client);
    return { status: 201, headers: { location: `${this.prefix}/management/api-clients/${client.id}` }, body: present(client) };
  }

  private patchClient(req: SandboxRequest, c: ClientRecord): SandboxResponse {
    const b = this.body(req, ['name', 'accessTokenLifetime']);
    if (!('value' in b)) return b;
    const invalid: { name: string; reason: string }[] = [];
    if ('name' in b.value) {
      const p = validName(b.value.name);
      if (p) invalid.push({ name: 'name', reason: p });
    }
    if ('accessTokenLifetime' in b.value) {
      const p = validLifetime(b.value.accessTokenLifetime);
      if (p) invalid.push({ name: 'accessTokenLifetime', reason: p });
    }
    if (invalid.length > 0) return apiError(400, 'validation_error', 'Validation failed.', 'One or more fields are invalid.', invalid);
    if ('name' in b.value) c.name = b.value.name as string;
    if ('accessTokenLifetime' in b.value) c.accessTokenLifetime = b.value.accessTokenLifetime as number;
    return { status: 200, body: present(c) };
  }

  private deleteClient(c: ClientRecord): SandboxResponse {
    this.state.clients = this.state.clients.filter((x) => x !== c);
    for (const [k, t] of Object.entries(this.state.tokens)) if (t.clientId === c.id) delete this.state.tokens[k];
    return { status: 204 };
  }

  private addSecret(req: SandboxRequest, c: ClientRecord): SandboxResponse {
    const b = req.rawBody.length === 0 ? { value: {} as Record<string, unknown> } : this.body(req, ['name']);
    if (!('value' in b)) return b;
    const name = b.value.name ?? null;
    if (name !== null && (typeof name !== 'string' || name.length > 100)) {
      return apiError(400, 'validation_error', 'Validation failed.', 'One or more fields are invalid.', [
        { name: 'name', reason: 'must be a string of at most 100 characters' },
      ]);
    }
    const value = newSecretValue();
    this.remember(value);
    const record = { id: randomHex(32), name: name as string | null, createdAt: new Date(this.now()).toISOString(), sha256: sha256(value) };
    c.secrets.push(record);
    return { status: 201, body: { id: record.id, name: record.name, createdAt: record.createdAt, secret: value } };
  }

  private deleteSecret(req: SandboxRequest, c: ClientRecord): SandboxResponse {
    const before = c.secrets.length;
    c.secrets = c.secrets.filter((s) => s.id !== req.params.secretId);
    if (c.secrets.length === before) return apiError(404, 'not_found', 'Not found.', `Secret "${req.params.secretId}" does not exist on API client "${c.id}".`);
    return { status: 204 };
  }

  private putPermissions(req: SandboxRequest, c: ClientRecord): SandboxResponse {
    const b = this.body(req, ['permissions']);
    if (!('value' in b)) return b;
    const perms = b.value.permissions;
    if (!Array.isArray(perms)) {
      return apiError(400, 'validation_error', 'Validation failed.', 'One or more fields are invalid.', [
        { name: 'permissions', reason: 'must be an array of strings' },
      ]);
    }
    const invalid = perms.flatMap((p, i) => {
      const reason = validPermission(p);
      return reason ? [{ name: `permissions[${i}]`, reason }] : [];
    });
    if (invalid.length > 0) return apiError(400, 'validation_error', 'Validation failed.', 'One or more permissions are invalid.', invalid);
    c.permissions = [...new Set(perms as string[])].sort();
    return { status: 200, body: present(c) };
  }
}

/** Factory for the sandbox. */
export const createSignicatEmulator: EmulatorFactory = (ctx) => new SignicatEmulator(ctx);

/** Largest page of a list (PROPOSED: `?limit=1..100`, default 100; `?cursor=` from the previous page's `next`). */
const LIST_PAGE_MAX = 100;

/** One page of `items`: `{ data, next? }`, `next` present only when more follow. */
function listPage(req: SandboxRequest, items: readonly unknown[]): SandboxResponse {
  const limitText = req.query.get('limit');
  const cursorText = req.query.get('cursor');
  const limit = limitText === null ? LIST_PAGE_MAX : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > LIST_PAGE_MAX) {
    return apiError(400, 'validation_error', 'Validation failed.', `limit must be an integer from 1 to ${LIST_PAGE_MAX}.`, [
      { name: 'limit', reason: 'out of range' },
    ]);
  }
  const offset = cursorText === null ? 0 : Number.parseInt(Buffer.from(cursorText, 'base64url').toString('utf8'), 10);
  if (!Number.isInteger(offset) || offset < 0 || offset > items.length) {
    return apiError(400, 'validation_error', 'Validation failed.', 'cursor is not one this API gave out.', [{ name: 'cursor', reason: 'unknown cursor' }]);
  }
  const data = items.slice(offset, offset + limit);
  const more = offset + limit < items.length;
  return { status: 200, body: more ? { data, next: Buffer.from(String(offset + limit)).toString('base64url') } : { data } };
}
