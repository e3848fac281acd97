/** Conversions between the framework's plain values and tfplugin6 message objects. */
import type { Diagnostic, Diagnostics, PathStep } from '../../core/diagnostics';
import { redact } from '../../core/redact';
import type { ResourceSchema } from '../framework/schema';

/** tfplugin6.Schema as proto-loader objects. */
export function schemaToProto(schema: ResourceSchema): object {
  return {
    version: schema.version,
    block: {
      version: schema.version,
      description: schema.description,
      description_kind: 'PLAIN',
      attributes: Object.entries(schema.attributes).map(([name, a]) => ({
        name,
        type: Buffer.from(JSON.stringify(a.type)),
        description: a.description,
        description_kind: 'PLAIN',
        required: !!a.required,
        optional: !!a.optional,
        computed: !!a.computed,
        sensitive: !!a.sensitive,
        write_only: !!a.writeOnly,
      })),
      block_types: [],
    },
  };
}

/** tfplugin6.AttributePath for a path. */
export function pathToProto(path: readonly PathStep[]): object {
  return {
    steps: path.map((s) => (typeof s === 'string' ? { attribute_name: s } : typeof s === 'number' ? { element_key_int: s } : { element_key_string: s.key })),
  };
}

/**
 * tfplugin6.Diagnostic list. This is where diagnostics leave the process, so summary and detail
 * are redacted here, once: callers pass them as they are.
 */
export function diagnosticsToProto(diags: Diagnostics | readonly Diagnostic[]): object[] {
  const items = Array.isArray(diags) ? (diags as readonly Diagnostic[]) : (diags as Diagnostics).items;
  return items.map((d) => ({
    severity: d.severity === 'error' ? 'ERROR' : 'WARNING',
    summary: redact(d.summary),
    detail: redact(d.detail),
    ...(d.path && d.path.length > 0 ? { attribute: pathToProto(d.path) } : {}),
  }));
}

/** A single error diagnostic for a request the wire layer could not decode. */
export function decodeErrorDiagnostic(what: string, err: unknown): object[] {
  const message = err instanceof Error ? err.message : String(err);
  return [{ severity: 'ERROR', summary: 'Invalid Value From Terraform', detail: redact(`The provider could not decode ${what}: ${message}.`) }];
}
