/**
 * UpgradeResourceState by the stored schema version: the current version is read straight into
 * the schema type without losing precision; an older one goes through the handler's
 * `upgradeState`; a newer one, an older one without an upgrader, or pre-0.12 flatmap state are
 * errors naming the resource type and both versions. The JSON codec comes from the wire layer.
 */
import { Diagnostics } from '../../core/diagnostics';
import type { ObjectValue, ResourceHandler } from './resource';

/** The stored state as UpgradeResourceState carries it. */
export interface StoredState {
  /** The `schema_version` stored with the state. */
  readonly version: number;
  /** `raw_state.json`, or null when Terraform sent none. */
  readonly json: string | null;
  /** True when `raw_state.flatmap` has entries (state written before Terraform 0.12). */
  readonly flatmap: boolean;
}

/** The JSON codec the wire layer lends the engine. */
export interface StateCodec {
  /** JSON text of the current schema → the value, unknown attributes dropped, absent ones null. */
  decodeCurrent(json: string): ObjectValue | null;
  /** JSON text → plain values without a type, numbers kept exactly. */
  parse(json: string): ObjectValue;
}

/** Upgrades `stored` to `handler`'s current schema; diagnostics say why not. */
export function upgradeStoredState(
  handler: ResourceHandler,
  stored: StoredState,
  codec: StateCodec,
  complete: (state: ObjectValue) => ObjectValue,
): { value: ObjectValue | null; diagnostics: Diagnostics } {
  const diags = new Diagnostics();
  const current = handler.schema.version;
  const what = `The stored state of ${handler.typeName} (schema version ${stored.version})`;
  const fail = (summary: string, detail: string): { value: null; diagnostics: Diagnostics } => ({
    value: null,
    diagnostics: diags.error(summary, detail),
  });
  if (stored.json === null || stored.json.trim() === '') {
    if (stored.flatmap) {
      return fail(
        'Unsupported State Format',
        `${what} is in the flatmap format of Terraform 0.11 and earlier, which this provider (schema version ${current}) cannot read. Upgrade the state with Terraform 0.12 and an older provider first, or remove the object from state and import it again.`,
      );
    }
    return fail('Empty Stored State', `${what} is empty. Remove the object from state (terraform state rm) and import it again.`);
  }
  if (!Number.isInteger(stored.version) || stored.version < 0 || stored.version > current) {
    return fail(
      'State From A Newer Provider',
      `${what} was written by a newer version of the provider; this provider knows schema version ${current} at most. Use the provider version that wrote the state.`,
    );
  }
  if (stored.version === current) return { value: codec.decodeCurrent(stored.json), diagnostics: diags };
  if (!handler.upgradeState) {
    return fail(
      'State Upgrade Not Supported',
      `${what} cannot be upgraded to schema version ${current}: the provider has no upgrade from version ${stored.version}. Remove the object from state and import it again.`,
    );
  }
  try {
    const upgraded = handler.upgradeState({ fromVersion: stored.version, rawJson: stored.json, state: codec.parse(stored.json) });
    return { value: complete(upgraded), diagnostics: diags };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return fail('State Upgrade Failed', `${what} could not be upgraded to schema version ${current}: ${message.replace(/[.\s]+$/, '')}.`);
  }
}
