/** Issue 6: UpgradeResourceState honours the stored schema version and never loses precision. */
import { silentLogger } from '../../../src/core/log';
import { BigNumber } from '../../../src/provider/framework/cty';
import { ProviderEngine, type StateCodec } from '../../../src/provider/framework/engine';
import type { VendorProvider } from '../../../src/provider/framework/provider';
import type { ObjectValue, UpgradeStateRequest } from '../../../src/provider/framework/resource';
import { impliedType } from '../../../src/provider/framework/schema';
import { decodeJson, parseJsonLossless } from '../../../src/provider/protocol/dynamic-value';
import { makeFakeVendor, WIDGET, WIDGET_SCHEMA, widgetConfig } from '../_fake-vendor';

/** The wire layer's codec, as provider-service lends it. */
const codec: StateCodec = {
  decodeCurrent: (json) => decodeJson(impliedType(WIDGET_SCHEMA), json, { dropUndefinedAttributes: true }) as ObjectValue | null,
  parse: (json) => parseJsonLossless(json) as ObjectValue,
};

const BIG = '9007199254740993'; // 2^53 + 1: JSON.parse would give ...992

function setup() {
  const fake = makeFakeVendor();
  const engine = new ProviderEngine([fake.vendor as VendorProvider], silentLogger, {});
  return { ...fake, engine };
}

const json = (text: string) => ({ version: WIDGET_SCHEMA.version, json: text, flatmap: false });

describe('issue 6: ProviderEngine.upgradeResourceState', () => {
  it('the current version passes the stored JSON through losslessly (a number beyond 2^53 keeps every digit)', () => {
    const { engine } = setup();
    const res = engine.upgradeResourceState(WIDGET, json(`{"id":"w-1","name":"alpha","size":${BIG},"tags":["b","a"]}`), codec);
    expect(res.diagnostics.items).toEqual([]);
    expect(res.value).toEqual(widgetConfig({ id: 'w-1', name: 'alpha', size: new BigNumber(BIG), tags: ['b', 'a'] }));
  });

  it('the current version drops attributes the schema no longer has and adds missing ones as null', () => {
    const { engine } = setup();
    const res = engine.upgradeResourceState(WIDGET, json('{"id":"w-1","name":"alpha","colour":"red","size":3}'), codec);
    expect(res.diagnostics.items).toEqual([]);
    expect(res.value).toEqual(widgetConfig({ id: 'w-1', name: 'alpha', size: 3 }));
  });

  it("an older version runs the handler's upgrader with the raw JSON and a lossless parse of it", () => {
    const { engine, handler } = setup();
    const seen: UpgradeStateRequest[] = [];
    Object.assign(handler, {
      upgradeState: (req: UpgradeStateRequest): ObjectValue => {
        seen.push(req);
        // Version 0 called the name "title" and kept the size as "units".
        return { id: req.state.id, name: req.state.title, size: req.state.units, stale: true };
      },
    });
    const raw = `{"id":"w-1","title":"alpha","units":${BIG}}`;
    const res = engine.upgradeResourceState(WIDGET, { version: 0, json: raw, flatmap: false }, codec);
    expect(res.diagnostics.items).toEqual([]);
    expect(seen).toEqual([{ fromVersion: 0, rawJson: raw, state: { id: 'w-1', title: 'alpha', units: new BigNumber(BIG) } }]);
    expect(res.value).toEqual(widgetConfig({ id: 'w-1', name: 'alpha', size: new BigNumber(BIG) }));
  });

  it('an older version without an upgrader is an error naming the resource type and both versions', () => {
    const { engine } = setup();
    const res = engine.upgradeResourceState(WIDGET, { version: 0, json: '{"id":"w-1"}', flatmap: false }, codec);
    expect(res.value).toBeNull();
    expect(res.diagnostics.items).toEqual([
      { severity: 'error', summary: 'State Upgrade Not Supported', detail: expect.stringContaining(`${WIDGET} (schema version 0)`) },
    ]);
    expect(res.diagnostics.items[0]!.detail).toContain('to schema version 1');
  });

  it('a version newer than the schema is an error naming both versions', () => {
    const { engine } = setup();
    const res = engine.upgradeResourceState(WIDGET, { version: 2, json: '{"id":"w-1"}', flatmap: false }, codec);
    expect(res.value).toBeNull();
    expect(res.diagnostics.items).toEqual([
      { severity: 'error', summary: 'State From A Newer Provider', detail: expect.stringContaining(`${WIDGET} (schema version 2)`) },
    ]);
    expect(res.diagnostics.items[0]!.detail).toContain('schema version 1 at most');
  });

  it('flatmap-only state (Terraform 0.11) is an error naming the resource type and versions', () => {
    const { engine } = setup();
    const res = engine.upgradeResourceState(WIDGET, { version: 1, json: null, flatmap: true }, codec);
    expect(res.value).toBeNull();
    expect(res.diagnostics.items).toEqual([
      { severity: 'error', summary: 'Unsupported State Format', detail: expect.stringContaining(`${WIDGET} (schema version 1)`) },
    ]);
  });

  it('an upgrader that throws is an error diagnostic, not a crash', () => {
    const { engine, handler } = setup();
    Object.assign(handler, {
      upgradeState: (): ObjectValue => {
        throw new Error('version 0 state has no id');
      },
    });
    const res = engine.upgradeResourceState(WIDGET, { version: 0, json: '{}', flatmap: false }, codec);
    expect(res.value).toBeNull();
    expect(res.diagnostics.items).toEqual([
      { severity: 'error', summary: 'State Upgrade Failed', detail: expect.stringContaining('version 0 state has no id') },
    ]);
  });

  it('an unknown resource type is an error diagnostic', () => {
    const { engine } = setup();
    const res = engine.upgradeResourceState('apiaccess_fake_nothing', json('{}'), codec);
    expect(res.diagnostics.items.map((d) => d.summary)).toEqual(['Unknown Resource Type']);
  });
});
