/**
 * The tfplugin6.Provider service: one thin function per RPC — decode, ask the engine, encode.
 * Problems a user can act on travel as diagnostics, never as gRPC status errors.
 */
import type { Logger } from '../../core/log';
import { containsUnknown, ctyEqual, type CtyType, type CtyValue } from '../framework/cty';
import type { ProviderEngine, StateCodec } from '../framework/engine';
import type { ObjectValue } from '../framework/resource';
import { registerSensitiveValues } from '../framework/results';
import { impliedType } from '../framework/schema';
import { decodeDynamicValue, decodeJson, encodeDynamicValue, parseJsonLossless, storedFits } from './dynamic-value';
import { createFunctionHandlers, functionsToProto } from './function-rpcs';
import { createOtherHandlers } from './other-rpcs';
import { decodeErrorDiagnostic, diagnosticsToProto, pathToProto, schemaToProto } from './wire';

type DV = { msgpack?: Uint8Array | null; json?: Uint8Array | null } | null | undefined;
type Req = Record<string, unknown>;
type Handler = (req: Req) => Promise<object> | object;

const NULL_VALUE = { msgpack: Buffer.from([0xc0]) };

function asObject(v: CtyValue): ObjectValue | null {
  return v === null ? null : (v as ObjectValue);
}

