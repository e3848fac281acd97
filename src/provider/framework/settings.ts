/**
 * Resolving the provider settings of every vendor, with one rule: explicit settings and sandbox
 * seeds never mix for one vendor. A vendor whose credentials are set (provider block or
 * `APIACCESS_<VENDOR>_*`) uses none of the sandbox's seeded values, its base URL included; a
 * vendor with none set takes every unset setting from the sandbox seed (when a sandbox URL is
 * set). Half-set combinations, where explicit credentials would go to a host nobody chose, or the
 * sandbox's credentials to a host that is not the sandbox, are errors naming both settings.
 * `sandbox_url = ""` turns the fallback off even when APIACCESS_SANDBOX_URL is set.
 */
import { Diagnostics } from '../../core/diagnostics';
import { isUnknown, type CtyValue } from './cty';
import type { VendorProvider, VendorSettings } from './provider';
import type { ObjectValue } from './resource';
import type { AttributeSchema, ResourceSchema } from './schema';

/** Provider-level setting that points every vendor at the vendor sandbox. */
export const SANDBOX_URL_SETTING = 'sandbox_url';
/** Environment fallback of {@link SANDBOX_URL_SETTING}. */
export const SANDBOX_URL_ENV = 'APIACCESS_SANDBOX_URL';

/** Environment variable that backs a vendor setting, e.g. APIACCESS_SIGNICAT_CLIENT_ID. */
export function settingEnvName(vendor: string, setting: string): string {
  return `APIACCESS_${vendor}_${setting}`.toUpperCase();
}

/** Where a resolved setting came from. */
type SettingSource = 'config' | 'env' | 'sandbox';

/** One vendor's resolved settings. */
export interface ResolvedVendor {
  readonly settings: VendorSettings;
  /** Source of each non-null setting. */
  readonly sources: { readonly [setting: string]: SettingSource };
  /** True when a credential was set explicitly (config or environment): verified at configure. */
  readonly explicit: boolean;
}

/** Result of {@link resolveSettings}; `vendors` is keyed by vendor name. */
export interface SettingsResolution {
  readonly vendors: Map<string, ResolvedVendor>;
  readonly diagnostics: Diagnostics;
}

const nonEmpty = (v: CtyValue | string | undefined): string | null => (typeof v === 'string' && v !== '' ? v : null);
const trimSlashes = (url: string): string => url.replace(/\/+$/, '');

/** The sandbox URL in effect: config (null → environment; "" → off), else the environment. */
function sandboxUrlOf(config: ObjectValue, env: NodeJS.ProcessEnv): { url: string | null; source: string; unknown: boolean } {
  const configured = config[SANDBOX_URL_SETTING];
  if (isUnknown(configured)) return { url: null, source: SANDBOX_URL_SETTING, unknown: true };
  if (typeof configured === 'string') return { url: configured === '' ? null : trimSlashes(configured), source: SANDBOX_URL_SETTING, unknown: false };
  const fromEnv = nonEmpty(env[SANDBOX_URL_ENV]);
  return { url: fromEnv === null ? null : trimSlashes(fromEnv), source: SANDBOX_URL_ENV, unknown: false };
}

/** "a", "a and b", "a, b and c". */
function joinNames(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * Resolves every vendor's settings: configuration, then environment, then (only for a vendor
 * with no explicit credential) the sandbox seed. Vendors whose relevant settings are unknown are
 * left out of the mix checks (the validate walk); ConfigureProvider reports unknowns itself.
 */
