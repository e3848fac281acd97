/**
 * Write-only attributes (tfplugin6 `Schema.Attribute.write_only`, Terraform >= 1.11): the value
 * arrives in the configuration (and the proposed state) and never reaches plan or state: the
 * provider plans it null, hands the configured value to create/update, and returns null for it
 * from every call that produces state. Terraform before 1.11 does not know the flag, so a set
 * write-only attribute is refused at plan time with a diagnostic that says so.
 */
import type { Diagnostics } from '../../core/diagnostics';
import type { ObjectValue } from './resource';
import type { ResourceSchema } from './schema';

/** Names of the write-only attributes of `schema`. */
function writeOnlyNames(schema: ResourceSchema): string[] {
  return Object.entries(schema.attributes)
    .filter(([, a]) => a.writeOnly)
    .map(([n]) => n);
}

/** Sets every write-only attribute of `obj` to null, in place; returns `obj`. */
export function nullWriteOnly(schema: ResourceSchema, obj: ObjectValue): ObjectValue {
  for (const n of writeOnlyNames(schema)) if (n in obj) obj[n] = null;
  return obj;
}

/** What Terraform says it supports (tfplugin6 ClientCapabilities). */
export interface ClientCapabilities {
  readonly writeOnlyAttributesAllowed?: boolean;
}

/** An error for each write-only attribute set in `config` when the client cannot handle write-only attributes. */
export function checkWriteOnlySupport(
  schema: ResourceSchema,
  typeName: string,
  config: ObjectValue,
  caps: ClientCapabilities | undefined,
  diags: Diagnostics,
): void {
  if (caps === undefined || caps.writeOnlyAttributesAllowed) return;
  for (const n of writeOnlyNames(schema)) {
    if (config[n] === null || config[n] === undefined) continue;
    diags.error(
      'Write-Only Attribute Not Supported',
      `${typeName}.${n} is a write-only attribute: its value is used once and never stored in plan or state, which needs Terraform 1.11 or later. This Terraform does not support write-only attributes; upgrade Terraform to use ${n}.`,
      [n],
    );
  }
}