/** Builds the RPC implementations over `engine`. */
export function createProviderHandlers(engine: ProviderEngine, logger: Logger): Record<string, Handler> {
  // One type per resource type, built once: the schema does not change while the process runs.
  const types = new Map<string, CtyType>();
  const typeOf = (typeName: string): CtyType | undefined => {
    let type = types.get(typeName);
    if (type === undefined) {
      const s = engine.resourceSchema(typeName);
      if (!s) return undefined;
      type = impliedType(s);
      types.set(typeName, type);
    }
    return type;
  };
  const providerType = impliedType(engine.providerSchema);
  const unknownType = (typeName: string): object[] => [
    { severity: 'ERROR', summary: 'Unknown Resource Type', detail: `The provider has no resource type "${typeName}".` },
  ];
  const encode = (type: CtyType, value: CtyValue): object => (value === null ? NULL_VALUE : encodeDynamicValue(type, value));

  return {
    ...createOtherHandlers(engine),
    ...createFunctionHandlers(engine.functions),

    GetMetadata: () => ({
      server_capabilities: { get_provider_schema_optional: true },
      diagnostics: [],
      data_sources: [...engine.other.dataSourceSchemas().keys()].map((type_name) => ({ type_name })),
      resources: [...engine.resourceSchemas().keys()].map((type_name) => ({ type_name })),
      ephemeral_resources: [...engine.other.ephemeralSchemas().keys()].map((type_name) => ({ type_name })),
      functions: [...engine.functions.definitions().keys()].map((name) => ({ name })),
    }),

    GetProviderSchema: () => {
      const resource_schemas: Record<string, object> = {};
      const data_source_schemas: Record<string, object> = {};
      const ephemeral_resource_schemas: Record<string, object> = {};
      for (const [name, schema] of engine.resourceSchemas()) resource_schemas[name] = schemaToProto(schema);
      for (const [name, schema] of engine.other.dataSourceSchemas()) data_source_schemas[name] = schemaToProto(schema);
      for (const [name, schema] of engine.other.ephemeralSchemas()) ephemeral_resource_schemas[name] = schemaToProto(schema);
      return {
        provider: schemaToProto(engine.providerSchema),
        resource_schemas,
        data_source_schemas,
        ephemeral_resource_schemas,
        functions: functionsToProto(engine.functions),
        diagnostics: [],
        server_capabilities: { get_provider_schema_optional: true, plan_destroy: false },
      };
    },

    ValidateProviderConfig: (req) => {
      try {
        const config = asObject(decodeDynamicValue(providerType, req.config as DV)) ?? {};
        return { diagnostics: diagnosticsToProto(engine.validateProviderConfig(config)) };
      } catch (err) {
        return { diagnostics: decodeErrorDiagnostic('the provider configuration', err) };
      }
    },

    ConfigureProvider: async (req) => {
      try {
        logger.debug('configure provider', { terraform_version: req.terraform_version });
        const config = asObject(decodeDynamicValue(providerType, req.config as DV)) ?? {};
        return { diagnostics: diagnosticsToProto(await engine.configure(config)) };
      } catch (err) {
        return { diagnostics: decodeErrorDiagnostic('the provider configuration', err) };
      }
    },

    ValidateResourceConfig: (req) => {
      const typeName = String(req.type_name);
      const type = typeOf(typeName);
      if (!type) return { diagnostics: unknownType(typeName) };
      try {
        const config = asObject(decodeDynamicValue(type, req.config as DV)) ?? {};
        return { diagnostics: diagnosticsToProto(engine.validateResourceConfig(typeName, config)) };
      } catch (err) {
        return { diagnostics: decodeErrorDiagnostic(`the configuration of ${typeName}`, err) };
      }
    },

    UpgradeResourceState: (req) => {
      const typeName = String(req.type_name);
      const type = typeOf(typeName);
      if (!type) return { diagnostics: unknownType(typeName) };
      try {
        const raw = req.raw_state as { json?: Uint8Array | null; flatmap?: Record<string, string> | null } | undefined;
        // Stored by this schema version and already in its shape: answer with the stored bytes
        // (Terraform reads a JSON DynamicValue as it reads msgpack), nothing to decode or encode.
        const schema = engine.resourceSchema(typeName);
        const json = raw?.json;
        const fits = json && schema && Number(req.version ?? 0) === schema.version ? storedFits(type, json) : undefined;
        if (json && schema && fits) {
          // Its secrets are registered for redaction, as the decoding path does.
          registerSensitiveValues(schema, fits);
          return { upgraded_state: { json }, diagnostics: [] };
        }
        const stored = {
          version: Number(req.version ?? 0),
          json: raw?.json && raw.json.length > 0 ? Buffer.from(raw.json).toString('utf8') : null,
          flatmap: Object.keys(raw?.flatmap ?? {}).length > 0,
        };
        // The JSON is read losslessly (numbers beyond 2^53 keep every digit), never with JSON.parse.
        const codec: StateCodec = {
          decodeCurrent: (json) => asObject(decodeJson(type, json, { dropUndefinedAttributes: true })),
          parse: (json) => {
            const v = parseJsonLossless(json);
            if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('the stored state is not a JSON object');
            return v as ObjectValue;
          },
        };
        const { value, diagnostics } = engine.upgradeResourceState(typeName, stored, codec);
        if (diagnostics.hasErrors) return { diagnostics: diagnosticsToProto(diagnostics) };
        return { upgraded_state: encode(type, value), diagnostics: diagnosticsToProto(diagnostics) };
      } catch (err) {
        return { diagnostics: decodeErrorDiagnostic(`the stored state of ${typeName}`, err) };
      }
    },

    ReadResource: async (req) => {
      const typeName = String(req.type_name);
      const type = typeOf(typeName);
      if (!type) return { diagnostics: unknownType(typeName) };
      let current: ObjectValue | null;
      try {
        current = asObject(decodeDynamicValue(type, req.current_state as DV));
      } catch (err) {
        return { diagnostics: decodeErrorDiagnostic(`the state of ${typeName}`, err) };
      }
      if (current === null) return { new_state: NULL_VALUE, diagnostics: [], private: req.private };
      const { value, diagnostics } = await engine.readResource(typeName, current);
      // In sync (the usual refresh): the state Terraform sent is the answer, already encoded.
      const same = value !== null && ctyEqual(type, current, value);
      return { new_state: same ? req.current_state : encode(type, value), diagnostics: diagnosticsToProto(diagnostics), private: req.private };
    },

    PlanResourceChange: async (req) => {
      const typeName = String(req.type_name);
      const type = typeOf(typeName);
      if (!type) return { diagnostics: unknownType(typeName) };
      try {
        const prior = asObject(decodeDynamicValue(type, req.prior_state as DV));
        const proposed = asObject(decodeDynamicValue(type, req.proposed_new_state as DV));
        const config = asObject(decodeDynamicValue(type, req.config as DV));
        const caps = req.client_capabilities as { write_only_attributes_allowed?: boolean } | null | undefined;
        const { planned, requiresReplace, diagnostics } = engine.planResourceChange(typeName, prior, proposed, config, {
          writeOnlyAttributesAllowed: !!caps?.write_only_attributes_allowed,
        });
        if (!diagnostics.hasErrors) diagnostics.append(await engine.checkPlannedChange(typeName, prior, planned));
        if (diagnostics.hasErrors) return { diagnostics: diagnosticsToProto(diagnostics) };
        // Planned as proposed with nothing unknown (an in-sync plan): the proposed bytes are the answer.
        const asProposed = planned !== null && !containsUnknown(planned) && ctyEqual(type, proposed, planned);
        return {
          planned_state: asProposed ? req.proposed_new_state : encode(type, planned),
          requires_replace: requiresReplace.map((name) => pathToProto([name])),
          planned_private: req.prior_private,
          diagnostics: diagnosticsToProto(diagnostics),
        };
      } catch (err) {
        return { diagnostics: decodeErrorDiagnostic(`the planned change of ${typeName}`, err) };
      }
    },

    ApplyResourceChange: async (req) => {
      const typeName = String(req.type_name);
      const type = typeOf(typeName);
      if (!type) return { diagnostics: unknownType(typeName) };
      let prior: ObjectValue | null;
      let planned: ObjectValue | null;
      let config: ObjectValue | null;
      try {
        prior = asObject(decodeDynamicValue(type, req.prior_state as DV));
        planned = asObject(decodeDynamicValue(type, req.planned_state as DV));
        config = asObject(decodeDynamicValue(type, req.config as DV));
      } catch (err) {
        return { diagnostics: decodeErrorDiagnostic(`the change of ${typeName}`, err) };
      }
      const { value, diagnostics } = await engine.applyResourceChange(typeName, prior, planned, config);
      return { new_state: encode(type, value), private: req.planned_private, diagnostics: diagnosticsToProto(diagnostics) };
    },

    ImportResourceState: async (req) => {
      const typeName = String(req.type_name);
      const type = typeOf(typeName);
      if (!type) return { diagnostics: unknownType(typeName) };
      const { value, diagnostics } = await engine.importResourceState(typeName, String(req.id));
      if (value === null) return { imported_resources: [], diagnostics: diagnosticsToProto(diagnostics) };
      return { imported_resources: [{ type_name: typeName, state: encode(type, value) }], diagnostics: diagnosticsToProto(diagnostics) };
    },

    StopProvider: () => {
      engine.stop();
      return { Error: '' };
    },
  };
}
