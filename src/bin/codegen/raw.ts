/** Every generated file, as relative path → content, before formatting. */
import type { AttributeSpecs } from '../../spec';
import { vendorSpecs } from '../../vendors/registry';
import { constructIndexSource, ephemeralConstructSource, providerSettingsSource, resourceConstructSource } from './constructs';
import { docsOutputs } from './docs';
import { names, type AnySpec } from './naming';
import { PROTO_DESCRIPTORS_FILE, protoDescriptorsSource } from './proto-descriptors';

type Spec = AnySpec & { typeName: string; description: string; attributes: AttributeSpecs };

/** Generated files before formatting. */
export function rawOutputs(specs: readonly AnySpec[] = vendorSpecs()): Map<string, string> {
  const out = new Map<string, string>();
  const settings = specs.filter((s) => s.kind === 'settings') as unknown as { vendor: string; attributes: AttributeSpecs }[];
  out.set('src/constructs/provider-settings.generated.ts', providerSettingsSource(settings));
  const byVendor = new Map<string, string[]>();
  for (const spec of specs.filter((s) => s.kind !== 'settings' && s.kind !== 'function') as Spec[]) {
    const n = names(spec.kind, spec.typeName);
    const file = `${n.file}.generated`;
    out.set(`src/vendors/${n.vendor}/constructs/${file}.ts`, spec.kind === 'ephemeral' ? ephemeralConstructSource(spec) : resourceConstructSource(spec));
    byVendor.set(n.vendor, [...(byVendor.get(n.vendor) ?? []), file]);
  }
  for (const [vendor, files] of byVendor) out.set(`src/vendors/${vendor}/constructs/index.ts`, constructIndexSource(files));
  for (const [path, text] of docsOutputs(specs)) out.set(path, text);
  out.set(PROTO_DESCRIPTORS_FILE, protoDescriptorsSource());
  return out;
}
