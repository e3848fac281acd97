/**
 * Data sources and ephemeral resources, engine-facing and built from specs. A data source reads
 * what the vendor holds from its configuration; an ephemeral resource (Terraform >= 1.10) is
 * opened for one run and never reaches plan or state. Handlers, again, only make vendor calls.
 */
import type { AttributeSpecs, ConfigModel, DataSourceSpec, EphemeralSpec, Model } from '../../spec';
import { BigNumber, isUnknown, type CtyValue } from './cty';
import type { ObjectValue, ResourceContext } from './resource';
import type { ResourceSchema } from './schema';
import { attributeSchema, withAttributePath } from './spec-resource';

/** A data source type, as the engine drives it. */
export interface DataSourceHandler<C = unknown> {
  readonly typeName: string;
  readonly schema: ResourceSchema;
  /** Returns the whole object: the configuration plus the computed attributes. */
  read(req: { readonly config: ObjectValue }, ctx: ResourceContext<C>): Promise<ObjectValue>;
}

/** What opening an ephemeral resource gives Terraform. */
export interface EphemeralOpenResult {
  readonly result: ObjectValue;
  /** When Terraform should call renew (if the run is still going). */
  readonly renewAt?: Date;
  /** Opaque to Terraform, handed back on renew and close; never a secret. */
  readonly private?: string;
}

/** An ephemeral resource type, as the engine drives it. */
export interface EphemeralHandler<C = unknown> {
  readonly typeName: string;
  readonly schema: ResourceSchema;
  open(req: { readonly config: ObjectValue }, ctx: ResourceContext<C>): Promise<EphemeralOpenResult>;
  /** Extends the remote object; returns the next renewal time, if any. */
  renew?(req: { readonly private?: string }, ctx: ResourceContext<C>): Promise<{ renewAt?: Date; private?: string }>;
  close?(req: { readonly private?: string }, ctx: ResourceContext<C>): Promise<void>;
}

function schemaOf(spec: DataSourceSpec | EphemeralSpec): ResourceSchema {
  const attributes = Object.fromEntries(Object.entries(spec.attributes).map(([n, a]) => [n, attributeSchema(a)]));
  return { version: 0, description: spec.description, attributes };
}

function plain(v: CtyValue | undefined): unknown {
  if (v === undefined || v === null || isUnknown(v)) return null;
  if (v instanceof BigNumber) return Number(v.text);
  return v;
}

function configModel<A extends AttributeSpecs>(attributes: A, config: ObjectValue): ConfigModel<A> {
  const out: Record<string, unknown> = {};
  for (const [n, a] of Object.entries(attributes)) if (a.required || a.optional) out[n] = plain(config[n]) ?? (a.default as unknown) ?? null;
  return out as ConfigModel<A>;
}

/** The computed part a data source read returns. */
export type DataResult<A extends AttributeSpecs> = Partial<Model<A>>;

/**
 * A data source's or ephemeral resource's value: each configurable attribute as configured, the
 * rest (and unset ones) as the vendor answered, else from `fallback` (the config model's defaults),
 * else null.
 */
function blockValue(attributes: AttributeSpecs, config: ObjectValue, got: Record<string, unknown>, fallback: Record<string, unknown> = {}): ObjectValue {
  const out: ObjectValue = {};
  for (const [n, a] of Object.entries(attributes)) {
    const configured = a.required || a.optional ? (config[n] ?? null) : null;
    out[n] = (configured !== null ? configured : (got[n] ?? fallback[n] ?? null)) as CtyValue;
  }
  return out;
}

/** Builds a data source from its spec and its vendor read. */
export function dataSourceFromSpec<C, A extends AttributeSpecs>(
  spec: DataSourceSpec<A>,
  handler: { read(config: ConfigModel<A>, ctx: ResourceContext<C>): Promise<DataResult<A>> },
): DataSourceHandler<C> {
  return {
    typeName: spec.typeName,
    schema: schemaOf(spec),
    async read(req, ctx) {
      const config = configModel(spec.attributes, req.config);
      const got = (await handler.read(config, ctx).catch((err: unknown) => withAttributePath(spec.attributes, err))) as Record<string, unknown>;
      return blockValue(spec.attributes, req.config, got, config as Record<string, unknown>);
    },
  };
}

/** What an ephemeral handler's open returns. */
export interface EphemeralOpen<A extends AttributeSpecs> {
  readonly result: Partial<Model<A>>;
  readonly renewAt?: Date;
  readonly private?: string;
}

/** Builds an ephemeral resource from its spec and its vendor calls. */
export function ephemeralFromSpec<C, A extends AttributeSpecs>(
  spec: EphemeralSpec<A>,
  handler: {
    open(config: ConfigModel<A>, ctx: ResourceContext<C>): Promise<EphemeralOpen<A>>;
    renew?: EphemeralHandler<C>['renew'];
    close?: EphemeralHandler<C>['close'];
  },
): EphemeralHandler<C> {
  return {
    typeName: spec.typeName,
    schema: schemaOf(spec),
    async open(req, ctx) {
      const config = configModel(spec.attributes, req.config);
      const opened = await handler.open(config, ctx).catch((err: unknown) => withAttributePath(spec.attributes, err));
      const result = blockValue(spec.attributes, req.config, opened.result as Record<string, unknown>);
      return { result, ...(opened.renewAt ? { renewAt: opened.renewAt } : {}), ...(opened.private ? { private: opened.private } : {}) };
    },
    ...(handler.renew ? { renew: handler.renew } : {}),
    ...(handler.close ? { close: handler.close } : {}),
  };
}
