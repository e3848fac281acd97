/**
 * Typed client for Signicat's API-client management routes. Authenticates as the managing API
 * client through the shared OAuth 2.0 module; every request passes the shared retry policy.
 * Creates carry the caller's idempotency key (`Idempotency-Key`, see the README): the vendor answers a
 * repeat with the first answer, so the retry layer may send them again after a lost answer. The
 * client never looks an object up by name to guess what a create made.
 */
import { composeDispatcher, createDefaultDispatcher, type Dispatcher } from '../../auth/compose';
import { HttpClient, httpError, path, type HttpResponse } from '../../auth/http';
import { createOAuth2ClientCredentialsInterceptor, OAuth2TokenSource, type ClientAuthMethod } from '../../auth/oauth2-client-credentials';
import { createRetryInterceptor } from '../../auth/retry';
import { type IClock, systemClock } from '../../core/clock';
import { APIACCESS_BAD_RESPONSE, APIACCESS_NOT_FOUND, ApiAccessError, assertArgument } from '../../core/errors';
import type { ApiClient, CreateApiClientInput, CreatedSecret, SecretMetadata, SignicatErrorBody, UpdateApiClientInput } from './types';

/** Page size of list calls (the most the API gives). */
const LIST_PAGE_SIZE = 100;

/** The only scope Signicat knows. */
const SIGNICAT_SCOPE = 'signicat-api';

/** Settings of {@link SignicatClient}. */
export interface SignicatClientConfig {
  /** API host, e.g. https://api.signicat.com or `<sandbox>/signicat`. */
  readonly baseUrl: string;
  /** Client ID of the managing API client. */
  readonly clientId: string;
  readonly clientSecret: string;
  /** Account the managed clients live in (`signicat-accountId`). */
  readonly accountId: string;
  /** @default 'client_secret_basic' */
  readonly authMethod?: ClientAuthMethod;
  /** Base dispatcher (tests); @default a new undici Agent */
  readonly dispatcher?: Dispatcher;
  readonly clock?: IClock;
  /** @default 30000 */
  readonly timeoutMs?: number;
}

/** One product of the permission catalogue (PROPOSED `GET /management/permissions`). */
interface PermissionProduct {
  readonly product: string;
  readonly actions: readonly string[];
}

/** Signicat API-client management. */
export class SignicatClient {
  readonly tokens: OAuth2TokenSource;
  private readonly http: HttpClient;
  private readonly clock: IClock;
  private readonly tokenDispatcher: Dispatcher;
  private readonly base: string;

