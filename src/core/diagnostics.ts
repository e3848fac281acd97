/**
 * Diagnostics: what resource handlers report instead of throwing. A summary (short, Title Case),
 * a detail (full sentences: what is wrong and what to do), and the attribute path when it applies.
 */

/** One step of an attribute path: an attribute name, a map key or a list index. */
export type PathStep = string | number | { readonly key: string };

/** A diagnostic, as shown by Terraform. */
export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  readonly summary: string;
  readonly detail: string;
  /** Attribute path, e.g. `['permissions']`; Terraform then points at that config line. */
  readonly path?: readonly PathStep[];
}

/** An ordered bag of diagnostics. */
export class Diagnostics {
  readonly items: Diagnostic[] = [];

  error(summary: string, detail: string, path?: readonly PathStep[]): this {
    this.items.push(path ? { severity: 'error', summary, detail, path } : { severity: 'error', summary, detail });
    return this;
  }

  warning(summary: string, detail: string, path?: readonly PathStep[]): this {
    this.items.push(path ? { severity: 'warning', summary, detail, path } : { severity: 'warning', summary, detail });
    return this;
  }

  append(other: Diagnostics | readonly Diagnostic[]): this {
    this.items.push(...(isDiagnosticArray(other) ? other : other.items));
    return this;
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}

function isDiagnosticArray(x: Diagnostics | readonly Diagnostic[]): x is readonly Diagnostic[] {
  return Array.isArray(x);
}
