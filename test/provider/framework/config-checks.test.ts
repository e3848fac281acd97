/**
 * Issue 6, part 6 in the engine: what the vendor would reject fails the plan, generically (null
 * for a required attribute, null entries, values on computed-only attributes), and a handler's
 * `checkPlan` runs with the configured client at plan and again at apply before anything changes.
 */
import { silentLogger } from '../../../src/core/log';
import { clearRegisteredSecrets } from '../../../src/core/redact';
import { UNKNOWN } from '../../../src/provider/framework/cty';
import { ProviderEngine } from '../../../src/provider/framework/engine';
import type { VendorProvider } from '../../../src/provider/framework/provider';
import type { CheckPlanRequest, ObjectValue, ResourceContext } from '../../../src/provider/framework/resource';
import { makeFakeVendor, proposedNew, WIDGET, widgetConfig, type FakeClient } from '../_fake-vendor';

const TOKEN = 'cfg-token-123456';

async function configured() {
  const fake = makeFakeVendor();
  const engine = new ProviderEngine([fake.vendor as VendorProvider], silentLogger, {});
  const config: ObjectValue = {};
  for (const name of Object.keys(engine.providerSchema.attributes)) config[name] = name === 'fake_token' ? TOKEN : null;
  expect((await engine.configure(config)).items).toEqual([]);
  return { ...fake, engine };
}

const plan = (engine: ProviderEngine, config: ObjectValue, prior: ObjectValue | null = null) =>
  engine.planResourceChange(WIDGET, prior, proposedNew(prior, config), config);

beforeEach(() => clearRegisteredSecrets());

describe('issue 6: generic plan-time checks', () => {
  it('an explicit null for a required attribute is an error on it saying what is allowed, at validate and plan', async () => {
    const { engine } = await configured();
    const config = widgetConfig({ name: null });
    const expected = [
      {
        severity: 'error',
        summary: 'Missing Required Attribute',
        detail: 'name is required and must not be null; set it to a value. Name of the widget (1-20 characters).',
        path: ['name'],
      },
    ];
    expect(engine.validateResourceConfig(WIDGET, config).items).toEqual(expected);
    const p = plan(engine, config);
    expect(p.diagnostics.items).toEqual(expected);
    expect(p.planned).toBeNull();
  });

  it('a null entry in a set is an error on the attribute', async () => {
    const { engine } = await configured();
    const p = plan(engine, widgetConfig({ name: 'alpha', tags: ['blue', null] }));
    expect(p.diagnostics.items).toEqual([
      {
        severity: 'error',
        summary: 'Null Entry In Attribute',
        detail: expect.stringContaining('tags contains a null entry; remove it or replace it with a value.'),
        path: ['tags'],
      },
    ]);
  });

  it('a value configured on a computed-only attribute is an error on each such attribute', async () => {
    const { engine } = await configured();
    const diags = engine.validateResourceConfig(WIDGET, widgetConfig({ name: 'alpha', id: 'w-9', secret: 'mine' }));
    expect(diags.items.map((d) => [d.summary, d.path])).toEqual([
      ['Read-Only Attribute Configured', ['id']],
      ['Read-Only Attribute Configured', ['secret']],
    ]);
    expect(diags.items[0]!.detail).toBe('id is set by the vendor and cannot be configured; remove it from the configuration.');
  });

  it('unknown values (the validate walk) pass, including unknown entries', async () => {
    const { engine } = await configured();
    expect(engine.validateResourceConfig(WIDGET, widgetConfig({ name: UNKNOWN, id: null, tags: ['blue', UNKNOWN] })).items).toEqual([]);
    expect(engine.validateResourceConfig(WIDGET, widgetConfig({ name: 'alpha', tags: UNKNOWN })).items).toEqual([]);
  });
});

describe('issue 6: the checkPlan hook', () => {
  async function withCheck(check: (req: CheckPlanRequest, ctx: ResourceContext<FakeClient>) => Promise<void>) {
    const s = await configured();
    const seen: { req: CheckPlanRequest; token: string | null }[] = [];
    Object.assign(s.handler, {
      checkPlan: async (req: CheckPlanRequest, ctx: ResourceContext<FakeClient>) => {
        seen.push({ req, token: ctx.client.settings.token });
        await check(req, ctx);
      },
    });
    return { ...s, seen };
  }

  const refuseRed = async (req: CheckPlanRequest, ctx: ResourceContext<FakeClient>): Promise<void> => {
    const tags = Array.isArray(req.planned.tags) ? req.planned.tags : [];
    if (tags.includes('red')) ctx.diagnostics.error('Unknown Tag', 'tags contains "red", which the vendor does not offer; allowed are e.g. blue.', ['tags']);
  };

  it('runs at plan with the configured client and its errors fail the plan', async () => {
    const { engine, seen } = await withCheck(refuseRed);
    const p = plan(engine, widgetConfig({ name: 'alpha', tags: ['red'] }));
    expect(p.diagnostics.items).toEqual([]);
    const checked = await engine.checkPlannedChange(WIDGET, null, p.planned);
    expect(checked.items).toEqual([{ severity: 'error', summary: 'Unknown Tag', detail: expect.any(String), path: ['tags'] }]);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.token).toBe(TOKEN);
    expect(seen[0]!.req.prior).toBeNull();
  });

  it('runs again at apply before create: a value unknown at plan and rejected then creates nothing', async () => {
    const { engine, handler, seen } = await withCheck(refuseRed);
    const p = plan(engine, widgetConfig({ name: 'alpha', tags: UNKNOWN }));
    expect((await engine.checkPlannedChange(WIDGET, null, p.planned)).items).toEqual([]);
    const res = await engine.applyResourceChange(WIDGET, null, { ...p.planned!, tags: ['red'] });
    expect(res.value).toBeNull();
    expect(res.diagnostics.items.map((d) => d.summary)).toEqual(['Unknown Tag']);
    expect(handler.calls).toEqual([]);
    expect(seen).toHaveLength(2);
  });

  it('issue 10: tells the check which call it is in (plan, or the check before apply)', async () => {
    const { engine, seen } = await withCheck(async () => undefined);
    const p = plan(engine, widgetConfig({ name: 'alpha' }));
    await engine.checkPlannedChange(WIDGET, null, p.planned);
    await engine.applyResourceChange(WIDGET, null, p.planned);
    expect(seen.map((s) => s.req.phase)).toEqual(['plan', 'apply']);
  });

  it('a check that throws fails the apply naming the step, and nothing is created', async () => {
    const { engine, handler } = await withCheck(async () => {
      throw new Error('catalogue unreadable');
    });
    const p = plan(engine, widgetConfig({ name: 'alpha' }));
    const res = await engine.applyResourceChange(WIDGET, null, p.planned);
    expect(res.diagnostics.items).toEqual([{ severity: 'error', summary: 'Plan Check Failed', detail: expect.stringContaining('catalogue unreadable') }]);
    expect(handler.calls).toEqual([]);
  });

  it('is not run for a destroy, nor for a handler without it', async () => {
    const { engine, seen } = await withCheck(refuseRed);
    expect((await engine.checkPlannedChange(WIDGET, widgetConfig({ id: 'w-1', name: 'alpha' }), null)).items).toEqual([]);
    expect(seen).toEqual([]);
    const plain = await configured();
    expect((await plain.engine.checkPlannedChange(WIDGET, null, widgetConfig({ name: 'alpha' }))).items).toEqual([]);
    expect(plain.handler.calls).toEqual([]);
  });
});
