/**
 * What every generated construct does at runtime, straight from its spec: validate the props in
 * the constructor with the provider's own validators (skipping unresolved tokens), refuse literal
 * values of sensitive attributes, and synthesize the attributes. The base classes (resource.ts,
 * data-source.ts, ephemeral.ts) do it for the spec their type registered; the generated files hold
 * only what must be static for TypeScript and jsii (the props interface, the class, its getters).
 */
import { booleanToTerraform, listMapper, numberToTerraform, stringToTerraform, Token } from 'cdktf';
import type { Construct } from 'constructs';
import { camelCase, configurableNames, firstProblem, type AttributeSpecs, type ConfigCheck, type SpecType } from '../spec';
import { checkNotLiteralSecret, validationError } from './validation';

/** The part of a spec a construct needs. */
export interface ConstructSpec {
  /** Which block it is (a data source and a resource may share a type name). */
  readonly kind: ConstructKind;
  /** The Terraform type name. */
  readonly typeName: string;
  /** The attributes, in declaration order. */
  readonly attributes: AttributeSpecs;
  /** Cross-attribute rules (resources only). */
  readonly configChecks?: readonly ConfigCheck[];
}

const isUnresolved = (v: unknown): boolean => Token.isUnresolved(v);

/** The kinds of block a construct writes. */
export type ConstructKind = 'resource' | 'data-source' | 'ephemeral';

const SPECS = new Map<string, ConstructSpec>();

/**
 * Registers the spec of a generated construct class (its `TF_TYPE` initialiser calls this), so the
 * base class finds it by the Terraform type; returns that type.
 */
export function constructSpec(spec: ConstructSpec): string {
  SPECS.set(`${spec.kind} ${spec.typeName}`, spec);
  return spec.typeName;
}

/** The spec registered for a block of that kind and Terraform type. */
export function specOf(kind: ConstructKind, typeName: string): ConstructSpec {
  const spec = SPECS.get(`${kind} ${typeName}`);
  if (!spec)
    throw new Error(`apiaccess: no construct spec is registered for the ${kind} "${typeName}" (a construct class must set TF_TYPE = constructSpec(spec))`);
  return spec;
}

/** Checks `props` against the spec's validators; throws a validation error (ApiAccessValidation.isValidationError) naming the construct path and the prop. */
export function validateProps(scope: Construct, spec: ConstructSpec, props: object): void {
  const values = props as Record<string, unknown>;
  for (const name of configurableNames(spec.attributes)) {
    const a = spec.attributes[name]!;
    const prop = camelCase(name);
    if (a.sensitive) checkNotLiteralSecret(scope, prop, values[prop] as string | undefined);
    const problem = firstProblem(a.validators, values[prop], isUnresolved);
    if (problem !== undefined) throw validationError(scope, prop, problem);
  }
  if (!spec.configChecks) return;
  const config = Object.fromEntries(configurableNames(spec.attributes).map((name) => [name, values[camelCase(name)] ?? null]));
  for (const check of spec.configChecks) {
    const found = check(config, isUnresolved);
    if (found) throw validationError(scope, camelCase(found.attribute), found.problem);
  }
}

function toTerraform(type: SpecType, value: unknown): unknown {
  if (value === undefined) return undefined;
  if (type === 'string') return stringToTerraform(value);
  if (type === 'number') return numberToTerraform(value);
  if (type === 'bool') return booleanToTerraform(value);
  if (type[0] === 'map' || type[0] === 'object') return value;
  return listMapper((v: unknown) => toTerraform(type[1], v), false)(value);
}

/** The Terraform attributes of `props`: one per configurable attribute, in spec order. */
export function synthesizeFromSpec(spec: ConstructSpec, props: object): { [name: string]: unknown } {
  const values = props as Record<string, unknown>;
  const out: { [name: string]: unknown } = {};
  for (const name of configurableNames(spec.attributes)) out[name] = toTerraform(spec.attributes[name]!.type, values[camelCase(name)]);
  return out;
}
