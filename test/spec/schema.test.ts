/**
 * Issue 7: the schema Terraform sees is the spec. `terraform providers schema -json` from the real
 * binary, compared attribute by attribute (type, description, required/optional/computed,
 * sensitive) with every vendor's specs.
 */
import { settingEnvName } from '../../src/provider/framework/engine';
import type { AttributeSpecs } from '../../src/spec';
import { vendorSpecs } from '../../src/vendors/registry';
import { expectExit, plainStack, startHarness, type Harness } from '../e2e/_harness';
import { expectedAttribute, observedAttribute, type TfAttribute } from './_schema';

jest.setTimeout(60_000);

type Block = { block: { attributes: Record<string, TfAttribute>; description?: string } };
interface ProviderSchema {
  provider: Block;
  resource_schemas?: Record<string, Block>;
  data_source_schemas?: Record<string, Block>;
  ephemeral_resource_schemas?: Record<string, Block>;
  functions?: Record<string, { summary?: string; parameters?: { name: string; type: unknown; is_nullable?: boolean }[]; return_type?: unknown }>;
}

type AnySpec = { kind: string; typeName?: string; vendor?: string; description?: string; attributes: AttributeSpecs };
type FnSpec = { kind: 'function'; name: string; summary: string; parameters: { name: string; type: unknown; allowNull?: boolean }[]; returns: unknown };
const specs = vendorSpecs() as unknown as AnySpec[];
const SECTION: Record<string, keyof ProviderSchema> = {
  resource: 'resource_schemas',
  'data-source': 'data_source_schemas',
  ephemeral: 'ephemeral_resource_schemas',
};

describe('issue 7: terraform providers schema -json matches the specs', () => {
  let h: Harness;
  let schema: ProviderSchema;

  beforeAll(async () => {
    h = await startHarness('schema');
    const dir = plainStack(h, 'schema', { apiaccess_signicat_api_client: { x: { name: 'x' } } });
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    const run = expectExit(await h.tf(dir, 'providers', 'schema', '-json'), 0);
    schema = (JSON.parse(run.stdout) as { provider_schemas: Record<string, ProviderSchema> }).provider_schemas['apiaccess.local/apiaccess/apiaccess']!;
  });

  afterAll(async () => {
    await h?.close();
  });

  const typed = specs.filter((s) => s.kind !== 'settings' && s.kind !== 'function');
  const functions = specs.filter((s) => s.kind === 'function') as unknown as FnSpec[];
  it.each(typed.map((s) => [s.kind, s.typeName!, s] as const))('%s %s: every attribute as the spec declares it, and nothing else', (_kind, typeName, spec) => {
    const block = schema[SECTION[spec.kind]!] as Record<string, Block> | undefined;
    const seen = block?.[typeName]?.block;
    expect(seen?.description).toBe(spec.description);
    const expected = Object.fromEntries(Object.entries(spec.attributes).map(([n, a]) => [n, expectedAttribute(a)]));
    const observed = Object.fromEntries(Object.entries(seen?.attributes ?? {}).map(([n, a]) => [n, observedAttribute(a)]));
    expect(observed).toEqual(expected);
  });

  it('the provider block has each vendor setting, prefixed, with its environment fallback in the description', () => {
    for (const s of specs.filter((x) => x.kind === 'settings')) {
      for (const [name, a] of Object.entries(s.attributes)) {
        const attr = `${s.vendor}_${name}`;
        const want = expectedAttribute(a, `${a.description} Falls back to ${settingEnvName(s.vendor!, name)}.`);
        expect(observedAttribute(schema.provider.block.attributes[attr]!)).toEqual(want);
      }
    }
  });

  it('issue 11: every function spec is a provider function with its parameters, nullability and return type, and nothing else', () => {
    expect(Object.keys(schema.functions ?? {}).sort()).toEqual(functions.map((f) => f.name).sort());
    for (const f of functions) {
      const seen = schema.functions![f.name]!;
      expect(seen.summary).toBe(f.summary);
      expect(seen.return_type).toEqual(f.returns);
      expect(seen.parameters!.map((p) => [p.name, p.type, !!p.is_nullable])).toEqual(f.parameters.map((p) => [p.name, p.type, !!p.allowNull]));
    }
  });

  it('has no type that no spec declares', () => {
    for (const [kind, section] of Object.entries(SECTION)) {
      const declared = typed.filter((s) => s.kind === kind).map((s) => s.typeName);
      expect(Object.keys((schema[section] as Record<string, Block> | undefined) ?? {}).sort()).toEqual(declared.sort());
    }
  });
});
