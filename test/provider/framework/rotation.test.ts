/**
 * Issue 7 / VENDOR-DONE §4: rotation_period as a framework feature. A secret older than its
 * rotation_period plans as a replacement with the reason "rotation due" as a warning; younger,
 * unset, or a change of rotation_period alone plans no replacement and calls no vendor.
 */
import { ManualClock } from '../../../src/core/clock';
import { silentLogger } from '../../../src/core/log';
import { isUnknown } from '../../../src/provider/framework/cty';
import { ProviderEngine } from '../../../src/provider/framework/engine';
import type { VendorProvider } from '../../../src/provider/framework/provider';
import type { ObjectValue } from '../../../src/provider/framework/resource';
import { resourceFromSpec } from '../../../src/provider/framework/spec-resource';
import { defineResource, rotationPeriod } from '../../../src/spec';

const HOUR = 3600_000;
const spec = defineResource({
  typeName: 'apiaccess_demo_secret',
  version: 0,
  description: 'A secret.',
  attributes: {
    id: { type: 'string', computed: true, description: 'ID.' },
    owner: { type: 'string', required: true, requiresReplace: true, description: 'Owner.' },
    rotation_period: rotationPeriod(),
    value: { type: 'string', computed: true, sensitive: true, showOnce: true, description: 'Value.' },
    created_at: { type: 'string', computed: true, description: 'Created.' },
  },
  rotation: { createdAt: 'created_at' },
  docs: { hcl: '', typescript: '' },
});

async function setup(): Promise<{ engine: ProviderEngine; clock: ManualClock; vendorCalls: string[] }> {
  const clock = new ManualClock(Date.parse('2026-03-01T00:00:00Z'));
  const vendorCalls: string[] = [];
  const handler = resourceFromSpec(
    spec,
    {
      create: async (c) => (vendorCalls.push('create'), { id: 'k1', owner: c.owner, value: 'v', created_at: new Date(clock.now()).toISOString() }),
      read: async (s) => (vendorCalls.push('read'), { id: s.id, owner: s.owner, created_at: s.created_at }),
      delete: async () => void vendorCalls.push('delete'),
    },
    { clock },
  );
  const vendor: VendorProvider = { name: 'demo', settings: {}, credentials: [], sandboxSettings: () => ({}), createClient: () => ({}), resources: [handler] };
  const engine = new ProviderEngine([vendor], silentLogger, {});
  await engine.configure({});
  return { engine, clock, vendorCalls };
}

const prior: ObjectValue = { id: 'k1', owner: 'o', rotation_period: '720h', value: 'v', created_at: '2026-03-01T00:00:00.000Z' };
const config: ObjectValue = { id: null, owner: 'o', rotation_period: '720h', value: null, created_at: null };

describe('issue 7: rotation_period', () => {
  it('a secret younger than rotation_period plans no change', async () => {
    const { engine, clock } = await setup();
    clock.advance(719 * HOUR);
    const plan = engine.planResourceChange(spec.typeName, prior, { ...prior }, config);
    expect(plan.requiresReplace).toEqual([]);
    expect(plan.diagnostics.items).toEqual([]);
    expect(plan.planned).toEqual(prior);
  });

  it('once older, the plan replaces it (created_at and the other computed values unknown) with a "rotation due" warning', async () => {
    const { engine, clock } = await setup();
    clock.advance(720 * HOUR);
    const plan = engine.planResourceChange(spec.typeName, prior, { ...prior }, config);
    expect(plan.requiresReplace).toEqual(['created_at']);
    expect(isUnknown(plan.planned!.created_at)).toBe(true);
    expect(isUnknown(plan.planned!.value)).toBe(true);
    expect(plan.diagnostics.items).toEqual([
      expect.objectContaining({ severity: 'warning', summary: 'Rotation Due', detail: expect.stringContaining('rotation due'), path: ['rotation_period'] }),
    ]);
  });

  it('unset rotation_period never rotates; a malformed one is refused at plan time', async () => {
    const { engine, clock } = await setup();
    clock.advance(10_000 * HOUR);
    const unset = engine.planResourceChange(
      spec.typeName,
      { ...prior, rotation_period: null },
      { ...prior, rotation_period: null },
      { ...config, rotation_period: null },
    );
    expect(unset.requiresReplace).toEqual([]);
    const bad = engine.planResourceChange(spec.typeName, prior, { ...prior, rotation_period: '30d' }, { ...config, rotation_period: '30d' });
    expect(bad.diagnostics.items).toEqual([expect.objectContaining({ severity: 'error', path: ['rotation_period'] })]);
  });

  it('changing rotation_period alone updates in place without a vendor call, and read keeps it', async () => {
    const { engine, vendorCalls } = await setup();
    const planned = { ...prior, rotation_period: '24h' };
    const plan = engine.planResourceChange(spec.typeName, prior, planned, { ...config, rotation_period: '24h' });
    expect(plan.requiresReplace).toEqual([]);
    const applied = await engine.applyResourceChange(spec.typeName, prior, plan.planned);
    expect(applied.diagnostics.items).toEqual([]);
    expect(applied.value).toEqual(planned);
    expect(vendorCalls).toEqual([]);
    const read = await engine.readResource(spec.typeName, applied.value!);
    expect(read.value).toEqual(planned);
    expect(vendorCalls).toEqual(['read']);
  });

  it('create records the configured rotation_period', async () => {
    const { engine } = await setup();
    const planned = { id: null, owner: 'o', rotation_period: '1h', value: null, created_at: null };
    const plan = engine.planResourceChange(spec.typeName, null, planned, planned);
    const created = await engine.applyResourceChange(spec.typeName, null, plan.planned);
    expect(created.value).toMatchObject({ rotation_period: '1h', value: 'v', created_at: '2026-03-01T00:00:00.000Z' });
  });

  it('the spec refuses rotation without a local rotation_period', async () => {
    expect(() =>
      defineResource({
        typeName: 'apiaccess_demo_bad',
        version: 0,
        description: 'x',
        attributes: { created_at: { type: 'string', computed: true, description: 'c' } },
        rotation: { createdAt: 'created_at' },
        docs: { hcl: '', typescript: '' },
      }),
    ).toThrow(/rotation needs/);
  });
});
