/**
 * The engine's part for data sources and ephemeral resources: lookup, plan-time validation from
 * the schema, and the calls with thrown errors turned into diagnostics on the attribute.
 */
import { Diagnostics } from '../../core/diagnostics';
// engine.ts imports this module too; these are only called after both have loaded.
import { reportError, runValidators, type EngineResult } from './engine';
import type { DataSourceHandler, EphemeralHandler, EphemeralOpenResult } from './other-types';
import type { VendorProvider } from './provider';
import type { ObjectValue, ResourceContext } from './resource';
import { assertValidSchema, type ResourceSchema } from './schema';

type ContextFor = (vendor: VendorProvider, typeName: string, diags: Diagnostics) => ResourceContext<unknown> | undefined;

interface Entry<H> {
  readonly vendor: VendorProvider;
  readonly handler: H;
}

/** Data sources and ephemeral resources of every vendor. */
export class OtherTypesEngine {
  private readonly data = new Map<string, Entry<DataSourceHandler>>();
  private readonly ephemeral = new Map<string, Entry<EphemeralHandler>>();

  constructor(
    vendors: readonly VendorProvider[],
    private readonly contextFor: ContextFor,
  ) {
    for (const vendor of vendors) {
      for (const handler of vendor.dataSources ?? []) {
        assertValidSchema(handler.typeName, handler.schema);
        this.data.set(handler.typeName, { vendor, handler });
      }
      for (const handler of vendor.ephemeralResources ?? []) {
        assertValidSchema(handler.typeName, handler.schema);
        this.ephemeral.set(handler.typeName, { vendor, handler });
      }
    }
  }

  dataSourceSchemas(): Map<string, ResourceSchema> {
    return new Map([...this.data].map(([n, e]) => [n, e.handler.schema]));
  }

  ephemeralSchemas(): Map<string, ResourceSchema> {
    return new Map([...this.ephemeral].map(([n, e]) => [n, e.handler.schema]));
  }

  private lookup<H>(table: Map<string, Entry<H>>, what: string, typeName: string, diags: Diagnostics): Entry<H> | undefined {
    const e = table.get(typeName);
    if (!e) diags.error(`Unknown ${what}`, `The provider has no ${what.toLowerCase()} "${typeName}".`);
    return e;
  }

  validateDataSourceConfig(typeName: string, config: ObjectValue): Diagnostics {
    const diags = new Diagnostics();
    const e = this.lookup(this.data, 'Data Source', typeName, diags);
    return e ? runValidators(e.handler.schema, config, diags) : diags;
  }

  async readDataSource(typeName: string, config: ObjectValue): Promise<EngineResult<ObjectValue | null>> {
    const diags = new Diagnostics();
    const e = this.lookup(this.data, 'Data Source', typeName, diags);
    if (!e || runValidators(e.handler.schema, config, diags).hasErrors) return { value: null, diagnostics: diags };
    const ctx = this.contextFor(e.vendor, typeName, diags);
    if (!ctx) return { value: null, diagnostics: diags };
    try {
      return { value: await e.handler.read({ config }, ctx), diagnostics: diags };
    } catch (err) {
      reportError(diags, 'Read Failed', `Reading data source ${typeName} failed`, err);
      return { value: null, diagnostics: diags };
    }
  }

  validateEphemeralConfig(typeName: string, config: ObjectValue): Diagnostics {
    const diags = new Diagnostics();
    const e = this.lookup(this.ephemeral, 'Ephemeral Resource', typeName, diags);
    return e ? runValidators(e.handler.schema, config, diags) : diags;
  }

  async openEphemeral(typeName: string, config: ObjectValue): Promise<EngineResult<EphemeralOpenResult | null>> {
    const diags = new Diagnostics();
    const e = this.lookup(this.ephemeral, 'Ephemeral Resource', typeName, diags);
    if (!e || runValidators(e.handler.schema, config, diags).hasErrors) return { value: null, diagnostics: diags };
    const ctx = this.contextFor(e.vendor, typeName, diags);
    if (!ctx) return { value: null, diagnostics: diags };
    try {
      return { value: await e.handler.open({ config }, ctx), diagnostics: diags };
    } catch (err) {
      reportError(diags, 'Open Failed', `Opening ephemeral resource ${typeName} failed`, err);
      return { value: null, diagnostics: diags };
    }
  }

  async renewEphemeral(typeName: string, priv: string | undefined): Promise<EngineResult<{ renewAt?: Date; private?: string }>> {
    const diags = new Diagnostics();
    const e = this.lookup(this.ephemeral, 'Ephemeral Resource', typeName, diags);
    const ctx = e && this.contextFor(e.vendor, typeName, diags);
    if (!e?.handler.renew || !ctx) return { value: {}, diagnostics: diags };
    try {
      return { value: await e.handler.renew({ private: priv }, ctx), diagnostics: diags };
    } catch (err) {
      reportError(diags, 'Renew Failed', `Renewing ephemeral resource ${typeName} failed`, err);
      return { value: {}, diagnostics: diags };
    }
  }

  async closeEphemeral(typeName: string, priv: string | undefined): Promise<Diagnostics> {
    const diags = new Diagnostics();
    const e = this.lookup(this.ephemeral, 'Ephemeral Resource', typeName, diags);
    const ctx = e && this.contextFor(e.vendor, typeName, diags);
    if (!e?.handler.close || !ctx) return diags;
    try {
      await e.handler.close({ private: priv }, ctx);
    } catch (err) {
      reportError(diags, 'Close Failed', `Closing ephemeral resource ${typeName} failed`, err);
    }
    return diags;
  }
}
