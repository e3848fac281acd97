/**
 * Reading a Terraform plan for drift: which apiaccess credentials changed outside Terraform, and
 * how. Input is `terraform show -json <planfile>` (resource_drift with before/after, resource_changes)
 * plus the warning diagnostics of `terraform plan -json` (e.g. the provider's "Rotation Due").
 * Only attribute names leave this module, never values: state holds secrets.
 */

/** What happened to a credential. `pending` is a planned change from code, not from the vendor side. */
type DriftKind = 'edited' | 'deleted' | 'expired' | 'disabled' | 'rotation_due' | 'pending';

export interface DriftEntry {
  readonly stack: string;
  readonly address: string;
  readonly vendor: string;
  readonly type: string;
  readonly name: string;
  readonly kind: DriftKind;
  /** Attributes changed out of band (edited, disabled, expired), sorted. */
  readonly attributes: readonly string[];
  readonly detail: string;
}

interface Change {
  readonly actions: readonly string[];
  readonly before?: Record<string, unknown> | null;
  readonly after?: Record<string, unknown> | null;
  readonly before_sensitive?: unknown;
  readonly after_sensitive?: unknown;
}

interface ResourceChange {
  readonly address: string;
  readonly mode: string;
  readonly type: string;
  readonly name: string;
  readonly change: Change;
}

/** The parts of `terraform show -json <planfile>` read here. */
export interface PlanJson {
  readonly resource_drift?: readonly ResourceChange[];
  readonly resource_changes?: readonly ResourceChange[];
}

/** A diagnostic line of `terraform plan -json`. */
export interface PlanDiagnostic {
  readonly severity: string;
  readonly summary: string;
  readonly detail?: string;
  readonly address?: string;
}

const PREFIX = 'apiaccess_';

/** `apiaccess_<vendor>_<object>` → `<vendor>` (vendor names have no underscore). */
export function vendorOf(type: string): string {
  return type.startsWith(PREFIX) ? type.slice(PREFIX.length).split('_')[0] : '';
}

/** Every managed apiaccess resource address in the plan (the test cases of the JUnit report). */
export function managedAddresses(plan: PlanJson): string[] {
  return (plan.resource_changes ?? []).filter((r) => r.mode === 'managed' && r.type.startsWith(PREFIX)).map((r) => r.address);
}

const KIND_TEXT: Record<DriftKind, string> = {
  edited: 'edited out of band',
  deleted: 'deleted out of band',
  expired: 'expired',
  disabled: 'disabled out of band',
  rotation_due: 'rotation due',
  pending: 'planned change from code',
};

/** A one-line human description of an entry. */
export function describe(e: DriftEntry): string {
  const attrs = e.attributes.length > 0 ? ` (${e.attributes.join(', ')})` : '';
  return `${e.vendor} ${e.type} "${e.name}" [${e.address}]: ${KIND_TEXT[e.kind]}${attrs}`;
}

const DISABLED_VALUE = /^(disabled|inactive|revoked|suspended|deactivated)$/i;

function sensitive(marks: unknown, key: string): boolean {
  return typeof marks === 'object' && marks !== null && (marks as Record<string, unknown>)[key] === true;
}

function changedAttributes(c: Change): string[] {
  const before = c.before ?? {};
  const after = c.after ?? {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

/** Disabled / expired from the attributes' new values (never a sensitive one); otherwise edited. */
function classify(c: Change, attrs: readonly string[], now: number): DriftKind {
  const after = c.after ?? {};
  for (const k of attrs) {
    if (sensitive(c.after_sensitive, k)) continue;
    const v = after[k];
    if (/^(enabled|active)$/.test(k) && v === false) return 'disabled';
    if (/^(disabled|revoked)$/.test(k) && v === true) return 'disabled';
    if (/^(status|state)$/.test(k) && typeof v === 'string' && DISABLED_VALUE.test(v)) return 'disabled';
    if (/^(status|state)$/.test(k) && typeof v === 'string' && /^expired$/i.test(v)) return 'expired';
    if (k === 'expired' && v === true) return 'expired';
    if (/expire/.test(k) && typeof v === 'string' && Date.parse(v) <= now) return 'expired';
  }
  return 'edited';
}

function nameOf(r: ResourceChange): string {
  for (const [values, marks] of [
    [r.change.before, r.change.before_sensitive],
    [r.change.after, r.change.after_sensitive],
  ] as const) {
    const n = values?.name;
    if (typeof n === 'string' && n !== '' && !sensitive(marks, 'name')) return n;
  }
  return r.name;
}

const DIAGNOSTIC_KINDS: readonly [RegExp, DriftKind][] = [
  [/rotation due/i, 'rotation_due'],
  [/expired/i, 'expired'],
  [/disabled|revoked/i, 'disabled'],
];

/** Every drifted (or otherwise changing) apiaccess credential of one stack's plan. */
export function analyzePlan(stack: string, plan: PlanJson, diagnostics: readonly PlanDiagnostic[], now: number): DriftEntry[] {
  const byAddress = new Map<string, ResourceChange>();
  for (const r of [...(plan.resource_changes ?? []), ...(plan.resource_drift ?? [])]) if (!byAddress.has(r.address)) byAddress.set(r.address, r);
  const out: DriftEntry[] = [];
  const seen = new Set<string>();
  const add = (r: ResourceChange, kind: DriftKind, attributes: readonly string[], detail: string) => {
    if (seen.has(`${r.address} ${kind}`)) return;
    seen.add(`${r.address} ${kind}`);
    seen.add(r.address);
    out.push({ stack, address: r.address, vendor: vendorOf(r.type), type: r.type, name: nameOf(r), kind, attributes, detail });
  };
  const ours = (r: ResourceChange) => r.mode === 'managed' && r.type.startsWith(PREFIX);

  for (const r of (plan.resource_drift ?? []).filter(ours)) {
    if (r.change.actions.includes('delete')) {
      add(r, 'deleted', [], 'The object is gone at the vendor; the plan creates it again.');
    } else if (r.change.actions.includes('update')) {
      const attrs = changedAttributes(r.change);
      const kind = classify(r.change, attrs, now);
      add(r, kind, attrs, `Changed at the vendor, outside Terraform: ${attrs.join(', ')}.`);
    }
  }
  for (const d of diagnostics) {
    if (d.severity !== 'warning' || !d.address) continue;
    const r = byAddress.get(d.address);
    const kind = DIAGNOSTIC_KINDS.find(([re]) => re.test(d.summary))?.[1];
    if (r && ours(r) && kind) add(r, kind, [], `${d.summary}: ${d.detail ?? ''}`.trim());
  }
  for (const r of (plan.resource_changes ?? []).filter(ours)) {
    const actions = r.change.actions.filter((a) => a !== 'no-op' && a !== 'read');
    if (actions.length > 0 && !seen.has(r.address)) add(r, 'pending', [], `The plan would ${actions.join(' and ')} it (a change in code, not at the vendor).`);
  }
  return out;
}
