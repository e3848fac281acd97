/** Checks and helpers the engine applies to what handlers return and to configurations. */
import type { Diagnostics, PathStep } from '../../core/diagnostics';
import { ApiAccessError } from '../../core/errors';
import { registerSecret } from '../../core/redact';
import { checkConfigShape } from './config-checks';
import { containsUnknown, ctyEqual, isUnknown } from './cty';
import type { ObjectValue } from './resource';
import type { ResourceSchema } from './schema';

/** Adds attributes the handler left out (as null), drops unknown keys, nulls write-only values, and registers sensitive values for redaction. */
export function completeState(schema: ResourceSchema, state: ObjectValue): ObjectValue {
  const out: ObjectValue = {};
  for (const [name, a] of Object.entries(schema.attributes)) out[name] = a.writeOnly ? null : (state[name] ?? null);
  registerSensitiveValues(schema, out);
  return out;
}

/** Registers the state's sensitive string values for redaction, wherever they may later leave the process. */
export function registerSensitiveValues(schema: ResourceSchema, state: { readonly [name: string]: unknown }): void {
  for (const [name, a] of Object.entries(schema.attributes)) {
    const v = state[name];
    if (a.sensitive && typeof v === 'string') registerSecret(v);
  }
}

/** After create or update: no unknowns left, and every known planned value held. */
export function checkResult(typeName: string, schema: ResourceSchema, planned: ObjectValue, state: ObjectValue, creating: boolean, diags: Diagnostics): void {
  for (const [name, a] of Object.entries(schema.attributes)) {
    const want = planned[name] ?? null;
    const got = state[name] ?? null;
    if (containsUnknown(got)) {
      diags.error(
        'Provider Returned Unknown Value',
        `${typeName}.${name} is still unknown after ${creating ? 'create' : 'update'}; this is a bug in the provider.`,
        [name],
      );
    } else if (!containsUnknown(want) && !ctyEqual(a.type, want, got)) {
      diags.error(
        'Vendor Did Not Apply The Planned Value',
        `After ${creating ? 'create' : 'update'}, ${typeName}.${name} does not hold the planned value. The vendor may have normalised it; run terraform plan to see the difference.`,
        [name],
      );
    }
  }
}

/** Replaces unknown attribute values with null (a result returned alongside errors). */
export function withoutUnknowns(state: ObjectValue): ObjectValue {
  const out: ObjectValue = {};
  for (const [k, v] of Object.entries(state)) out[k] = containsUnknown(v) ? null : v;
  return out;
}

/**
 * Runs the generic checks (null for a required attribute, null entries, values on computed-only
 * attributes), then the schema's attribute validators over every known, non-null value.
 */
export function runValidators(schema: ResourceSchema, config: ObjectValue, diags: Diagnostics): Diagnostics {
  checkConfigShape(schema, config, diags);
  for (const [name, a] of Object.entries(schema.attributes)) {
    const v = config[name] ?? null;
    if (v === null || isUnknown(v) || !a.validators) continue;
    for (const validate of a.validators) validate(v, [name] as PathStep[], diags);
  }
  return diags;
}

/** Turns a thrown error into an error diagnostic; ApiAccessError `field` becomes the attribute path. */
export function reportError(diags: Diagnostics, summary: string, what: string, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  const field = ApiAccessError.isApiAccessError(err) ? err.field : undefined;
  const detail = `${what}: ${message}`;
  diags.error(summary, /[.!?]$/.test(detail) ? detail : `${detail}.`, field ? [field] : undefined);
}
