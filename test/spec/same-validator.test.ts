/**
 * Issue 7: the same validator rejects the same value in the construct constructor and at plan
 * time, with the same words; and an unresolved token / unknown value passes both.
 */
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { silentLogger } from '../../src/core/log';
import { UNKNOWN } from '../../src/provider/framework/cty';
import { ProviderEngine } from '../../src/provider/framework/engine';
import type { ObjectValue } from '../../src/provider/framework/resource';
import * as api from '../../src/index';
import { camelCase, className } from '../../src/spec';
import { vendorProviders } from '../../src/vendors/registry';

type Ctor = new (scope: TerraformStack, id: string, props: object) => unknown;

/** A valid configuration per type, and one bad value per validated attribute. */
const CASES: { typeName: string; valid: ObjectValue; bad: [string, unknown][] }[] = [
  {
    typeName: 'apiaccess_signicat_api_client',
    valid: { name: 'ok', permissions: ['authentication:read'], access_token_lifetime: 600 },
    bad: [
      ['name', '  '],
      ['name', 'x'.repeat(101)],
      ['permissions', ['authentication:read', 'Not A Permission']],
      ['access_token_lifetime', 0],
      ['access_token_lifetime', 1.5],
    ],
  },
  {
    typeName: 'apiaccess_signicat_client_secret',
    valid: { client_id: 'sandbox-round-apple-123', name: 'pipeline' },
    bad: [
      ['client_id', ''],
      ['name', 'x'.repeat(101)],
    ],
  },
];

const engine = new ProviderEngine(vendorProviders(), silentLogger, {});

function planDetail(typeName: string, config: ObjectValue): string[] {
  const schema = engine.resourceSchema(typeName)!;
  const full: ObjectValue = Object.fromEntries(Object.keys(schema.attributes).map((n) => [n, config[n] ?? null]));
  return engine.planResourceChange(typeName, null, full, full).diagnostics.items.map((d) => `${String(d.path?.[0])}: ${d.detail}`);
}

function constructError(typeName: string, config: ObjectValue): string {
  const Construct = (api as unknown as Record<string, Ctor>)[className(typeName)]!;
  const stack = new TerraformStack(Testing.app(), 'stack');
  const props = Object.fromEntries(Object.entries(config).map(([k, v]) => [camelCase(k), v]));
  try {
    new Construct(stack, 'bad', props);
  } catch (err) {
    return (err as Error).message;
  }
  return '(no error)';
}

describe('issue 7: one validator, two places', () => {
  for (const c of CASES) {
    it(`${c.typeName}: the valid configuration passes both`, () => {
      expect(planDetail(c.typeName, c.valid)).toEqual([]);
      expect(constructError(c.typeName, c.valid)).toBe('(no error)');
    });

    it.each(c.bad.map(([attr, value]) => [attr, JSON.stringify(value).slice(0, 40), value] as const))(
      `${c.typeName}: %s = %s is refused by the construct and by the plan with the same words`,
      (attr, _shown, value) => {
        const planned = planDetail(c.typeName, { ...c.valid, [attr]: value as ObjectValue[string] });
        expect(planned).toHaveLength(1);
        const problem = planned[0]!.slice(`${attr}: ${attr} `.length);
        expect(planned[0]!.startsWith(`${attr}: ${attr} `)).toBe(true);
        expect(constructError(c.typeName, { ...c.valid, [attr]: value as ObjectValue[string] })).toBe(`stack/bad: ${camelCase(attr)} ${problem}`);
      },
    );
  }

  it('an unresolved token (construct) and an unknown value (plan) are left alone by the same validators', () => {
    const stack = new TerraformStack(Testing.app(), 'stack');
    const name = new TerraformVariable(stack, 'name', { type: 'string' }).stringValue;
    expect(() => new api.SignicatApiClient(stack, 'tok', { name, permissions: [name] })).not.toThrow();
    expect(planDetail('apiaccess_signicat_api_client', { name: UNKNOWN, permissions: [UNKNOWN], access_token_lifetime: UNKNOWN })).toEqual([]);
  });
});
