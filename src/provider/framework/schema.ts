/**
 * The schema model handlers declare: flat attributes with a cty type, Terraform's four
 * required/optional/computed combinations, sensitivity, plan defaults, replacement triggers and
 * validators. The engine derives the wire schema, the implied object type and plan behaviour
 * from it.
 */
import type { Diagnostics, PathStep } from '../../core/diagnostics';
import type { CtyType, CtyValue } from './cty';

/** A check of one known, non-null attribute value; reports through `diags` with `path`. */
export type AttributeValidator = (value: CtyValue, path: readonly PathStep[], diags: Diagnostics) => void;

/** One attribute of a resource or of the provider configuration. */
export interface AttributeSchema {
  readonly type: CtyType;
  /** Markdown-free, one or two sentences. */
  readonly description: string;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  /** Masked in plan output and marked sensitive in state. */
  readonly sensitive?: boolean;
  /** Value planned when the configuration leaves the attribute null (optional + computed only). */
  readonly default?: CtyValue;
  /** A change to this attribute replaces the object instead of updating it. */
  readonly requiresReplace?: boolean;
  /** Computed attributes the vendor may change on update; planned unknown then. Default: kept. */
  readonly changesOnUpdate?: boolean;
  /** Terraform >= 1.11: configured but never in plan or state (see write-only.ts). Optional or required, never computed. */
  readonly writeOnly?: boolean;
  readonly validators?: readonly AttributeValidator[];
}

/** The schema of one resource type (or of the provider block). */
export interface ResourceSchema {
  /** State schema version; bump it with an upgrader when the shape changes. */
  readonly version: number;
  readonly description: string;
  readonly attributes: { readonly [name: string]: AttributeSchema };
}

/** The object type a block of `schema` implies. */
export function impliedType(schema: ResourceSchema): CtyType {
  const attrs: Record<string, CtyType> = {};
  for (const [name, a] of Object.entries(schema.attributes)) attrs[name] = a.type;
  return ['object', attrs];
}

/** Checks the schema itself (names, flag combinations); throws on a programming error. */
export function assertValidSchema(typeName: string, schema: ResourceSchema): void {
  for (const [name, a] of Object.entries(schema.attributes)) {
    const where = `${typeName}.${name}`;
    if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`${where}: attribute names must match ^[a-z0-9_]+$`);
    const kinds = [a.required, a.optional, a.computed].filter(Boolean).length;
    if (a.required && (a.optional || a.computed)) throw new Error(`${where}: required excludes optional and computed`);
    if (kinds === 0) throw new Error(`${where}: one of required, optional or computed must be set`);
    if (a.writeOnly && a.computed) throw new Error(`${where}: a write-only attribute is optional or required, never computed`);
    if (a.default !== undefined && !(a.optional && a.computed)) {
      throw new Error(`${where}: a default needs optional and computed`);
    }
  }
}
