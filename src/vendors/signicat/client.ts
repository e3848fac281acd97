/**
 * Typed client for Signicat's API-client management routes. Authenticates as the managing API
 * client through the shared OAuth 2.0 module; every request passes the shared retry policy.
 * Creates are safe to retry: when the answer to a create is lost, the client looks the object up
 * by name before sending it again, so a lost response never leaves a duplicate behind.
 */
import { composeDispatcher, createDefaultDispatcher, type Dispatcher } from '../../auth/compose';
import { HttpClient, httpError, path, type HttpResponse } from '../../auth/http';
import { createOAuth2ClientCredentialsInterceptor, OAuth2TokenSource, type ClientAuthMethod } from '../../auth/oauth2-client-credentials';
import { createRetryInterceptor } from '../../auth/retry';
import { type IClock, systemClock } from '../../core/clock';
import { APIACCESS_BAD_RESPONSE, APIACCESS_NETWORK_ERROR, APIACCESS_NOT_FOUND, APIACCESS_TIMEOUT, ApiAccessError, assertArgument } from '../../core/errors';
import type { ApiClient, CreateApiClientInput, CreatedSecret, SecretMetadata, SignicatErrorBody, UpdateApiClientInput } from './types';

/** The only scope Signicat knows. */
export const SIGNICAT_SCOPE = 'signicat-api';

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
  /**
   * After a create whose answer was lost (timeout, reset), how long to keep looking for the object
   * before sending the create again: a timed-out request may still be on its way. @default 3000
   */
  readonly lostAnswerGraceMs?: number;
}

/** Clock skew allowed between us and the vendor when matching objects "created since we asked". */
const CREATED_SKEW_MS = 5_000;
const LOOKUP_INTERVAL_MS = 250;

function lostAnswer(err: unknown): boolean {
  return ApiAccessError.isApiAccessError(err) && (err.code === APIACCESS_NETWORK_ERROR || err.code === APIACCESS_TIMEOUT);
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

  async listApiClients(signal?: AbortSignal): Promise<ApiClient[]> {
    const res = await this.http.request({ method: 'GET', path: '/management/api-clients', query: this.account, signal });
    if (res.status !== 200) this.fail(res, 'Listing API clients failed');
    return this.parse<{ data: ApiClient[] }>(res, 'Listing API clients', (v) => Array.isArray((v as { data?: unknown })?.data)).data;
  }

  /** The client, or null when it does not exist. */
  async getApiClient(id: string, signal?: AbortSignal): Promise<ApiClient | null> {
    const res = await this.http.request({ method: 'GET', path: path`/management/api-clients/${id}`, query: this.account, signal });
    if (res.status === 404) return null;
    if (res.status !== 200) this.fail(res, `Reading API client "${id}" failed`);
    return this.parse<ApiClient>(res, 'Reading an API client', isApiClient);
  }

  async createApiClient(input: CreateApiClientInput, signal?: AbortSignal): Promise<ApiClient> {
    const started = this.clock.now();
    const send = async (): Promise<ApiClient> => {
      const res = await this.http.request({ method: 'POST', path: '/management/api-clients', query: this.account, body: input, signal });
      if (res.status !== 201 && res.status !== 200) this.fail(res, `Creating API client "${input.name}" failed`);
      return this.parse<ApiClient>(res, 'Creating an API client', isApiClient);
    };
    try {
      return await send();
    } catch (err) {
      if (!lostAnswer(err)) throw err;
      const mine = async (): Promise<ApiClient[]> =>
        (await this.listApiClients(signal)).filter((c) => c.name === input.name && Date.parse(c.createdAt) >= started - CREATED_SKEW_MS);
      const found = await this.lookForLostCreate(mine, signal);
      const keep = found.length > 0 ? newest(found) : await send();
      // A create that was still in flight may have landed meanwhile: keep exactly one.
      for (const extra of (await mine()).filter((c) => c.id !== keep.id)) await this.deleteApiClient(extra.id, signal);
      return keep;
    }
  }

  /** Polls `lookup` until it finds something or the grace period ends. */
  private async lookForLostCreate<T>(lookup: () => Promise<T[]>, signal?: AbortSignal): Promise<T[]> {
    const deadline = this.clock.now() + (this.config.lostAnswerGraceMs ?? 3_000);
    for (let wait = LOOKUP_INTERVAL_MS; ; wait *= 2) {
      const found = await lookup();
      const left = deadline - this.clock.now();
      if (found.length > 0 || left <= 0) return found;
      await this.clock.sleep(Math.min(wait, left), signal);
    }
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

  /**
   * Creates a secret; its value is in the answer only. When that answer is lost, a secret with the
   * same name made since the call started is deleted (its value can never be read again) and the
   * create is sent once more.
   */
  async createSecret(clientId: string, name: string | null, signal?: AbortSignal): Promise<CreatedSecret> {
    const started = this.clock.now();
    const send = async (): Promise<CreatedSecret> => {
      const res = await this.http.request({
        method: 'POST',
        path: path`/management/api-clients/${clientId}/secrets`,
        query: this.account,
        body: name === null ? {} : { name },
        signal,
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
    };
    try {
      return await send();
    } catch (err) {
      if (!lostAnswer(err)) throw err;
      const mine = async (): Promise<SecretMetadata[]> =>
        (await this.listSecrets(clientId, signal)).filter((x) => x.name === name && Date.parse(x.createdAt) >= started - CREATED_SKEW_MS);
      // Nobody can read a secret whose answer was lost: delete it, then create a new one.
      for (const orphan of await this.lookForLostCreate(mine, signal)) await this.deleteSecret(clientId, orphan.id, signal);
      const created = await send();
      for (const late of (await mine()).filter((x) => x.id !== created.id)) await this.deleteSecret(clientId, late.id, signal);
      return created;
    }
  }

  /** Deletes a secret; false when it (or its client) was already gone. */
  async deleteSecret(clientId: string, secretId: string, signal?: AbortSignal): Promise<boolean> {
    const res = await this.http.request({ method: 'DELETE', path: path`/management/api-clients/${clientId}/secrets/${secretId}`, query: this.account, signal });
    if (res.status === 404) return false;
    if (res.status !== 204 && res.status !== 200) this.fail(res, `Deleting secret "${secretId}" of API client "${clientId}" failed`);
    return true;
  }
}

function newest(clients: readonly ApiClient[]): ApiClient {
  return [...clients].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))[0]!;
}

function isApiClient(v: unknown): boolean {
  const c = v as ApiClient;
  return !!c && typeof c.id === 'string' && typeof c.name === 'string' && typeof c.accessTokenLifetime === 'number' && Array.isArray(c.permissions);
}
