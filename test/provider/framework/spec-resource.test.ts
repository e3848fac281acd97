/**
 * The framework side of the spec (issue 7): a handler of vendor calls becomes an engine handler
 * whose update gets only the changed attributes, whose show-once values survive reads, whose
 * import IDs are parsed from the declared format, and whose vendor field names become attribute
 * paths.
 */
import { Diagnostics } from '../../../src/core/diagnostics';
import { APIACCESS_INVALID_ARGUMENT, APIACCESS_VENDOR_REJECTED, ApiAccessError } from '../../../src/core/errors';
import { silentLogger } from '../../../src/core/log';
import { BigNumber, UNKNOWN } from '../../../src/provider/framework/cty';
import { runValidators } from '../../../src/provider/framework/engine';
import type { ResourceContext } from '../../../src/provider/framework/resource';
import { resourceFromSpec, schemaFromSpec, settingsFromSpec, type SpecHandler } from '../../../src/provider/framework/spec-resource';
import { defineResource, defineSettings, integerBetween, nonEmptyString } from '../../../src/spec';

const spec = defineResource({
  typeName: 'apiaccess_demo_key',
  version: 1,
  description: 'A key.',
  attributes: {
    id: { type: 'string', computed: true, description: 'Address.' },
    owner: { type: 'string', required: true, requiresReplace: true, description: 'Owner.', validators: [nonEmptyString(10)] },
    label: { type: 'string', optional: true, vendorField: 'displayLabel', description: 'Label.' },
    ttl: { type: 'number', optional: true, computed: true, default: 60, description: 'TTL.', validators: [integerBetween(1, 100)] },
    scopes: { type: ['set', 'string'], optional: true, computed: true, default: [], description: 'Scopes.' },
    secret: { type: 'string', computed: true, sensitive: true, showOnce: true, description: 'Secret.' },
  },
  importId: { format: '{owner}/{key_id}', example: 'o/k' },
  docs: { hcl: '', typescript: '' },
});
type A = typeof spec.attributes;

interface Calls {
  update: unknown[];
}

function makeHandler(calls: Calls, overrides: Partial<SpecHandler<Calls, A>> = {}): SpecHandler<Calls, A> {
  return {
    create: async (c) => ({ id: `${c.owner}/k1`, owner: c.owner, label: c.label, ttl: c.ttl, scopes: [...c.scopes].reverse(), secret: 's3cr3t' }),
    read: async (s) => ({ id: s.id, owner: s.owner, label: s.label, ttl: s.ttl ?? 60, scopes: s.scopes ?? [] }),
    update: async (s, patch) => {
      calls.update.push(patch);
      return { id: s.id, owner: s.owner, label: patch.label ?? s.label, ttl: patch.ttl ?? s.ttl, scopes: patch.scopes ?? s.scopes ?? [] };
    },
    delete: async () => undefined,
    ...overrides,
  };
}

function ctx(calls: Calls): ResourceContext<Calls> {
  return {
    client: calls,
    diagnostics: new Diagnostics(),
    logger: silentLogger,
    signal: new AbortController().signal,
    createOnce: (_what, send) => send('test-key'),
  };
}

