/**
 * The vendor registry: adding a vendor is one folder under src/vendors and one line here.
 * A vendor module exports `emulator` (its sandbox part) and, once it has Terraform resources,
 * `provider` (its settings, client and handlers).
 */
import type { VendorProvider } from '../provider/framework/provider';
import type { EmulatorFactory } from '../sandbox/types';
import * as carbonblack from './carbonblack';
import * as sigsci from './sigsci';
import * as signicat from './signicat';
import * as silobreaker from './silobreaker';
import * as threatjammer from './threatjammer';

interface VendorModule {
  readonly emulator: EmulatorFactory;
  readonly provider?: VendorProvider;
  /** The vendor's specs (settings, resources, data sources, ephemeral resources): the source of constructs and docs. */
  readonly specs?: { readonly [name: string]: unknown };
}

export const VENDORS: readonly VendorModule[] = [sigsci, carbonblack, signicat, threatjammer, silobreaker];

/** Every vendor's provider part. */
export function vendorProviders(): VendorProvider[] {
  return VENDORS.flatMap((v) => (v.provider ? [v.provider as VendorProvider] : []));
}

/** Every vendor's sandbox emulator. */
export function vendorEmulators(): EmulatorFactory[] {
  return VENDORS.map((v) => v.emulator);
}

/** Every vendor's specs, by vendor name order of the registry (kind-tagged values only). */
export function vendorSpecs(): { readonly kind: string }[] {
  return VENDORS.flatMap((v) =>
    Object.values(v.specs ?? {}).filter(
      (x): x is { kind: string } => typeof x === 'object' && x !== null && typeof (x as { kind?: unknown }).kind === 'string',
    ),
  );
}
