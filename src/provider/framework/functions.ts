/**
 * Provider-defined functions (Terraform >= 1.8), engine-facing: the definitions advertised in
 * GetProviderSchema / GetFunctions, and CallFunction with thrown errors turned into a function
 * error that names the argument. Functions are pure: no client, no provider configuration (Terraform
 * may call them before ConfigureProvider, or in `terraform console`).
 */
import { ApiAccessError } from '../../core/errors';
import type { FunctionParameterSpec, FunctionSpec } from '../../spec';
import { BigNumber, isUnknown, type CtyType, type CtyValue } from './cty';
import type { VendorProvider } from './provider';

/** A function as the engine drives it. */
export interface FunctionHandler {
  readonly name: string;
  readonly summary: string;
  readonly description: string;
  readonly parameters: readonly { readonly name: string; readonly type: CtyType; readonly description: string; readonly allowNull: boolean }[];
  readonly returnType: CtyType;
  /** Runs on wholly known arguments; throws (ApiAccessError `field` = a parameter name) for a bad one. */
  call(args: readonly CtyValue[]): CtyValue;
}

/** The outcome of a call: a result, or an error text and the index of the argument at fault. */
export type CallResult = { readonly result: CtyValue } | { readonly error: { readonly text: string; readonly argument?: number } };

function plain(v: CtyValue): unknown {
  if (v instanceof BigNumber) return Number(v.text);
  return v;
}

/** Builds a function from its spec and implementation (arguments by parameter name, null where allowed). */
export function functionFromSpec<R>(spec: FunctionSpec, impl: (args: { readonly [parameter: string]: unknown }) => R): FunctionHandler {
  const params = spec.parameters.map((p: FunctionParameterSpec) => ({ name: p.name, type: p.type, description: p.description, allowNull: !!p.allowNull }));
  return {
    name: spec.name,
    summary: spec.summary,
    description: spec.description,
    parameters: params,
    returnType: spec.returns,
    call(args) {
      const named: Record<string, unknown> = {};
      params.forEach((p, i) => (named[p.name] = plain(args[i] ?? null)));
      return impl(named) as CtyValue;
    },
  };
}

/** Every vendor's functions. */
export class FunctionsEngine {
  private readonly table = new Map<string, FunctionHandler>();

  constructor(vendors: readonly VendorProvider[]) {
    for (const vendor of vendors) {
      for (const fn of vendor.functions ?? []) {
        if (!fn.name.startsWith(`${vendor.name}_`)) throw new Error(`function ${fn.name}: names start with the vendor name (${vendor.name}_)`);
        if (this.table.has(fn.name)) throw new Error(`function ${fn.name} is declared twice`);
        this.table.set(fn.name, fn);
      }
    }
  }

  /** Name → definition. */
  definitions(): Map<string, FunctionHandler> {
    return new Map(this.table);
  }

  /** Calls `name` with decoded arguments; never throws. */
  call(name: string, args: readonly CtyValue[]): CallResult {
    const fn = this.table.get(name);
    if (!fn) return { error: { text: `The provider has no function "${name}".` } };
    if (args.length !== fn.parameters.length) {
      return {
        error: { text: `${name} takes ${fn.parameters.length} arguments (${fn.parameters.map((p) => p.name).join(', ')}); ${args.length} were given.` },
      };
    }
    for (let i = 0; i < args.length; i++) {
      const v = args[i] ?? null;
      if (isUnknown(v)) return { error: { text: `${name}: argument ${fn.parameters[i]!.name} is not known yet.`, argument: i } };
      if (v === null && !fn.parameters[i]!.allowNull) return { error: { text: `${name}: argument ${fn.parameters[i]!.name} must not be null.`, argument: i } };
    }
    try {
      return { result: fn.call(args) };
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      const field = ApiAccessError.isApiAccessError(err) ? err.field : undefined;
      const index = field === undefined ? -1 : fn.parameters.findIndex((p) => p.name === field);
      // Terraform adds its own full stop.
      return { error: { text: `${name}: ${text.replace(/\.+$/, '')}`, ...(index >= 0 ? { argument: index } : {}) } };
    }
  }
}
