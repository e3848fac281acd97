/**
 * Issue 9 (framework): in-place rotation (`rotation.inPlace` + the handler's `regenerate`), a
 * handler's own `modifyPlan` through planRegeneration, and spec-level cross-attribute rules
 * (`configChecks`) at plan.
 */
import { ManualClock } from '../../../src/core/clock';
import { silentLogger } from '../../../src/core/log';
import { isUnknown } from '../../../src/provider/framework/cty';
import { ProviderEngine } from '../../../src/provider/framework/engine';
import type { VendorProvider } from '../../../src/provider/framework/provider';
import type { ObjectValue } from '../../../src/provider/framework/resource';
import { planRegeneration, resourceFromSpec } from '../../../src/provider/framework/spec-resource';
import { defineResource, rotationPeriod } from '../../../src/spec';

const HOUR = 3600_000;
const spec = defineResource({
  typeName: 'apiaccess_demo_key',
  version: 0,
  description: 'A key.',
  attributes: {
    id: { type: 'string', computed: true, description: 'ID.' },
    kind: { type: 'string', required: true, description: 'Kind.' },
    extra: { type: 'string', optional: true, description: 'Only for kind "x".' },
    rotation_period: rotationPeriod(),
    value: { type: 'string', computed: true, sensitive: true, showOnce: true, description: 'Value.' },
    issued_at: { type: 'string', computed: true, description: 'Issued.' },
    stale: { type: 'bool', computed: true, description: 'Test switch for modifyPlan.' },
  },
  rotation: { createdAt: 'issued_at', inPlace: true },
  configChecks: [
    (c, isUnresolved) =>
      c.kind !== 'x' && !isUnresolved(c.kind) && c.extra !== null ? { attribute: 'extra', problem: 'is only allowed when kind is "x".' } : undefined,
  ],
  docs: { hcl: '', typescript: '' },
});

async function setup(): Promise<{ engine: ProviderEngine; clock: ManualClock; calls: string[] }> {
  const clock = new ManualClock(Date.parse('2026-03-01T00:00:00Z'));
  const calls: string[] = [];
  let n = 0;
  const handler = resourceFromSpec(
    spec,
    {
      create: async (c) => (
        calls.push('create'),
        { id: 'k1', kind: c.kind, extra: c.extra, value: 'v0', issued_at: new Date(clock.now()).toISOString(), stale: false }
      ),
      read: async (s) => (calls.push('read'), { id: s.id, kind: s.kind, extra: s.extra, issued_at: s.issued_at, stale: s.stale }),
      update: async (s, patch) => (calls.push(`update ${Object.keys(patch).join(',')}`), { ...s, ...patch }),
      regenerate: async (s) => (calls.push(`regenerate ${s.kind}`), { ...s, value: `v${++n}`, issued_at: new Date(clock.now()).toISOString(), stale: false }),
      delete: async () => void calls.push('delete'),
      modifyPlan: (req) => {
        if (req.prior?.stale === true) planRegeneration(spec, req.planned);
      },
    },
    { clock },
  );
  const vendor: VendorProvider = { name: 'demo', settings: {}, credentials: [], sandboxSettings: () => ({}), createClient: () => ({}), resources: [handler] };
  const engine = new ProviderEngine([vendor], silentLogger, {});
  await engine.configure({});
  return { engine, clock, calls };
}

const prior: ObjectValue = { id: 'k1', kind: 'a', extra: null, rotation_period: '720h', value: 'v0', issued_at: '2026-03-01T00:00:00.000Z', stale: false };
const config: ObjectValue = { id: null, kind: 'a', extra: null, rotation_period: '720h', value: null, issued_at: null, stale: null };

describe('issue 9: in-place rotation, planRegeneration and configChecks', () => {
  it('a due rotation plans an in-place regeneration (no replacement) with "Rotation Due"; apply calls regenerate only', async () => {
    const { engine, clock, calls } = await setup();
    clock.advance(721 * HOUR);
    const plan = engine.planResourceChange(spec.typeName, prior, { ...prior }, config);
    expect(plan.requiresReplace).toEqual([]);
    expect(isUnknown(plan.planned!.value!)).toBe(true);
    expect(isUnknown(plan.planned!.issued_at!)).toBe(true);
    expect(plan.planned!.id).toBe('k1');
    expect(plan.diagnostics.items).toEqual([expect.objectContaining({ severity: 'warning', summary: 'Rotation Due', path: ['rotation_period'] })]);
    expect(plan.diagnostics.items[0]!.detail).toContain('regenerates it in place');
    const applied = await engine.applyResourceChange(spec.typeName, prior, plan.planned);
    expect(applied.value).toMatchObject({ id: 'k1', value: 'v1', issued_at: new Date(clock.now()).toISOString(), rotation_period: '720h' });
    expect(calls).toEqual(['regenerate a']);
  });

  it('a field change together with a regeneration updates first, then regenerates the updated object', async () => {
    const { engine, clock, calls } = await setup();
    clock.advance(721 * HOUR);
    const next = { ...config, kind: 'b' };
    const plan = engine.planResourceChange(spec.typeName, prior, { ...prior, kind: 'b' }, next);
    const applied = await engine.applyResourceChange(spec.typeName, prior, plan.planned);
    expect(applied.value).toMatchObject({ kind: 'b', value: 'v1' });
    expect(calls).toEqual(['update kind', 'regenerate b']);
  });

  it("a handler's modifyPlan can plan a regeneration through planRegeneration; without it nothing is regenerated", async () => {
    const { engine, calls } = await setup();
    const fresh = engine.planResourceChange(spec.typeName, prior, { ...prior }, config);
    expect(fresh.planned).toEqual(prior);
    await engine.applyResourceChange(spec.typeName, prior, fresh.planned);
    expect(calls).toEqual([]);
    const stale = { ...prior, stale: true };
    const plan = engine.planResourceChange(spec.typeName, stale, { ...stale }, config);
    expect(isUnknown(plan.planned!.value!)).toBe(true);
    expect(isUnknown(plan.planned!.issued_at!)).toBe(true);
    expect((await engine.applyResourceChange(spec.typeName, stale, plan.planned)).value).toMatchObject({ value: 'v1', stale: false });
    expect(calls).toEqual(['regenerate a']);
  });

  it('configChecks reject a combination at plan on the attribute at fault, and skip unknown values', async () => {
    const { engine } = await setup();
    const bad = { ...config, extra: 'e' };
    const plan = engine.planResourceChange(spec.typeName, null, bad, bad);
    expect(plan.planned).toBeNull();
    expect(plan.diagnostics.items).toEqual([
      expect.objectContaining({
        severity: 'error',
        summary: 'Invalid Attribute Combination',
        detail: 'extra is only allowed when kind is "x".',
        path: ['extra'],
      }),
    ]);
    const ok = { ...config, kind: 'x', extra: 'e' };
    expect(engine.planResourceChange(spec.typeName, null, ok, ok).diagnostics.items).toEqual([]);
  });

  it('rotation.inPlace without regenerate is a programming error', () => {
    expect(() =>
      resourceFromSpec(spec, { create: async () => ({}) as never, read: async () => null, update: async () => ({}) as never, delete: async () => undefined }),
    ).toThrow(/rotation.inPlace needs the handler's regenerate/);
  });
});
