/**
 * The data-source and ephemeral-resource RPCs: decode, ask the engine, encode. An ephemeral
 * result is encoded into the response only; nothing of it is logged or kept here.
 */
import type { CtyType, CtyValue } from '../framework/cty';
import type { ProviderEngine } from '../framework/engine';
import type { ObjectValue } from '../framework/resource';
import { impliedType, type ResourceSchema } from '../framework/schema';
import { decodeDynamicValue, encodeDynamicValue } from './dynamic-value';
import { decodeErrorDiagnostic, diagnosticsToProto } from './wire';

type DV = { msgpack?: Uint8Array | null; json?: Uint8Array | null } | null | undefined;
type Req = Record<string, unknown>;
type Handler = (req: Req) => Promise<object> | object;

const NULL_VALUE = { msgpack: Buffer.from([0xc0]) };

/** A Date as google.protobuf.Timestamp. */
export function timestampToProto(d: Date): { seconds: number; nanos: number } {
  const ms = d.getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

function privateOf(req: Req): string | undefined {
  const p = req.private as Uint8Array | null | undefined;
  return p && p.length > 0 ? Buffer.from(p).toString('utf8') : undefined;
}

/** Builds the data-source and ephemeral-resource RPC implementations over `engine`. */
export function createOtherHandlers(engine: ProviderEngine): Record<string, Handler> {
  const other = engine.other;
  const typeIn = (schemas: Map<string, ResourceSchema>, typeName: string): CtyType | undefined => {
    const s = schemas.get(typeName);
    return s ? impliedType(s) : undefined;
  };
  const unknown = (what: string, typeName: string): object[] => [
    { severity: 'ERROR', summary: `Unknown ${what}`, detail: `The provider has no ${what.toLowerCase()} "${typeName}".` },
  ];
  const encode = (type: CtyType, value: CtyValue): object => (value === null ? NULL_VALUE : encodeDynamicValue(type, value));
  const decodeConfig = (type: CtyType, req: Req): ObjectValue => (decodeDynamicValue(type, req.config as DV) ?? {}) as ObjectValue;

  return {
    ValidateDataResourceConfig: (req) => {
      const typeName = String(req.type_name);
      const type = typeIn(other.dataSourceSchemas(), typeName);
      if (!type) return { diagnostics: unknown('Data Source', typeName) };
      try {
        return { diagnostics: diagnosticsToProto(other.validateDataSourceConfig(typeName, decodeConfig(type, req))) };
      } catch (err) {
        return { diagnostics: decodeErrorDiagnostic(`the configuration of data source ${typeName}`, err) };
      }
    },

    ReadDataSource: async (req) => {
      const typeName = String(req.type_name);
      const type = typeIn(other.dataSourceSchemas(), typeName);
      if (!type) return { diagnostics: unknown('Data Source', typeName) };
      let config: ObjectValue;
      try {
        config = decodeConfig(type, req);
      } catch (err) {
        return { diagnostics: decodeErrorDiagnostic(`the configuration of data source ${typeName}`, err) };
      }
      const { value, diagnostics } = await other.readDataSource(typeName, config);
      if (value === null) return { diagnostics: diagnosticsToProto(diagnostics) };
      return { state: encode(type, value), diagnostics: diagnosticsToProto(diagnostics) };
    },

    ValidateEphemeralResourceConfig: (req) => {
      const typeName = String(req.type_name);
      const type = typeIn(other.ephemeralSchemas(), typeName);
      if (!type) return { diagnostics: unknown('Ephemeral Resource', typeName) };
      try {
        return { diagnostics: diagnosticsToProto(other.validateEphemeralConfig(typeName, decodeConfig(type, req))) };
      } catch (err) {
        return { diagnostics: decodeErrorDiagnostic(`the configuration of ephemeral resource ${typeName}`, err) };
      }
    },

    OpenEphemeralResource: async (req) => {
      const typeName = String(req.type_name);
      const type = typeIn(other.ephemeralSchemas(), typeName);
      if (!type) return { diagnostics: unknown('Ephemeral Resource', typeName) };
      let config: ObjectValue;
      try {
        config = decodeConfig(type, req);
      } catch (err) {
        return { diagnostics: decodeErrorDiagnostic(`the configuration of ephemeral resource ${typeName}`, err) };
      }
      const { value, diagnostics } = await other.openEphemeral(typeName, config);
      if (value === null) return { diagnostics: diagnosticsToProto(diagnostics) };
      return {
        result: encode(type, value.result),
        ...(value.renewAt ? { renew_at: timestampToProto(value.renewAt) } : {}),
        ...(value.private ? { private: Buffer.from(value.private, 'utf8') } : {}),
        diagnostics: diagnosticsToProto(diagnostics),
      };
    },

    RenewEphemeralResource: async (req) => {
      const { value, diagnostics } = await other.renewEphemeral(String(req.type_name), privateOf(req));
      return {
        ...(value.renewAt ? { renew_at: timestampToProto(value.renewAt) } : {}),
        ...(value.private ? { private: Buffer.from(value.private, 'utf8') } : {}),
        diagnostics: diagnosticsToProto(diagnostics),
      };
    },

    CloseEphemeralResource: async (req) => ({ diagnostics: diagnosticsToProto(await other.closeEphemeral(String(req.type_name), privateOf(req))) }),
  };
}
