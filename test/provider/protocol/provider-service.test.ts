import { parse as parseProto, type Type } from 'protobufjs';
import { silentLogger } from '../../../src/core/log';
import { clearRegisteredSecrets, redact } from '../../../src/core/redact';
import { BigNumber, isUnknown, UNKNOWN, type CtyType, type CtyValue } from '../../../src/provider/framework/cty';
import { ProviderEngine } from '../../../src/provider/framework/engine';
import type { VendorProvider } from '../../../src/provider/framework/provider';
import type { ObjectValue } from '../../../src/provider/framework/resource';
import { impliedType } from '../../../src/provider/framework/schema';
import { decodeDynamicValue, encodeDynamicValue } from '../../../src/provider/protocol/dynamic-value';
import { TFPLUGIN6_PROTO } from '../../../src/provider/protocol/proto';
import { createProviderHandlers } from '../../../src/provider/protocol/provider-service';
import { makeFakeVendor, proposedNew, WIDGET, WIDGET_SCHEMA, widgetConfig } from '../_fake-vendor';

type Res = Record<string, unknown>;
type Handlers = ReturnType<typeof createProviderHandlers>;

const WIDGET_TYPE = impliedType(WIDGET_SCHEMA);
/** What proto-loader (defaults: true) hands over for an unset DynamicValue field. */
const NULL_DV = { msgpack: Buffer.from([0xc0]), json: Buffer.alloc(0) };

/** A DynamicValue as Terraform sends it (msgpack, json empty). */
function dv(type: CtyType, value: CtyValue): { msgpack: Buffer; json: Buffer } {
  return value === null ? NULL_DV : { msgpack: Buffer.from(encodeDynamicValue(type, value).msgpack), json: Buffer.alloc(0) };
}

const root = parseProto(TFPLUGIN6_PROTO, { keepCase: true }).root;

/**
 * Sends a response through the real tfplugin6 message type (fromObject → encode → decode), as
 * grpc-js would: proves the handler's object fits the wire, and returns what Terraform receives.
 */
function overWire(message: string, res: object): Res {
  const t: Type = root.lookupType(`tfplugin6.${message}`);
  const bytes = t.encode(t.fromObject(res)).finish();
  return t.toObject(t.decode(bytes), { enums: String, longs: Number, defaults: true, arrays: true, objects: true, oneofs: true }) as Res;
}

async function call(handlers: Handlers, rpc: string, req: Record<string, unknown>): Promise<Res> {
  const fn = handlers[rpc];
  if (!fn) throw new Error(`no handler for ${rpc}`);
  const res = await fn(req);
  return overWire(`${rpc}.Response`, res);
}

function setup() {
  const fake = makeFakeVendor();
  const engine = new ProviderEngine([fake.vendor as VendorProvider], silentLogger, {});
  const handlers = createProviderHandlers(engine, silentLogger);
  return { ...fake, engine, handlers };
}

const PROVIDER_CONFIG_TYPE: CtyType = ['object', { fake_endpoint: 'string', fake_project: 'string', fake_token: 'string', sandbox_url: 'string' }];

async function configure(handlers: Handlers, token = 'tok-123456789'): Promise<Res> {
  return call(handlers, 'ConfigureProvider', {
    terraform_version: '1.11.4',
    config: dv(PROVIDER_CONFIG_TYPE, { fake_endpoint: null, fake_project: null, fake_token: token, sandbox_url: null }),
    client_capabilities: { deferral_allowed: false, write_only_attributes_allowed: true },
  });
}

function planReq(prior: ObjectValue | null, config: ObjectValue | null, typeName = WIDGET): Record<string, unknown> {
  return {
    type_name: typeName,
    prior_state: dv(WIDGET_TYPE, prior),
    proposed_new_state: dv(WIDGET_TYPE, config === null ? null : proposedNew(prior, config)),
    config: dv(WIDGET_TYPE, config),
    prior_private: Buffer.from('opaque'),
    provider_meta: null,
    client_capabilities: { deferral_allowed: false, write_only_attributes_allowed: true },
  };
}

