/** Where a spec lives and what its generated outputs are called, by convention from its type name. */
import { camelCase, className } from '../../spec';

/** A spec as the generators see it. */
export interface AnySpec {
  readonly kind: string;
  readonly typeName?: string;
  readonly vendor?: string;
}

/** `apiaccess_signicat_api_client` → `{ vendor: 'signicat', object: 'api_client' }`. */
function splitTypeName(typeName: string): { vendor: string; object: string } {
  const m = /^apiaccess_([a-z0-9]+)_([a-z0-9_]+)$/.exec(typeName);
  if (!m) throw new Error(`${typeName}: type names are apiaccess_<vendor>_<object>`);
  return { vendor: m[1]!, object: m[2]! };
}

/** Suffix of the spec file and export per kind: a data source may share its resource's type name. */
const SUFFIX: Record<string, string> = { resource: '', 'data-source': '_data', ephemeral: '' };
/** Prefix of the construct class per kind (cdktf's `DataX` convention for data sources). */
const CLASS_PREFIX: Record<string, string> = { resource: '', 'data-source': 'Data', ephemeral: '' };

/** The names the generators derive for one spec. */
export function names(kind: string, typeName: string): { vendor: string; file: string; specExport: string; className: string } {
  const { vendor, object } = splitTypeName(typeName);
  const stem = `${object}${SUFFIX[kind] ?? ''}`;
  return {
    vendor,
    file: stem.replace(/_/g, '-'),
    specExport: `${camelCase(stem)}Spec`,
    className: `${CLASS_PREFIX[kind] ?? ''}${className(typeName)}`,
  };
}