export function resolveSettings(vendors: readonly VendorProvider[], config: ObjectValue, env: NodeJS.ProcessEnv): SettingsResolution {
  const diags = new Diagnostics();
  const out = new Map<string, ResolvedVendor>();
  const sandbox = sandboxUrlOf(config, env);
  for (const vendor of vendors) {
    const attr = (setting: string): string => `${vendor.name}_${setting}`;
    const settings: Record<string, string | null> = {};
    const sources: Record<string, SettingSource> = {};
    let unknown = false;
    for (const setting of Object.keys(vendor.settings)) {
      const configured = config[attr(setting)];
      if (isUnknown(configured)) unknown = true;
      const fromConfig = nonEmpty(configured);
      const fromEnv = nonEmpty(env[settingEnvName(vendor.name, setting)]);
      settings[setting] = fromConfig ?? fromEnv;
      if (fromConfig !== null) sources[setting] = 'config';
      else if (fromEnv !== null) sources[setting] = 'env';
    }
    const named = (setting: string): string => (sources[setting] === 'env' ? `${attr(setting)} (from ${settingEnvName(vendor.name, setting)})` : attr(setting));
    const explicitCredentials = vendor.credentials.filter((c) => settings[c] !== null && settings[c] !== undefined);
    const endpoint = vendor.endpoint;
    const endpointValue = endpoint ? settings[endpoint] : null;
    if (sandbox.url !== null && !unknown) {
      const seed = vendor.sandboxSettings(sandbox.url);
      const sandboxHost = endpoint ? seed[endpoint] : null;
      if (explicitCredentials.length > 0 && endpoint && endpointValue === null) {
        diags.error(
          'Conflicting Provider Settings',
          `${joinNames(explicitCredentials.map(named))} ${explicitCredentials.length > 1 ? 'are' : 'is'} set but ${attr(endpoint)} is not, while ${sandbox.source} points the provider at the vendor sandbox. ` +
            `Explicit ${vendor.name} credentials turn the sandbox off for ${vendor.name} and are never sent to the sandbox's host, so it is not clear which host they belong to. ` +
            `Set ${attr(endpoint)} to the API host of these credentials${sandboxHost ? ` (for the sandbox: ${sandboxHost})` : ''}, or remove the ${vendor.name} credentials to use the sandbox's own, or set ${SANDBOX_URL_SETTING} = "" to turn the sandbox off.`,
          [sources[explicitCredentials[0]!] === 'config' ? attr(explicitCredentials[0]!) : attr(endpoint)],
        );
      } else if (explicitCredentials.length === 0 && endpoint && endpointValue && trimSlashes(endpointValue) !== sandboxHost) {
        diags.error(
          'Conflicting Provider Settings',
          `${named(endpoint)} is set but ${joinNames(vendor.credentials.map(attr))} ${vendor.credentials.length > 1 ? 'are' : 'is'} not, while ${sandbox.source} points the provider at the vendor sandbox. ` +
            `The sandbox's seeded credentials are only ever sent to the sandbox. Set the ${vendor.name} credentials for ${endpointValue}, or remove ${attr(endpoint)} to use the sandbox.`,
          [attr(endpoint)],
        );
      } else if (explicitCredentials.length === 0) {
        for (const setting of Object.keys(vendor.settings)) {
          const seeded = seed[setting];
          if (settings[setting] === null && seeded !== undefined && seeded !== null) {
            settings[setting] = seeded;
            sources[setting] = 'sandbox';
          }
        }
      }
    }
    out.set(vendor.name, { settings, sources, explicit: explicitCredentials.length > 0 });
  }
  return { vendors: out, diagnostics: diags };
}

/** The provider block's schema: `sandbox_url` and every vendor's settings, prefixed with its name. */
export function providerSchemaOf(vendors: readonly VendorProvider[]): ResourceSchema {
  const attributes: Record<string, AttributeSchema> = {
    [SANDBOX_URL_SETTING]: {
      type: 'string',
      optional: true,
      description: `Base URL of the apiaccess vendor sandbox; every vendor whose credentials are not set explicitly then uses it with the sandbox's seeded managing credentials. Falls back to ${SANDBOX_URL_ENV}; an empty string turns the sandbox off.`,
    },
  };
  for (const vendor of vendors) {
    for (const [setting, schema] of Object.entries(vendor.settings)) {
      attributes[`${vendor.name}_${setting}`] = { ...schema, description: `${schema.description} Falls back to ${settingEnvName(vendor.name, setting)}.` };
    }
  }
  return { version: 0, description: 'apiaccess: API credentials at security vendors.', attributes };
}