const decoded = (type: CtyType, v: unknown): CtyValue => decodeDynamicValue(type, v as { msgpack: Uint8Array });

beforeEach(() => clearRegisteredSecrets());

describe('createProviderHandlers: schema', () => {
  it('GetProviderSchema returns the provider and resource schemas with JSON type bytes and the optional-schema capability', async () => {
    const { handlers } = setup();
    const res = await call(handlers, 'GetProviderSchema', {});
    expect(res.diagnostics).toEqual([]);
    expect(res.server_capabilities).toMatchObject({ get_provider_schema_optional: true, plan_destroy: false });

    const provider = res.provider as { block: { attributes: Res[] } };
    const providerAttrs = Object.fromEntries(provider.block.attributes.map((a) => [a.name, a]));
    expect(Object.keys(providerAttrs).sort()).toEqual(['fake_endpoint', 'fake_project', 'fake_token', 'sandbox_url']);
    expect(providerAttrs.fake_token).toMatchObject({ optional: true, sensitive: true, required: false, computed: false });
    expect(JSON.parse(Buffer.from(providerAttrs.fake_token.type as Uint8Array).toString())).toBe('string');

    const schemas = res.resource_schemas as Record<string, { version: number; block: { attributes: Res[]; description_kind: string } }>;
    expect(Object.keys(schemas)).toEqual([WIDGET]);
    const widget = schemas[WIDGET];
    expect(widget.version).toBe(1);
    expect(widget.block.description_kind).toBe('PLAIN');
    const attrs = Object.fromEntries(widget.block.attributes.map((a) => [a.name, a]));
    for (const [name, a] of Object.entries(WIDGET_SCHEMA.attributes)) {
      expect(JSON.parse(Buffer.from(attrs[name].type as Uint8Array).toString('utf8'))).toEqual(a.type);
      expect(attrs[name]).toMatchObject({ required: !!a.required, optional: !!a.optional, computed: !!a.computed, sensitive: !!a.sensitive });
    }
    expect(attrs.tags.type).toEqual(Buffer.from('["set","string"]'));
  });

  it('GetMetadata lists the resource types', async () => {
    const { handlers } = setup();
    const res = await call(handlers, 'GetMetadata', {});
    expect(res.resources).toEqual([{ type_name: WIDGET }]);
    expect(res.server_capabilities).toMatchObject({ get_provider_schema_optional: true });
  });
});

