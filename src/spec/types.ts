/**
 * The resource spec: one declarative, typed definition per resource, data source, ephemeral
 * resource and vendor settings block. It is the single source of the Terraform schema, the
 * validators (run at plan time by the provider and in the construct constructor), the typed model
 * a handler receives, the vendor-field names used on error paths, show-once values, composite
 * import IDs, the construct props and the docs.
 *
 * This folder is plain data and pure functions: the provider and the constructs both import it,
 * so it loads nothing of auth, the wire layer, the sandbox, vendor clients or cdktf.
 */
import type { Validator } from './validators';

/** The attribute types a spec may use (Terraform's JSON type-constraint form). */
export type SpecType =
  | 'string'
  | 'number'
  | 'bool'
  | readonly ['list', SpecType]
  | readonly ['set', SpecType]
  | readonly ['map', SpecType]
  | readonly ['object', { readonly [attribute: string]: SpecType }];

/** One attribute. Exactly Terraform's four required/optional/computed combinations are allowed. */
export interface AttributeSpec {
  readonly type: SpecType;
  /** Plain text, one or two sentences; the docs and the construct's JSDoc use it too. */
  readonly description: string;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  /** Masked in plan output and marked sensitive in state; a construct refuses a literal value. */
  readonly sensitive?: boolean;
  /** Value planned when the configuration leaves the attribute null (optional + computed only). */
  readonly default?: string | number | boolean | readonly string[];
  /** A change replaces the object instead of updating it. */
  readonly requiresReplace?: boolean;
  /** Computed attributes the vendor may change on update: planned unknown then. Default: kept. */
  readonly changesOnUpdate?: boolean;
  /** The vendor shows the value once (at create): read keeps it from the prior state. */
  readonly showOnce?: boolean;
  /** Kept in state by the framework and never sent to the vendor (e.g. rotation_period); changes in place. */
  readonly local?: boolean;
  /**
   * Terraform >= 1.11 write-only: configured, handed to create/update, never in plan or state
   * (managed resources only; optional or required, never computed). Pair it with a `<name>_version` attribute
   * whose change triggers the update.
   */
  readonly writeOnly?: boolean;
  /** The vendor's own name for this attribute (errors the vendor reports on it; the docs). */
  readonly vendorField?: string;
  /** Construct getter name for a computed attribute; `false` for none. Default: camelCase of the name. */
  readonly output?: string | false;
  readonly validators?: readonly Validator[];
}

/** Attribute name → spec. */
export type AttributeSpecs = { readonly [name: string]: AttributeSpec };

/** A composite import ID such as `{client_id}/{secret_id}`: each `{attribute}` is one non-empty part without `/` or spaces. */
export interface ImportIdSpec {
  readonly format: string;
  readonly example: string;
}

/** What the docs show besides the schema. */
interface DocsSpec {
  /** An HCL example of the block (without the surrounding provider block). */
  readonly hcl: string;
  /** A CDKTF TypeScript example (the construct call). */
  readonly typescript: string;
}

/**
 * A cross-attribute rule over the configuration (attribute name → value; a value may be an
 * unresolved token or unknown, tested with `isUnresolved`). Returns the attribute at fault and the
 * rest of a sentence that starts with its name, or undefined. Run at plan by the provider and in the
 * construct constructor.
 */
export type ConfigCheck = (
  config: { readonly [attribute: string]: unknown },
  isUnresolved: (v: unknown) => boolean,
) => { readonly attribute: string; readonly problem: string } | undefined;

/** A managed resource type. */
export interface ResourceSpec<A extends AttributeSpecs = AttributeSpecs> {
  readonly kind: 'resource';
  /** `apiaccess_<vendor>_<object>` */
  readonly typeName: string;
  /** State schema version. */
  readonly version: number;
  readonly description: string;
  readonly attributes: A;
  readonly importId?: ImportIdSpec;
  /**
   * Secret rotation (VENDOR-DONE §4): a `rotation_period` attribute (see rotationPeriod()) and the
   * attribute holding the secret's creation time. `inPlace`: the vendor regenerates the secret of
   * the same object (the handler's `regenerate`), so a due rotation plans an in-place update that
   * marks the show-once values unknown instead of a replacement.
   */
  readonly rotation?: { readonly createdAt: string; readonly inPlace?: boolean };
  /** Cross-attribute rules (VENDOR-DONE §6), e.g. "x is required exactly when y is Z". */
  readonly configChecks?: readonly ConfigCheck[];
  readonly docs: DocsSpec;
}

/** A data source: configuration in, what the vendor holds out. Nothing is stored between runs. */
export interface DataSourceSpec<A extends AttributeSpecs = AttributeSpecs> {
  readonly kind: 'data-source';
  readonly typeName: string;
  readonly description: string;
  readonly attributes: A;
  readonly docs: DocsSpec;
}

/** An ephemeral resource (Terraform >= 1.10): opened for one run, never in plan or state. */
export interface EphemeralSpec<A extends AttributeSpecs = AttributeSpecs> {
  readonly kind: 'ephemeral';
  readonly typeName: string;
  readonly description: string;
  readonly attributes: A;
  readonly docs: DocsSpec;
}

