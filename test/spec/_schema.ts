/** What `terraform providers schema -json` says about an attribute, reduced to what a spec decides. */
import type { AttributeSpec } from '../../src/spec';

export interface TfAttribute {
  type: unknown;
  description?: string;
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  sensitive?: boolean;
  write_only?: boolean;
}

/** The fields Terraform shows for an attribute spec (false flags are left out, as Terraform does). */
export function expectedAttribute(a: AttributeSpec, description = a.description): TfAttribute {
  return {
    type: a.type,
    description,
    ...(a.required ? { required: true } : {}),
    ...(a.optional ? { optional: true } : {}),
    ...(a.computed ? { computed: true } : {}),
    ...(a.sensitive ? { sensitive: true } : {}),
    ...(a.writeOnly ? { write_only: true } : {}),
  };
}

/** Terraform's attribute, minus the fields a spec does not decide. */
export function observedAttribute(a: TfAttribute & { description_kind?: string }): TfAttribute {
  const rest: TfAttribute & { description_kind?: string } = { ...a };
  delete rest.description_kind;
  return rest;
}