describe('createProviderHandlers: plan', () => {
  it('PlanResourceChange at create returns planned_state msgpack with unknown computed values and the default', async () => {
    const { handlers } = setup();
    await configure(handlers);
    const res = await call(handlers, 'PlanResourceChange', planReq(null, widgetConfig({ name: 'alpha' })));
    expect(res.diagnostics).toEqual([]);
    expect(res.requires_replace).toEqual([]);
    expect(Buffer.from(res.planned_private as Uint8Array).toString()).toBe('opaque');
    const planned = decoded(WIDGET_TYPE, res.planned_state) as ObjectValue;
    expect(planned).toEqual({
      id: UNKNOWN,
      name: 'alpha',
      region: null,
      size: 10,
      tags: UNKNOWN,
      secret: UNKNOWN,
      created_at: UNKNOWN,
      revision: UNKNOWN,
    });
    expect(isUnknown(planned.id)).toBe(true);
  });

  it('PlanResourceChange at update returns requires_replace as AttributePath steps', async () => {
    const { handlers } = setup();
    await configure(handlers);
    const prior: ObjectValue = {
      id: 'w-1',
      name: 'alpha',
      region: 'eu-west',
      size: 10,
      tags: ['auto'],
      secret: 's3cr3t-w-1-a1b2c3d4',
      created_at: '2024-05-01T10:00:00Z',
      revision: 1,
    };
    const res = await call(handlers, 'PlanResourceChange', planReq(prior, widgetConfig({ name: 'alpha', region: 'us-east' })));
    expect(res.diagnostics).toEqual([]);
    expect(res.requires_replace).toEqual([{ steps: [{ attribute_name: 'region', selector: 'attribute_name' }] }]);
    expect(decoded(WIDGET_TYPE, res.planned_state)).toEqual({
      ...prior,
      region: 'us-east',
      id: UNKNOWN,
      secret: UNKNOWN,
      created_at: UNKNOWN,
      revision: UNKNOWN,
    });
  });

  it('a plan with a validation error returns the diagnostic with its attribute path and no planned_state', async () => {
    const { handlers } = setup();
    const res = await call(handlers, 'PlanResourceChange', planReq(null, widgetConfig({ name: 'alpha', size: 500 })));
    expect(res.planned_state).toBeNull();
    expect(res.diagnostics).toEqual([
      {
        severity: 'ERROR',
        summary: 'Invalid Attribute Value',
        detail: expect.stringContaining('from 1 to 100'),
        attribute: { steps: [{ attribute_name: 'size', selector: 'attribute_name' }] },
      },
    ]);
  });

  it('destroy (proposed null) plans a null planned_state', async () => {
    const { handlers } = setup();
    const prior = widgetConfig({ id: 'w-1', name: 'alpha' });
    const res = await call(handlers, 'PlanResourceChange', planReq(prior, null));
    expect(res.diagnostics).toEqual([]);
    expect(Buffer.from((res.planned_state as { msgpack: Uint8Array }).msgpack)).toEqual(Buffer.from([0xc0]));
  });

  it('undecodable msgpack is an ERROR diagnostic, not a throw', async () => {
    const { handlers } = setup();
    const bad = { msgpack: Buffer.from([0xc1]), json: Buffer.alloc(0) }; // 0xc1 is never used in msgpack
    const res = await call(handlers, 'PlanResourceChange', { ...planReq(null, widgetConfig({ name: 'a' })), config: bad });
    expect(res.diagnostics).toEqual([
      expect.objectContaining({ severity: 'ERROR', summary: 'Invalid Value From Terraform', detail: expect.stringContaining(WIDGET) }),
    ]);
  });

  it('msgpack of the wrong shape is an ERROR diagnostic too (every RPC that decodes)', async () => {
    const { handlers } = setup();
    const notAnObject = { msgpack: Buffer.from([0xa3, 0x61, 0x62, 0x63]), json: Buffer.alloc(0) }; // "abc"
    const rpcs: [string, Record<string, unknown>][] = [
      ['PlanResourceChange', { ...planReq(null, widgetConfig({ name: 'a' })), proposed_new_state: notAnObject }],
      ['ApplyResourceChange', { type_name: WIDGET, prior_state: NULL_DV, planned_state: notAnObject, config: notAnObject }],
      ['ReadResource', { type_name: WIDGET, current_state: notAnObject, private: Buffer.alloc(0) }],
      ['ValidateResourceConfig', { type_name: WIDGET, config: notAnObject }],
      ['ValidateProviderConfig', { config: notAnObject }],
      ['ConfigureProvider', { terraform_version: '1.11.4', config: notAnObject }],
      ['UpgradeResourceState', { type_name: WIDGET, version: 1, raw_state: { json: Buffer.from('{not json'), flatmap: {} } }],
    ];
    for (const [rpc, req] of rpcs) {
      const res = await call(handlers, rpc, req);
      expect({ rpc, diagnostics: res.diagnostics }).toEqual({
        rpc,
        diagnostics: [expect.objectContaining({ severity: 'ERROR', summary: 'Invalid Value From Terraform' })],
      });
    }
  });

  it("an unknown type_name is an 'Unknown Resource Type' diagnostic on every resource RPC", async () => {
    const { handlers } = setup();
    const type_name = 'apiaccess_fake_nope';
    const rpcs: [string, Record<string, unknown>][] = [
      ['ValidateResourceConfig', { type_name, config: NULL_DV }],
      ['UpgradeResourceState', { type_name, version: 0, raw_state: { json: Buffer.from('{}'), flatmap: {} } }],
      ['ReadResource', { type_name, current_state: NULL_DV }],
      ['PlanResourceChange', { ...planReq(null, widgetConfig({ name: 'a' })), type_name }],
      ['ApplyResourceChange', { type_name, prior_state: NULL_DV, planned_state: NULL_DV, config: NULL_DV }],
      ['ImportResourceState', { type_name, id: 'x' }],
    ];
    for (const [rpc, req] of rpcs) {
      const res = await call(handlers, rpc, req);
      expect({ rpc, diagnostics: res.diagnostics }).toEqual({
        rpc,
        diagnostics: [{ severity: 'ERROR', summary: 'Unknown Resource Type', detail: `The provider has no resource type "${type_name}".`, attribute: null }],
      });
    }
  });
});