  constructor(private readonly config: SignicatClientConfig) {
    assertArgument(/^https?:\/\//.test(config.baseUrl), 'signicat base_url', 'must be an http(s) URL, e.g. https://api.signicat.com');
    assertArgument(config.clientId !== '', 'signicat client_id', 'must not be empty');
    assertArgument(config.clientSecret !== '', 'signicat client_secret', 'must not be empty');
    assertArgument(config.accountId !== '', 'signicat account_id', 'must not be empty');
    const base = config.baseUrl.replace(/\/+$/, '');
    this.clock = config.clock ?? systemClock;
    const root = config.dispatcher ?? createDefaultDispatcher();
    const retry = createRetryInterceptor({ clock: this.clock });
    this.base = base;
    this.tokenDispatcher = composeDispatcher(root, { retry });
    this.tokens = new OAuth2TokenSource({
      issuer: `${base}/auth/open`,
      tokenEndpoint: `${base}/auth/open/connect/token`,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      scope: SIGNICAT_SCOPE,
      authMethod: config.authMethod ?? 'client_secret_basic',
      dispatcher: composeDispatcher(root, { retry }),
      clock: this.clock,
    });
    const dispatcher = composeDispatcher(root, { retry, auth: createOAuth2ClientCredentialsInterceptor(this.tokens) });
    this.http = new HttpClient({ baseUrl: base, dispatcher, vendor: 'signicat', timeoutMs: config.timeoutMs ?? 30_000 });
  }

  /**
   * A client-credentials access token for any API client (not the managing one): the token of
   * the ephemeral resource. Returns it with its expiry (epoch ms).
   */
  async issueAccessToken(clientId: string, clientSecret: string, signal?: AbortSignal): Promise<{ accessToken: string; expiresAt: number }> {
    const source = new OAuth2TokenSource({
      issuer: `${this.base}/auth/open`,
      tokenEndpoint: `${this.base}/auth/open/connect/token`,
      clientId,
      clientSecret,
      scope: SIGNICAT_SCOPE,
      authMethod: this.config.authMethod ?? 'client_secret_basic',
      dispatcher: this.tokenDispatcher,
      clock: this.clock,
    });
    return source.getTokenWithExpiry(signal);
  }

  private get account(): Record<string, string> {
    return { 'signicat-accountId': this.config.accountId };
  }

  /** Throws the vendor's error as an ApiAccessError (field = the vendor's first invalid parameter). */
  private fail(res: HttpResponse, what: string): never {
    let body: SignicatErrorBody = {};
    try {
      body = res.json<SignicatErrorBody>();
    } catch {
      // not JSON
    }
    const params = body.invalidParams?.map((p) => `${p.name} ${p.reason}`).join('; ');
    const message = `${what}: Signicat answered ${res.status}${body.detail ? ` — ${body.detail}` : ''}${params ? ` (${params})` : ''}`;
    const err = httpError('signicat', res, message);
    const field = body.invalidParams?.[0]?.name;
    if (field) Object.defineProperty(err, 'field', { value: field.replace(/\[\d+\]$/, ''), enumerable: true });
    throw err;
  }

  private parse<T>(res: HttpResponse, what: string, check: (v: unknown) => boolean): T {
    let v: unknown;
    try {
      v = res.json<unknown>();
    } catch {
      throw new ApiAccessError(APIACCESS_BAD_RESPONSE, `${what}: Signicat answered ${res.status} with a body that is not JSON.`);
    }
    if (!check(v)) throw new ApiAccessError(APIACCESS_BAD_RESPONSE, `${what}: Signicat answered with an unexpected shape.`);
    return v as T;
  }

  /** Every API client of the account, all pages (`next` cursors, 100 a page). */
  async listApiClients(signal?: AbortSignal): Promise<ApiClient[]> {
    const all: ApiClient[] = [];
    let cursor: string | undefined;
    do {
      const query = { ...this.account, limit: LIST_PAGE_SIZE, ...(cursor !== undefined ? { cursor } : {}) };
      const res = await this.http.request({ method: 'GET', path: '/management/api-clients', query, signal });
      if (res.status !== 200) this.fail(res, 'Listing API clients failed');
      const page = this.parse<{ data: ApiClient[]; next?: string }>(res, 'Listing API clients', (v) => Array.isArray((v as { data?: unknown })?.data));
      all.push(...page.data);
      cursor = typeof page.next === 'string' && page.next !== '' ? page.next : undefined;
    } while (cursor !== undefined);
    return all;
  }

  /**
   * The permission catalogue: every `<product>:<action>` the account may grant (PROPOSED route).
   * Null when Signicat does not serve one (404), so callers can skip the check.
   */
  async getPermissionCatalogue(signal?: AbortSignal): Promise<string[] | null> {
    const res = await this.http.request({ method: 'GET', path: '/management/permissions', query: this.account, signal });
    if (res.status === 404) return null;
    if (res.status !== 200) this.fail(res, 'Reading the permission catalogue failed');
    const body = this.parse<{ data: PermissionProduct[] }>(res, 'Reading the permission catalogue', (v) => {
      const data = (v as { data?: unknown })?.data;
      return Array.isArray(data) && data.every((p: PermissionProduct) => typeof p?.product === 'string' && Array.isArray(p.actions));
    });
    return body.data.flatMap((p) => p.actions.map((action) => `${p.product}:${action}`));
  }

  /** The client, or null when it does not exist. */
  async getApiClient(id: string, signal?: AbortSignal): Promise<ApiClient | null> {
    const res = await this.http.request({ method: 'GET', path: path`/management/api-clients/${id}`, query: this.account, signal });
    if (res.status === 404) return null;
    if (res.status !== 200) this.fail(res, `Reading API client "${id}" failed`);
    return this.parse<ApiClient>(res, 'Reading an API client', isApiClient);
  }

  /** Creates a client; `idempotencyKey` makes a repeat return the first answer (see the file comment). */
  async createApiClient(input: CreateApiClientInput, signal?: AbortSignal, idempotencyKey?: string): Promise<ApiClient> {
    const res = await this.http.request({ method: 'POST', path: '/management/api-clients', query: this.account, body: input, signal, idempotencyKey });
    if (res.status !== 201 && res.status !== 200) this.fail(res, `Creating API client "${input.name}" failed`);
    return this.parse<ApiClient>(res, 'Creating an API client', isApiClient);
  }

  async updateApiClient(id: string, input: UpdateApiClientInput, signal?: AbortSignal): Promise<ApiClient> {
    const res = await this.http.request({
      method: 'PATCH',
      path: path`/management/api-clients/${id}`,
      query: this.account,
      body: input,
      signal,
      idempotent: true,
    });
    if (res.status !== 200) this.fail(res, `Updating API client "${id}" failed`);
    return this.parse<ApiClient>(res, 'Updating an API client', isApiClient);
  }

  /** Replaces the client's permissions. */
  async setPermissions(id: string, permissions: readonly string[], signal?: AbortSignal): Promise<ApiClient> {
    const res = await this.http.request({
      method: 'PUT',
      path: path`/management/api-clients/${id}/permissions`,
      query: this.account,
      body: { permissions },
      signal,
    });
    if (res.status !== 200) this.fail(res, `Setting the permissions of API client "${id}" failed`);
    return this.parse<ApiClient>(res, 'Setting permissions', isApiClient);
  }

  /** Deletes the client; false when it was already gone. */
  async deleteApiClient(id: string, signal?: AbortSignal): Promise<boolean> {
    const res = await this.http.request({ method: 'DELETE', path: path`/management/api-clients/${id}`, query: this.account, signal });
    if (res.status === 404) return false;
    if (res.status !== 204 && res.status !== 200) this.fail(res, `Deleting API client "${id}" failed`);
    return true;
  }

  async listSecrets(clientId: string, signal?: AbortSignal): Promise<SecretMetadata[]> {
    const res = await this.http.request({ method: 'GET', path: path`/management/api-clients/${clientId}/secrets`, query: this.account, signal });
    if (res.status === 404) throw new ApiAccessError(APIACCESS_NOT_FOUND, `API client "${clientId}" does not exist.`, { status: 404, field: 'client_id' });
    if (res.status !== 200) this.fail(res, `Listing the secrets of API client "${clientId}" failed`);
    return this.parse<{ data: SecretMetadata[] }>(res, 'Listing secrets', (v) => Array.isArray((v as { data?: unknown })?.data)).data;
  }

  /** Creates a secret; its value is in the answer only (and in a replay of it under the same `idempotencyKey`). */
  async createSecret(clientId: string, name: string | null, signal?: AbortSignal, idempotencyKey?: string): Promise<CreatedSecret> {
    const res = await this.http.request({
      method: 'POST',
      path: path`/management/api-clients/${clientId}/secrets`,
      query: this.account,
      body: name === null ? {} : { name },
      signal,
      idempotencyKey,
    });
    if (res.status === 404) {
      throw new ApiAccessError(APIACCESS_NOT_FOUND, `API client "${clientId}" does not exist. Create it first, or use the ID of an existing client.`, {
        status: 404,
        field: 'client_id',
      });
    }
    if (res.status !== 201 && res.status !== 200) this.fail(res, `Creating a secret for API client "${clientId}" failed`);
    return this.parse<CreatedSecret>(
      res,
      'Creating a secret',
      (v) => typeof (v as CreatedSecret)?.secret === 'string' && typeof (v as CreatedSecret).id === 'string',
    );
  }

  /** Deletes a secret; false when it (or its client) was already gone. */
  async deleteSecret(clientId: string, secretId: string, signal?: AbortSignal): Promise<boolean> {
    const res = await this.http.request({ method: 'DELETE', path: path`/management/api-clients/${clientId}/secrets/${secretId}`, query: this.account, signal });
    if (res.status === 404) return false;
    if (res.status !== 204 && res.status !== 200) this.fail(res, `Deleting secret "${secretId}" of API client "${clientId}" failed`);
    return true;
  }
}

function isApiClient(v: unknown): boolean {
  const c = v as ApiClient;
  return !!c && typeof c.id === 'string' && typeof c.name === 'string' && typeof c.accessTokenLifetime === 'number' && Array.isArray(c.permissions);
}
