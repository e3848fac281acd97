/**
 * Issue 7: the data-source and ephemeral-resource RPCs over the real tfplugin6 messages, driving
 * the Signicat handlers with a fake client: advertised in GetMetadata and GetProviderSchema,
 * validated, read, opened (renew_at from expires_in, private never the secret), renewed, closed.
 */
import { parse as parseProto, type Type } from 'protobufjs';
import { APIACCESS_OAUTH_ERROR, ApiAccessError } from '../../../src/core/errors';
import { silentLogger } from '../../../src/core/log';
import type { CtyType, CtyValue } from '../../../src/provider/framework/cty';
import { ProviderEngine } from '../../../src/provider/framework/engine';
import type { VendorProvider } from '../../../src/provider/framework/provider';
import { impliedType } from '../../../src/provider/framework/schema';
import { decodeDynamicValue, encodeDynamicValue } from '../../../src/provider/protocol/dynamic-value';
import { timestampToProto } from '../../../src/provider/protocol/other-rpcs';
import { TFPLUGIN6_PROTO } from '../../../src/provider/protocol/proto';
import { createProviderHandlers } from '../../../src/provider/protocol/provider-service';
import type { SignicatClient } from '../../../src/vendors/signicat/client';
import { signicatProvider } from '../../../src/vendors/signicat/provider';
import type { ApiClient } from '../../../src/vendors/signicat/types';

type Res = Record<string, unknown>;
const root = parseProto(TFPLUGIN6_PROTO, { keepCase: true }).root;

function overWire(message: string, res: object): Res {
  const t: Type = root.lookupType(`tfplugin6.${message}`);
  return t.toObject(t.decode(t.encode(t.fromObject(res)).finish()), {
    enums: String,
    longs: Number,
    defaults: true,
    arrays: true,
    objects: true,
    oneofs: true,
  }) as Res;
}

const client = (over: Partial<ApiClient>): ApiClient => ({
  id: 'c1',
  name: 'pipeline-a',
  accountId: 'a-spge-test',
  accessTokenLifetime: 600,
  createdAt: '2026-01-01T00:00:00Z',
  permissions: ['sessions:read', 'authentication:read'],
  secrets: [{ id: 's1', name: null, createdAt: '2026-01-01T00:00:00Z' }],
  ...over,
});

function setup(fail?: Error) {
  const clients = [client({}), client({ id: 'c2', name: 'reports', permissions: [], secrets: [] }), client({ id: 'c3', name: 'pipeline-b', secrets: [] })];
  const fake = {
    tokenCalls: [] as string[],
    listApiClients: async () => clients,
    getApiClient: async (id: string) => clients.find((c) => c.id === id) ?? null,
    issueAccessToken: async (clientId: string, secret: string) => {
      fake.tokenCalls.push(`${clientId}:${secret.length}`);
      if (fail) throw fail;
      return { accessToken: 'tok-abcdef123456', expiresAt: Date.now() + 600_000 };
    },
  };
  const vendor: VendorProvider<SignicatClient> = { ...signicatProvider, createClient: () => fake as unknown as SignicatClient };
  const engine = new ProviderEngine([vendor as VendorProvider], silentLogger, {});
  engine.configure({});
  const handlers = createProviderHandlers(engine, silentLogger);
  const call = async (rpc: string, req: Record<string, unknown>): Promise<Res> => overWire(`${rpc}.Response`, await handlers[rpc]!(req));
  const typeOf = (schemas: Map<string, { attributes: object }>, name: string): CtyType => impliedType(schemas.get(name) as never);
  return { engine, call, fake, typeOf };
}

const dv = (type: CtyType, value: CtyValue) => ({ msgpack: Buffer.from(encodeDynamicValue(type, value).msgpack), json: Buffer.alloc(0) });
const decoded = (type: CtyType, v: unknown) => decodeDynamicValue(type, v as { msgpack: Uint8Array });

