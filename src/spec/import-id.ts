/** Composite import IDs: a declared format such as `{client_id}/{secret_id}`, parsed into attributes. */
import { APIACCESS_INVALID_ARGUMENT, ApiAccessError } from '../core/errors';
import type { ImportIdSpec } from './types';

/** The attribute names of a format, in order. */
export function importIdParts(format: string): string[] {
  return [...format.matchAll(/\{([a-z0-9_]+)\}/g)].map((m) => m[1]!);
}

/** Parses `id` by `spec`; throws APIACCESS_INVALID_ARGUMENT naming the format and an example. */
export function parseImportId(spec: ImportIdSpec, typeName: string, id: string): Record<string, string> {
  const names = importIdParts(spec.format);
  const source = spec.format
    .split(/\{[a-z0-9_]+\}/)
    .map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('([^/\\s]+)');
  const m = new RegExp(`^${source}$`).exec(id.trim());
  if (!m) {
    throw new ApiAccessError(APIACCESS_INVALID_ARGUMENT, `"${id}" is not an import ID of ${typeName}; import it as ${spec.format}, e.g. ${spec.example}`);
  }
  return Object.fromEntries(names.map((n, i) => [n, m[i + 1]!]));
}
