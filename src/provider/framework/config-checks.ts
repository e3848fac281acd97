/**
 * Generic plan-time checks of a configuration against its schema, for what every vendor would
 * reject (or what would reach it as nonsense): null for a required attribute (`name = null`),
 * null entries in a list or set, and values on attributes only the vendor sets. Every resource
 * type gets them without writing a validator. Unknown values are skipped (the validate walk).
 */
import type { Diagnostics } from '../../core/diagnostics';
import { isUnknown } from './cty';
import type { ObjectValue } from './resource';
import type { AttributeSchema, ResourceSchema } from './schema';

/** What an attribute allows, from its description, as a sentence after the first (or nothing). */
function allowed(a: AttributeSchema): string {
  const text = a.description.trim();
  return text === '' ? '' : ` ${/[.!?]$/.test(text) ? text : `${text}.`}`;
}

/** Adds an error diagnostic for every generic violation in `config`. */
export function checkConfigShape(schema: ResourceSchema, config: ObjectValue, diags: Diagnostics): Diagnostics {
  for (const [name, a] of Object.entries(schema.attributes)) {
    const v = config[name] ?? null;
    if (isUnknown(v)) continue;
    if (a.computed && !a.optional && !a.required) {
      if (v !== null) {
        diags.error('Read-Only Attribute Configured', `${name} is set by the vendor and cannot be configured; remove it from the configuration.`, [name]);
      }
      continue;
    }
    if (v === null) {
      if (a.required) diags.error('Missing Required Attribute', `${name} is required and must not be null; set it to a value.${allowed(a)}`, [name]);
      continue;
    }
    const kind = Array.isArray(a.type) ? a.type[0] : undefined;
    if ((kind === 'list' || kind === 'set') && Array.isArray(v) && v.some((el) => el === null)) {
      diags.error('Null Entry In Attribute', `${name} contains a null entry; remove it or replace it with a value.${allowed(a)}`, [name]);
    }
  }
  return diags;
}