describe('issue 7: data sources on the wire', () => {
  it('GetMetadata and GetProviderSchema advertise the data sources and the ephemeral resource', async () => {
    const { call } = setup();
    const meta = await call('GetMetadata', {});
    expect(meta.data_sources).toEqual([{ type_name: 'apiaccess_signicat_api_client' }, { type_name: 'apiaccess_signicat_api_clients' }]);
    expect(meta.ephemeral_resources).toEqual([{ type_name: 'apiaccess_signicat_access_token' }]);
    const schema = await call('GetProviderSchema', {});
    expect(Object.keys(schema.data_source_schemas as object).sort()).toEqual(['apiaccess_signicat_api_client', 'apiaccess_signicat_api_clients']);
    expect(Object.keys(schema.ephemeral_resource_schemas as object)).toEqual(['apiaccess_signicat_access_token']);
  });

  it('ReadDataSource lists the clients with the prefix, sorted by name, with permissions sorted and the secret count', async () => {
    const { call, engine, typeOf } = setup();
    const type = typeOf(engine.other.dataSourceSchemas(), 'apiaccess_signicat_api_clients');
    const res = await call('ReadDataSource', { type_name: 'apiaccess_signicat_api_clients', config: dv(type, { name_prefix: 'pipeline-', clients: null }) });
    expect(res.diagnostics).toEqual([]);
    const state = decoded(type, res.state) as { name_prefix: string; clients: { id: string; permissions: string[]; secret_count: number }[] };
    expect(state.name_prefix).toBe('pipeline-');
    expect(state.clients.map((c) => c.id)).toEqual(['c1', 'c3']);
    expect(state.clients[0]).toMatchObject({ permissions: ['authentication:read', 'sessions:read'], secret_count: 1, access_token_lifetime: 600 });
  });

  it('the lookup by ID returns the client, and an unknown ID is an error on the id attribute', async () => {
    const { call, engine, typeOf } = setup();
    const type = typeOf(engine.other.dataSourceSchemas(), 'apiaccess_signicat_api_client');
    const empty = { name: null, permissions: null, access_token_lifetime: null, account_id: null, created_at: null, secret_count: null };
    const found = await call('ReadDataSource', { type_name: 'apiaccess_signicat_api_client', config: dv(type, { id: 'c2', ...empty }) });
    expect(decoded(type, found.state)).toMatchObject({ id: 'c2', name: 'reports', secret_count: 0, account_id: 'a-spge-test' });
    const missing = await call('ReadDataSource', { type_name: 'apiaccess_signicat_api_client', config: dv(type, { id: 'nope', ...empty }) });
    expect(missing.diagnostics).toEqual([
      expect.objectContaining({ severity: 'ERROR', summary: 'Read Failed', attribute: { steps: [{ attribute_name: 'id', selector: 'attribute_name' }] } }),
    ]);
  });

  it('ValidateDataResourceConfig runs the spec validators; unknown types are errors', async () => {
    const { call, engine, typeOf } = setup();
    const type = typeOf(engine.other.dataSourceSchemas(), 'apiaccess_signicat_api_clients');
    const bad = await call('ValidateDataResourceConfig', {
      type_name: 'apiaccess_signicat_api_clients',
      config: dv(type, { name_prefix: ' ', clients: null }),
    });
    expect(bad.diagnostics).toEqual([expect.objectContaining({ severity: 'ERROR', summary: 'Invalid Attribute Value' })]);
    for (const rpc of ['ValidateDataResourceConfig', 'ReadDataSource']) {
      expect((await call(rpc, { type_name: 'apiaccess_nope', config: { msgpack: Buffer.from([0xc0]) } })).diagnostics).toEqual([
        expect.objectContaining({ summary: 'Unknown Data Source' }),
      ]);
    }
    for (const rpc of ['ValidateEphemeralResourceConfig', 'OpenEphemeralResource']) {
      expect((await call(rpc, { type_name: 'apiaccess_nope', config: { msgpack: Buffer.from([0xc0]) } })).diagnostics).toEqual([
        expect.objectContaining({ summary: 'Unknown Ephemeral Resource' }),
      ]);
    }
  });
});

describe('issue 7: ephemeral resources on the wire', () => {
  const TYPE = 'apiaccess_signicat_access_token';
  const config = { client_id: 'c1', client_secret: 'the-client-secret-value', access_token: null, token_type: null, expires_at: null };

  it('opens with one token request: the token in the result only, renew_at before expiry, private without the secret', async () => {
    const { call, engine, fake, typeOf } = setup();
    const type = typeOf(engine.other.ephemeralSchemas(), TYPE);
    expect((await call('ValidateEphemeralResourceConfig', { type_name: TYPE, config: dv(type, config) })).diagnostics).toEqual([]);
    const before = Date.now();
    const res = await call('OpenEphemeralResource', { type_name: TYPE, config: dv(type, config) });
    expect(res.diagnostics).toEqual([]);
    expect(fake.tokenCalls).toEqual(['c1:23']);
    expect(decoded(type, res.result)).toMatchObject({ client_id: 'c1', access_token: 'tok-abcdef123456', token_type: 'Bearer' });
    const renewAt = (res.renew_at as { seconds: number }).seconds * 1000;
    expect(renewAt).toBeGreaterThan(before);
    expect(renewAt).toBeLessThan(before + 600_000);
    const priv = Buffer.from(res.private as Uint8Array).toString('utf8');
    expect(priv).not.toContain('the-client-secret-value');
    expect(priv).not.toContain('tok-abcdef123456');

    const renewed = await call('RenewEphemeralResource', { type_name: TYPE, private: res.private });
    expect(renewed.diagnostics).toEqual([expect.objectContaining({ severity: 'WARNING', summary: 'Access Token Not Renewable' })]);
    expect((await call('CloseEphemeralResource', { type_name: TYPE, private: res.private })).diagnostics).toEqual([]);
  });

  it('a refused secret is an error on client_secret', async () => {
    const { call, engine, typeOf } = setup(new ApiAccessError(APIACCESS_OAUTH_ERROR, 'invalid_client'));
    const type = typeOf(engine.other.ephemeralSchemas(), TYPE);
    const res = await call('OpenEphemeralResource', { type_name: TYPE, config: dv(type, config) });
    expect(res.diagnostics).toEqual([
      expect.objectContaining({
        severity: 'ERROR',
        summary: 'Open Failed',
        attribute: { steps: [{ attribute_name: 'client_secret', selector: 'attribute_name' }] },
      }),
    ]);
  });

  it('timestamps go out as seconds and nanos', () => {
    expect(timestampToProto(new Date(1_700_000_000_123))).toEqual({ seconds: 1_700_000_000, nanos: 123_000_000 });
  });
});
