/**
 * Provider-defined functions (Terraform >= 1.8: `provider::apiaccess::<name>(...)`): pure
 * computations the provider offers to configurations. A spec declares the name, the positional
 * parameters and the return type; the provider's wire schema and the docs follow from it.
 */
import type { SpecType } from './types';

/** One positional parameter. */
export interface FunctionParameterSpec {
  /** snake_case, shown in Terraform's messages and the docs. */
  readonly name: string;
  readonly type: SpecType;
  readonly description: string;
  /** Terraform may pass null (otherwise it refuses a null argument itself). @default false */
  readonly allowNull?: boolean;
}

/** A provider-defined function. */
export interface FunctionSpec {
  readonly kind: 'function';
  /** `<vendor>_<what>`; called as `provider::apiaccess::<name>`. */
  readonly name: string;
  /** One line. */
  readonly summary: string;
  readonly description: string;
  readonly parameters: readonly FunctionParameterSpec[];
  readonly returns: SpecType;
  readonly docs: { readonly hcl: string; readonly typescript: string };
}

/** Declares a function spec; throws on a programming error in it. */
export function defineFunction(spec: Omit<FunctionSpec, 'kind'>): FunctionSpec {
  if (!/^[a-z][a-z0-9_]*$/.test(spec.name)) throw new Error(`function ${spec.name}: names must match ^[a-z][a-z0-9_]*$`);
  const seen = new Set<string>();
  for (const p of spec.parameters) {
    if (!/^[a-z][a-z0-9_]*$/.test(p.name)) throw new Error(`function ${spec.name}: parameter ${p.name} must match ^[a-z][a-z0-9_]*$`);
    if (seen.has(p.name)) throw new Error(`function ${spec.name}: parameter ${p.name} is declared twice`);
    seen.add(p.name);
  }
  return { kind: 'function', ...spec };
}