describe('createProviderHandlers: other RPCs', () => {
  it('ValidateDataResourceConfig and ReadDataSource answer with an error diagnostic (no data sources)', async () => {
    const { handlers } = setup();
    for (const rpc of ['ValidateDataResourceConfig', 'ReadDataSource']) {
      const res = await call(handlers, rpc, { type_name: 'apiaccess_fake_data', config: NULL_DV });
      expect(res.diagnostics).toEqual([
        expect.objectContaining({ severity: 'ERROR', summary: 'Unknown Data Source', detail: expect.stringContaining('apiaccess_fake_data') }),
      ]);
    }
  });

  it('StopProvider returns { Error: "" } and aborts engine.signal', async () => {
    const { handlers, engine } = setup();
    expect(engine.signal.aborted).toBe(false);
    const res = await handlers.StopProvider({});
    expect(res).toEqual({ Error: '' });
    expect(engine.signal.aborted).toBe(true);
  });

  it('ConfigureProvider with an unknown value reports it on the attribute', async () => {
    const { handlers } = setup();
    const res = await call(handlers, 'ConfigureProvider', {
      terraform_version: '1.11.4',
      config: dv(PROVIDER_CONFIG_TYPE, { fake_endpoint: null, fake_project: null, fake_token: UNKNOWN, sandbox_url: null }),
    });
    expect(res.diagnostics).toEqual([
      expect.objectContaining({
        severity: 'ERROR',
        summary: 'Provider Configuration Not Known',
        attribute: { steps: [{ attribute_name: 'fake_token', selector: 'attribute_name' }] },
      }),
    ]);
  });

  it('apply, read and import round-trip full objects; private bytes pass through', async () => {
    const { handlers, handler } = setup();
    await configure(handlers);
    const plan = await call(handlers, 'PlanResourceChange', planReq(null, widgetConfig({ name: 'alpha' })));
    const applied = await call(handlers, 'ApplyResourceChange', {
      type_name: WIDGET,
      prior_state: NULL_DV,
      planned_state: plan.planned_state,
      config: dv(WIDGET_TYPE, widgetConfig({ name: 'alpha' })),
      planned_private: Buffer.from('p1'),
    });
    expect(applied.diagnostics).toEqual([]);
    expect(Buffer.from(applied.private as Uint8Array).toString()).toBe('p1');
    const state = decoded(WIDGET_TYPE, applied.new_state) as ObjectValue;
    expect(state).toEqual({
      id: 'w-1',
      name: 'alpha',
      region: null,
      size: 10,
      tags: ['auto'],
      secret: 's3cr3t-w-1-a1b2c3d4',
      created_at: '2024-05-01T10:00:00Z',
      revision: 1,
    });

    const read = await call(handlers, 'ReadResource', { type_name: WIDGET, current_state: dv(WIDGET_TYPE, state), private: Buffer.from('p1') });
    expect(read.diagnostics).toEqual([]);
    expect(decoded(WIDGET_TYPE, read.new_state)).toEqual(state);
    expect(Buffer.from(read.private as Uint8Array).toString()).toBe('p1');

    handler.store.clear();
    const gone = await call(handlers, 'ReadResource', { type_name: WIDGET, current_state: dv(WIDGET_TYPE, state), private: Buffer.alloc(0) });
    expect(decoded(WIDGET_TYPE, gone.new_state)).toBeNull();

    const imported = await call(handlers, 'ImportResourceState', { type_name: WIDGET, id: 'w-9' });
    expect(imported.diagnostics).toEqual([]);
    const [one] = imported.imported_resources as { type_name: string; state: unknown }[];
    expect(one.type_name).toBe(WIDGET);
    expect(decoded(WIDGET_TYPE, one.state)).toEqual(widgetConfig({ id: 'w-9' }));

    const deleted = await call(handlers, 'ApplyResourceChange', {
      type_name: WIDGET,
      prior_state: dv(WIDGET_TYPE, state),
      planned_state: NULL_DV,
      config: NULL_DV,
    });
    expect(deleted.diagnostics).toEqual([]);
    expect(decoded(WIDGET_TYPE, deleted.new_state)).toBeNull();
  });

  it('issue 6: ConfigureProvider with credentials the vendor refuses is an error on that setting, naming what to check', async () => {
    const { handlers, refusedTokens } = setup();
    refusedTokens.add('wrong-token-000000');
    const res = await configure(handlers, 'wrong-token-000000');
    expect(res.diagnostics).toEqual([
      {
        severity: 'ERROR',
        summary: 'Invalid Provider Credentials',
        detail: expect.stringContaining('Check the provider setting fake_token'),
        attribute: { steps: [{ attribute_name: 'fake_token', selector: 'attribute_name' }] },
      },
    ]);
    expect(JSON.stringify(res)).not.toContain('wrong-token-000000');
  });

  it('issue 6: UpgradeResourceState reads the stored JSON losslessly: a number beyond 2^53 keeps every digit', async () => {
    const { handlers } = setup();
    const res = await call(handlers, 'UpgradeResourceState', {
      type_name: WIDGET,
      version: 1,
      raw_state: { json: Buffer.from('{"id":"w-1","name":"alpha","size":9007199254740993,"revision":12345678901234567890}'), flatmap: {} },
    });
    expect(res.diagnostics).toEqual([]);
    expect(decoded(WIDGET_TYPE, res.upgraded_state)).toEqual(
      widgetConfig({ id: 'w-1', name: 'alpha', size: new BigNumber('9007199254740993'), revision: new BigNumber('12345678901234567890') }),
    );
  });

  it.each([
    [
      'a newer schema version',
      { version: 7, raw_state: { json: Buffer.from('{"id":"w-1"}'), flatmap: {} } },
      'State From A Newer Provider',
      'schema version 7',
    ],
    [
      'an older version without an upgrader',
      { version: 0, raw_state: { json: Buffer.from('{"id":"w-1"}'), flatmap: {} } },
      'State Upgrade Not Supported',
      'schema version 0',
    ],
    ['flatmap-only state', { version: 1, raw_state: { json: Buffer.alloc(0), flatmap: { id: 'w-1' } } }, 'Unsupported State Format', 'flatmap'],
  ])('issue 6: UpgradeResourceState with %s is an error diagnostic naming the type and versions, and no state', async (_what, req, summary, words) => {
    const { handlers } = setup();
    const res = await call(handlers, 'UpgradeResourceState', { type_name: WIDGET, ...req });
    expect(res.diagnostics).toEqual([{ severity: 'ERROR', summary, detail: expect.stringContaining(WIDGET), attribute: null }]);
    expect((res.diagnostics as { detail: string }[])[0]!.detail).toContain(words);
    expect(decoded(WIDGET_TYPE, res.upgraded_state)).toBeNull();
  });

  it('UpgradeResourceState returns the stored JSON state in the current schema shape', async () => {
    const { handlers } = setup();
    const res = await call(handlers, 'UpgradeResourceState', {
      type_name: WIDGET,
      version: 1,
      raw_state: { json: Buffer.from(JSON.stringify({ id: 'w-1', name: 'alpha', size: 3, tags: ['b', 'a'], dropped: true })), flatmap: {} },
    });
    expect(res.diagnostics).toEqual([]);
    expect(decoded(WIDGET_TYPE, res.upgraded_state)).toEqual(widgetConfig({ id: 'w-1', name: 'alpha', size: 3, tags: ['b', 'a'] }));
  });
});