describe('issue 7: resources from a spec', () => {
  it('derives the schema: modes, defaults, sensitivity, replacement and plan validators', () => {
    const schema = schemaFromSpec(spec);
    expect(schema.version).toBe(1);
    expect(schema.attributes.owner).toMatchObject({ type: 'string', required: true, requiresReplace: true });
    expect(schema.attributes.ttl).toMatchObject({ optional: true, computed: true, default: 60 });
    expect(schema.attributes.secret).toMatchObject({ computed: true, sensitive: true });
    const diags = runValidators(schema, { owner: '', ttl: 0, label: null, scopes: UNKNOWN }, new Diagnostics());
    expect(diags.items.map((d) => [d.path, d.detail])).toEqual([
      [['owner'], 'owner must not be empty; give it a value of 1 to 10 characters.'],
      [['ttl'], 'ttl is 0; it must be a whole number from 1 to 100.'],
    ]);
    expect(settingsFromSpec(defineSettings('demo', { token: { type: 'string', optional: true, sensitive: true, description: 'T.' } }))).toEqual({
      token: { type: 'string', optional: true, sensitive: true, description: 'T.' },
    });
  });

  it('create gets the typed configuration (numbers as numbers) and string sets come back sorted', async () => {
    const calls: Calls = { update: [] };
    let seen: unknown;
    const h = resourceFromSpec(
      spec,
      makeHandler(calls, { create: async (c) => ((seen = c), { id: 'o/k1', owner: c.owner, label: null, ttl: c.ttl, scopes: ['b', 'a'], secret: 'x' }) }),
    );
    const planned = { id: UNKNOWN, owner: 'o', label: null, ttl: new BigNumber('60.0000000000000000001'), scopes: ['a'], secret: UNKNOWN };
    const state = await h.create({ planned }, ctx(calls));
    expect(seen).toEqual({ owner: 'o', label: null, ttl: 60, scopes: ['a'] });
    expect(state.scopes).toEqual(['a', 'b']);
  });

  it('update receives only the attributes that changed', async () => {
    const calls: Calls = { update: [] };
    const h = resourceFromSpec(spec, makeHandler(calls));
    const prior = { id: 'o/k1', owner: 'o', label: 'old', ttl: 60, scopes: ['a', 'b'], secret: 'kept' };
    const state = await h.update({ prior, planned: { ...prior, label: 'new', scopes: ['b', 'a'] } }, ctx(calls));
    expect(calls.update).toEqual([{ label: 'new' }]);
    expect(state).toMatchObject({ label: 'new', secret: 'kept' });
  });

  it('read keeps the show-once value from the prior state, and null means gone', async () => {
    const calls: Calls = { update: [] };
    const h = resourceFromSpec(spec, makeHandler(calls));
    const state = { id: 'o/k1', owner: 'o', label: null, ttl: 60, scopes: [], secret: 'kept' };
    expect(await h.read({ state }, ctx(calls))).toMatchObject({ secret: 'kept', ttl: 60 });
    const gone = resourceFromSpec(spec, makeHandler(calls, { read: async () => null }));
    expect(await gone.read({ state }, ctx(calls))).toBeNull();
  });

  it('import parses the declared format into attributes and warns that the show-once value stays null', async () => {
    const calls: Calls = { update: [] };
    const h = resourceFromSpec(spec, makeHandler(calls));
    const c = ctx(calls);
    expect(await h.importState!({ id: 'alice/k9' }, c)).toEqual({ id: 'alice/k9', owner: 'alice', key_id: 'k9' });
    expect(c.diagnostics.items).toEqual([expect.objectContaining({ severity: 'warning', summary: 'Value Not Imported', path: ['secret'] })]);
    await expect(h.importState!({ id: 'alice' }, c)).rejects.toMatchObject({ code: APIACCESS_INVALID_ARGUMENT });
  });

  it("renames the vendor's field on an error to the attribute that holds it", async () => {
    const calls: Calls = { update: [] };
    const fail = async (): Promise<never> => {
      throw new ApiAccessError(APIACCESS_VENDOR_REJECTED, 'label taken', { field: 'displayLabel' });
    };
    const h = resourceFromSpec(spec, makeHandler(calls, { create: fail }));
    await expect(h.create({ planned: { owner: 'o', label: 'x', ttl: 1, scopes: [] } }, ctx(calls))).rejects.toMatchObject({ field: 'label' });
    // a vendor name that is also another attribute's name maps to the attribute that declares it
    const clash = defineResource({
      typeName: 'apiaccess_demo_clash',
      version: 0,
      description: 'x',
      attributes: {
        id: { type: 'string', computed: true, description: 'Address.' },
        item_id: { type: 'string', computed: true, vendorField: 'id', description: 'Vendor ID.' },
        owner: { type: 'string', required: true, requiresReplace: true, description: 'Owner.' },
      },
      docs: { hcl: '', typescript: '' },
    });
    const rejectId = async (): Promise<never> => {
      throw new ApiAccessError(APIACCESS_VENDOR_REJECTED, 'bad id', { field: 'id' });
    };
    const c = resourceFromSpec(clash, { create: rejectId, read: async () => null, delete: async () => undefined });
    await expect(c.create({ planned: { owner: 'o' } }, ctx(calls))).rejects.toMatchObject({ field: 'item_id' });
  });

  it('an update is optional only when every configurable attribute requires replacement', async () => {
    const calls: Calls = { update: [] };
    const noUpdate = makeHandler(calls);
    delete noUpdate.update;
    expect(() => resourceFromSpec(spec, noUpdate)).toThrow(/update is required, since label, ttl, scopes can change in place/);
    const replaceOnly = defineResource({
      typeName: 'apiaccess_demo_pin',
      version: 0,
      description: 'A pin.',
      attributes: {
        id: { type: 'string', computed: true, description: 'ID.' },
        x: { type: 'string', required: true, requiresReplace: true, description: 'X.' },
      },
      docs: { hcl: '', typescript: '' },
    });
    const h = resourceFromSpec(replaceOnly, { create: async (c) => ({ id: c.x, x: c.x }), read: async (s) => s, delete: async () => undefined });
    expect(await h.update({ prior: { id: 'a', x: 'a' }, planned: { id: 'a', x: 'a' } }, ctx(calls))).toEqual({ id: 'a', x: 'a' });
    expect(h.importState).toBeUndefined();
  });
});
