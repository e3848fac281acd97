/**
 * What a vendor contributes to the provider: its provider-block settings, how to build its
 * client from them, and its resource handlers. The engine prefixes each setting with the vendor
 * name (`signicat_client_id`) and resolves it from the configuration, then from
 * `APIACCESS_<VENDOR>_<SETTING>`, then (when a sandbox URL is set and none of the vendor's
 * credentials is set explicitly) from the sandbox's seed. Explicit settings and sandbox seeds
 * never mix for one vendor (see settings.ts).
 */
import type { Logger } from '../../core/log';
import type { FunctionHandler } from './functions';
import type { DataSourceHandler, EphemeralHandler } from './other-types';
import type { ResourceHandler } from './resource';
import type { AttributeSchema } from './schema';

/** Resolved settings of one vendor: setting name (unprefixed) → value, or null when unset. */
export type VendorSettings = { readonly [setting: string]: string | null };

/** A vendor's part of the provider. */
export interface VendorProvider<C = unknown> {
  /** Short lowercase name, e.g. `signicat`; the prefix of its settings and resource types. */
  readonly name: string;
  /** Provider-block settings (all optional strings), without the vendor prefix. */
  readonly settings: { readonly [setting: string]: AttributeSchema };
  /**
   * The settings that are credentials (unprefixed, e.g. `client_id`, `client_secret`). When any
   * of them is set in the provider block or the environment, the sandbox fallback is off for
   * this vendor, and the credentials are verified at ConfigureProvider.
   */
  readonly credentials: readonly string[];
  /** The setting naming the vendor's API host (unprefixed, e.g. `base_url`), when it has one. */
  readonly endpoint?: string;
  /** Settings the sandbox provides when `sandbox_url` / APIACCESS_SANDBOX_URL is set. */
  sandboxSettings(sandboxUrl: string): VendorSettings;
  /**
   * Builds the client. Throws an ApiAccessError (APIACCESS_CONFIG_MISSING, with `field` set to
   * the unprefixed setting) when a needed setting is missing; the engine then reports it on the
   * first resource that needs this vendor (or at ConfigureProvider for explicit credentials).
   */
  createClient(settings: VendorSettings, logger: Logger): C;
  /**
   * Proves the credentials work (e.g. fetches a token) without changing anything at the vendor.
   * Throws an ApiAccessError APIACCESS_UNAUTHORIZED with `field` = the unprefixed setting to check
   * when the vendor refuses them. Run once per provider process: at ConfigureProvider for
   * explicit credentials, before the first use for sandbox ones.
   */
  verifyCredentials?(client: C, signal: AbortSignal): Promise<void>;
  readonly resources: readonly ResourceHandler<C>[];
  readonly dataSources?: readonly DataSourceHandler<C>[];
  /** Ephemeral resources (Terraform >= 1.10). */
  readonly ephemeralResources?: readonly EphemeralHandler<C>[];
  /** Provider-defined functions (Terraform >= 1.8), named `<vendor>_<what>`; pure, no client. */
  readonly functions?: readonly FunctionHandler[];
}