/** Declares a data source spec. */
export function defineDataSource<const A extends AttributeSpecs>(spec: Omit<DataSourceSpec<A>, 'kind'>): DataSourceSpec<A> {
  const out = { kind: 'data-source' as const, ...spec };
  assertValidSpec(out.typeName, out.attributes, false);
  return out;
}

/** Declares an ephemeral resource spec. */
export function defineEphemeral<const A extends AttributeSpecs>(spec: Omit<EphemeralSpec<A>, 'kind'>): EphemeralSpec<A> {
  const out = { kind: 'ephemeral' as const, ...spec };
  assertValidSpec(out.typeName, out.attributes, false);
  return out;
}

/** A vendor's provider-block settings (each optional, all strings, prefixed `<vendor>_`). */
export interface SettingsSpec<A extends AttributeSpecs = AttributeSpecs> {
  readonly kind: 'settings';
  readonly vendor: string;
  readonly attributes: A;
}

/** Declares a resource spec, keeping its literal types so {@link Model} can be derived. */
export function defineResource<const A extends AttributeSpecs>(spec: Omit<ResourceSpec<A>, 'kind'>): ResourceSpec<A> {
  const out = { kind: 'resource' as const, ...spec };
  assertValidSpec(out.typeName, out.attributes);
  if (out.rotation && !(out.attributes.rotation_period?.local && out.attributes[out.rotation.createdAt]?.computed)) {
    throw new Error(`${out.typeName}: rotation needs a rotation_period attribute (rotationPeriod()) and a computed ${out.rotation.createdAt}`);
  }
  return out;
}

/** Declares a vendor's settings spec. */
export function defineSettings<const A extends AttributeSpecs>(vendor: string, attributes: A): SettingsSpec<A> {
  assertValidSpec(`provider ${vendor}`, attributes, false);
  return { kind: 'settings', vendor, attributes };
}

/** The TS type of a value of spec type `T`. */
type ValueOf<T> = T extends 'string'
  ? string
  : T extends 'number'
    ? number
    : T extends 'bool'
      ? boolean
      : T extends readonly ['list' | 'set', infer E]
        ? ValueOf<E>[]
        : T extends readonly ['map', infer E]
          ? { [key: string]: ValueOf<E> }
          : T extends readonly ['object', infer O]
            ? { -readonly [K in keyof O]: ValueOf<O[K]> }
            : never;

type AlwaysSet<S> = S extends { required: true } ? true : S extends { default: unknown } ? true : false;
type IsConfigurable<S> = S extends { required: true } ? true : S extends { optional: true } ? true : false;

/** The whole object as the handler returns it and reads it: required and defaulted attributes are set, the rest may be null. */
export type Model<A extends AttributeSpecs> = {
  -readonly [K in keyof A]: AlwaysSet<A[K]> extends true ? ValueOf<A[K]['type']> : ValueOf<A[K]['type']> | null;
};

/** Names of the attributes a user can set. */
type ConfigurableKeys<A extends AttributeSpecs> = { [K in keyof A]: IsConfigurable<A[K]> extends true ? K : never }[keyof A];

/** The configuration as create receives it (defaults applied). */
export type ConfigModel<A extends AttributeSpecs> = Pick<Model<A>, ConfigurableKeys<A>>;

/** What an update receives: only the configurable attributes whose value changed. */
export type Patch<A extends AttributeSpecs> = Partial<ConfigModel<A>>;

/** Configurable attribute names of a spec, in declaration order. */
export function configurableNames(attributes: AttributeSpecs): string[] {
  return Object.entries(attributes)
    .filter(([, a]) => a.required || a.optional)
    .map(([n]) => n);
}

/** snake_case → camelCase (`access_token_lifetime` → `accessTokenLifetime`). */
export function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** snake_case type name minus `apiaccess_` → PascalCase (`apiaccess_signicat_api_client` → `SignicatApiClient`). */
export function className(typeName: string): string {
  const c = camelCase(typeName.replace(/^apiaccess_/, ''));
  return c.charAt(0).toUpperCase() + c.slice(1);
}

/** Checks names and flag combinations; throws on a programming error in a spec. */
export function assertValidSpec(where: string, attributes: AttributeSpecs, writeOnlyAllowed = true): void {
  for (const [name, a] of Object.entries(attributes)) {
    const at = `${where}.${name}`;
    if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`${at}: attribute names must match ^[a-z0-9_]+$`);
    if (a.required && (a.optional || a.computed)) throw new Error(`${at}: required excludes optional and computed`);
    if (!a.required && !a.optional && !a.computed) throw new Error(`${at}: one of required, optional or computed must be set`);
    if (a.default !== undefined && !(a.optional && a.computed)) throw new Error(`${at}: a default needs optional and computed`);
    if (a.showOnce && (a.optional || a.required)) throw new Error(`${at}: showOnce applies to computed-only attributes`);
    if (a.local && (a.required || a.computed || a.requiresReplace)) throw new Error(`${at}: a local attribute is optional, not computed, and changes in place`);
    if (a.writeOnly && !writeOnlyAllowed) throw new Error(`${at}: write-only attributes exist on managed resources only`);
    if (a.writeOnly && (a.computed || a.local || a.requiresReplace || a.default !== undefined)) {
      throw new Error(`${at}: a write-only attribute is optional or required, never computed, local, defaulted or replacing`);
    }
  }
}
