/**
 * Issue 11: write-only attributes (Terraform >= 1.11): advertised as write_only on the wire, planned
 * null although the proposed state carries the value, handed to create and update from the
 * configuration, never in the new state; refused with a clear diagnostic when Terraform cannot
 * handle them; rejected in specs where Terraform does not allow them.
 */
import { silentLogger } from '../../../src/core/log';
import { ProviderEngine } from '../../../src/provider/framework/engine';
import type { VendorProvider } from '../../../src/provider/framework/provider';
import { resourceFromSpec } from '../../../src/provider/framework/spec-resource';
import { schemaToProto } from '../../../src/provider/protocol/wire';
import { defineDataSource, defineResource } from '../../../src/spec';

const spec = defineResource({
  typeName: 'apiaccess_fake_secret_setter',
  version: 0,
  description: 'Sets a secret.',
  attributes: {
    id: { type: 'string', computed: true, description: 'ID.' },
    secret_wo: { type: 'string', optional: true, sensitive: true, writeOnly: true, description: 'The secret.' },
    secret_wo_version: { type: 'number', optional: true, description: 'Bump to set again.' },
    set_at: { type: 'string', computed: true, changesOnUpdate: true, description: 'When.' },
  },
  docs: { hcl: '', typescript: '' },
});

function setup() {
  const seen: { op: string; secret: unknown }[] = [];
  const handler = resourceFromSpec<unknown, typeof spec.attributes>(spec, {
    async create(config) {
      seen.push({ op: 'create', secret: config.secret_wo });
      return { id: 'x1', secret_wo: config.secret_wo, secret_wo_version: config.secret_wo_version, set_at: 't1' };
    },
    async read(state) {
      return { ...state };
    },
    async update(state, patch) {
      seen.push({ op: 'update', secret: patch.secret_wo });
      return { ...state, ...patch, set_at: 't2' };
    },
    async delete() {},
  });
  const vendor = { name: 'fake', settings: {}, credentials: [], sandboxSettings: () => ({}), createClient: () => ({}), resources: [handler] };
  return { engine: new ProviderEngine([vendor as VendorProvider], silentLogger, {}), seen, handler };
}

const T = 'apiaccess_fake_secret_setter';
const ALLOWED = { writeOnlyAttributesAllowed: true };

describe('issue 11: write-only attributes', () => {
  it('are advertised with write_only on the wire schema', () => {
    const { handler } = setup();
    const attrs = (schemaToProto(handler.schema) as { block: { attributes: { name: string; write_only: boolean }[] } }).block.attributes;
    expect(attrs.find((a) => a.name === 'secret_wo')!.write_only).toBe(true);
    expect(attrs.find((a) => a.name === 'secret_wo_version')!.write_only).toBe(false);
  });

  it('plan null, reach create from the config and never the new state; a version bump updates with the new value', async () => {
    const { engine, seen } = setup();
    const config = { id: null, secret_wo: 'first-Secret-1', secret_wo_version: 1, set_at: null };
    const plan = engine.planResourceChange(T, null, config, config, ALLOWED);
    expect(plan.diagnostics.items).toEqual([]);
    expect(plan.planned!.secret_wo).toBeNull();
    const created = await engine.applyResourceChange(T, null, plan.planned, config);
    expect(created.diagnostics.items).toEqual([]);
    expect(created.value).toMatchObject({ id: 'x1', secret_wo: null, secret_wo_version: 1 });
    expect(seen).toEqual([{ op: 'create', secret: 'first-Secret-1' }]);

    // same version, other secret: nothing to do (Terraform cannot see write-only changes)
    const same = { ...config, id: 'x1', secret_wo: 'other-Secret-2', set_at: 't1' };
    const noop = engine.planResourceChange(T, created.value, same, { ...config, secret_wo: 'other-Secret-2' }, ALLOWED);
    expect(noop.planned).toEqual(created.value);

    const bumped = { ...config, secret_wo: 'second-Secret-3', secret_wo_version: 2 };
    const plan2 = engine.planResourceChange(T, created.value, { ...bumped, id: 'x1', set_at: 't1' }, bumped, ALLOWED);
    expect(plan2.planned).toMatchObject({ secret_wo: null, secret_wo_version: 2 });
    const updated = await engine.applyResourceChange(T, created.value, plan2.planned, bumped);
    expect(updated.diagnostics.items).toEqual([]);
    expect(updated.value).toMatchObject({ secret_wo: null, secret_wo_version: 2, set_at: 't2' });
    expect(seen[1]).toEqual({ op: 'update', secret: 'second-Secret-3' });
    expect((await engine.readResource(T, updated.value!)).value!.secret_wo).toBeNull();
  });

  it('a Terraform without write-only support gets an error on the attribute naming Terraform 1.11', () => {
    const { engine } = setup();
    const config = { id: null, secret_wo: 'first-Secret-1', secret_wo_version: 1, set_at: null };
    const plan = engine.planResourceChange(T, null, config, config, { writeOnlyAttributesAllowed: false });
    expect(plan.planned).toBeNull();
    expect(plan.diagnostics.items).toEqual([
      expect.objectContaining({ severity: 'error', summary: 'Write-Only Attribute Not Supported', path: ['secret_wo'] }),
    ]);
    expect(plan.diagnostics.items[0]!.detail).toContain('Terraform 1.11');
    // unset, it is no problem
    expect(
      engine.planResourceChange(T, null, { ...config, secret_wo: null }, { ...config, secret_wo: null }, { writeOnlyAttributesAllowed: false }).diagnostics
        .hasErrors,
    ).toBe(false);
  });

  it('specs refuse write-only where Terraform does not allow it', () => {
    const attrs = (a: object) => ({ x: { type: 'string' as const, description: 'x', ...a } });
    expect(() =>
      defineResource({
        typeName: 'apiaccess_fake_a',
        version: 0,
        description: '',
        attributes: attrs({ computed: true, writeOnly: true }),
        docs: { hcl: '', typescript: '' },
      }),
    ).toThrow(/write-only/);
    expect(() =>
      defineDataSource({
        typeName: 'apiaccess_fake_b',
        description: '',
        attributes: attrs({ optional: true, writeOnly: true }),
        docs: { hcl: '', typescript: '' },
      }),
    ).toThrow(/managed resources only/);
  });
});