describe('issue 12: in-sync answers reuse the bytes Terraform sent', () => {
  const stored = { id: 'w-1', name: 'alpha', region: null, size: 5, tags: ['b', 'a'], secret: 's3cr3t-w-1-a1b2c3d4', created_at: 'x', revision: 1 };

  it('UpgradeResourceState of the current version in the schema shape answers with the stored JSON bytes, unchanged', async () => {
    const { handlers } = setup();
    // Number text beyond 2^53 and an absent attribute (null to go-cty) go back as they are.
    const json = Buffer.from(JSON.stringify(stored).replace('"size":5', '"size":9007199254740993').replace('"region":null,', ''));
    const res = await call(handlers, 'UpgradeResourceState', { type_name: WIDGET, version: 1, raw_state: { json, flatmap: {} } });
    expect(res.diagnostics).toEqual([]);
    expect(Buffer.from((res.upgraded_state as { json: Uint8Array }).json).equals(json)).toBe(true);
    expect((res.upgraded_state as { msgpack: Uint8Array }).msgpack).toHaveLength(0);
    expect(decoded(WIDGET_TYPE, res.upgraded_state)).toEqual({ ...stored, size: new BigNumber('9007199254740993') });
    // The stored secret is registered for redaction, as on the decoding path.
    expect(redact(`vendor said: ${stored.secret}`)).not.toContain(stored.secret);
  });

  it.each([
    ['an attribute the schema no longer has', { ...stored, dropped: true }, 1],
    ['an older schema version', stored, 0],
  ])('UpgradeResourceState with %s decodes and re-encodes (msgpack)', async (_what, state, version) => {
    const { handlers, handler } = setup();
    Object.assign(handler, { upgradeState: (req: { state: ObjectValue }) => req.state });
    const res = await call(handlers, 'UpgradeResourceState', {
      type_name: WIDGET,
      version,
      raw_state: { json: Buffer.from(JSON.stringify(state)), flatmap: {} },
    });
    expect(res.diagnostics).toEqual([]);
    expect((res.upgraded_state as { json: Uint8Array }).json).toHaveLength(0);
    expect(decoded(WIDGET_TYPE, res.upgraded_state)).toEqual(stored);
  });

  it('ReadResource of an object the vendor holds unchanged answers with the current_state bytes; a drifted one is encoded anew', async () => {
    const { handlers, handler } = setup();
    await configure(handlers);
    const state: ObjectValue = { ...stored };
    handler.store.set('w-1', { ...state });
    const current = dv(WIDGET_TYPE, state);
    const same = await handlers.ReadResource!({ type_name: WIDGET, current_state: current, private: Buffer.alloc(0) });
    expect((same as { new_state: unknown }).new_state).toBe(current);

    handler.store.set('w-1', { ...state, name: 'beta' });
    const drifted = await call(handlers, 'ReadResource', { type_name: WIDGET, current_state: current, private: Buffer.alloc(0) });
    expect(decoded(WIDGET_TYPE, drifted.new_state)).toEqual({ ...state, name: 'beta' });
  });

  it('PlanResourceChange planned as proposed answers with the proposed bytes; with unknowns it encodes its own plan', async () => {
    const { handlers } = setup();
    await configure(handlers);
    const prior: ObjectValue = { ...stored, tags: ['a'] };
    const inSync = planReq(prior, widgetConfig({ name: 'alpha', size: 5, tags: ['a'] }));
    const res = (await handlers.PlanResourceChange!(inSync)) as { planned_state: unknown; diagnostics: unknown };
    expect(res.diagnostics).toEqual([]);
    expect(res.planned_state).toBe(inSync.proposed_new_state);

    const update = planReq(prior, widgetConfig({ name: 'beta', size: 5, tags: ['a'] }));
    const changed = (await handlers.PlanResourceChange!(update)) as { planned_state: unknown };
    expect(changed.planned_state).not.toBe(update.proposed_new_state);
    expect(decoded(WIDGET_TYPE, changed.planned_state)).toEqual({ ...prior, name: 'beta', revision: UNKNOWN });
  });
});
