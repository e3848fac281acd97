/**
 * The provider-function RPCs (Terraform >= 1.8): GetFunctions, CallFunction, and the `functions`
 * map GetProviderSchema advertises. Arguments are decoded by each parameter's type; a problem is a
 * FunctionError naming the argument, never a gRPC status error. Error texts are redacted here,
 * where they leave the process (a shared key passed as an argument is registered first).
 */
import { redact } from '../../core/redact';
import type { FunctionHandler, FunctionsEngine } from '../framework/functions';
import { decodeDynamicValue, encodeDynamicValue } from './dynamic-value';

type DV = { msgpack?: Uint8Array | null; json?: Uint8Array | null } | null | undefined;
type Req = Record<string, unknown>;

/** tfplugin6.Function as proto-loader objects. */
function functionToProto(fn: FunctionHandler): object {
  return {
    parameters: fn.parameters.map((p) => ({
      name: p.name,
      type: Buffer.from(JSON.stringify(p.type)),
      allow_null_value: p.allowNull,
      allow_unknown_values: false,
      description: p.description,
      description_kind: 'PLAIN',
    })),
    return: { type: Buffer.from(JSON.stringify(fn.returnType)) },
    summary: fn.summary,
    description: fn.description,
    description_kind: 'PLAIN',
  };
}

/** Name → tfplugin6.Function of every function. */
export function functionsToProto(functions: FunctionsEngine): Record<string, object> {
  const out: Record<string, object> = {};
  for (const [name, fn] of functions.definitions()) out[name] = functionToProto(fn);
  return out;
}

/** The GetFunctions and CallFunction implementations over `functions`. */
export function createFunctionHandlers(functions: FunctionsEngine): Record<string, (req: Req) => object> {
  return {
    GetFunctions: () => ({ functions: functionsToProto(functions), diagnostics: [] }),

    CallFunction: (req) => {
      const name = String(req.name ?? '');
      const fn = functions.definitions().get(name);
      if (!fn) return { error: { text: `The provider has no function "${redact(name)}".` } };
      const raw = (req.arguments as DV[] | undefined) ?? [];
      const args = [];
      for (let i = 0; i < raw.length; i++) {
        const p = fn.parameters[i];
        if (!p) return { error: { text: `${name} takes ${fn.parameters.length} arguments; ${raw.length} were given.` } };
        try {
          args.push(decodeDynamicValue(p.type, raw[i]));
        } catch (err) {
          return {
            error: {
              text: redact(`${name}: argument ${p.name} could not be decoded: ${err instanceof Error ? err.message : String(err)}`),
              function_argument: i,
            },
          };
        }
      }
      const out = functions.call(name, args);
      if ('error' in out) {
        return { error: { text: redact(out.error.text), ...(out.error.argument !== undefined ? { function_argument: out.error.argument } : {}) } };
      }
      return { result: encodeDynamicValue(fn.returnType, out.result) };
    },
  };
}
