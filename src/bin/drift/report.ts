/** The drift report's files: a JSON document and a JUnit XML file for CI dashboards. */
import { describe, type DriftEntry } from './analyze';

export interface StackResult {
  readonly stack: string;
  readonly dir: string;
  /** Managed apiaccess resource addresses the plan covered. */
  readonly resources: readonly string[];
  readonly drift: readonly DriftEntry[];
  /** Set when terraform failed for this stack (no secret: terraform's own message, redacted by the provider). */
  readonly error?: string;
  readonly ms: number;
}

/** 0 none, 2 drift, 1 error (an error wins: the stack's drift is then unknown). */
export function exitCode(results: readonly StackResult[]): 0 | 1 | 2 {
  if (results.some((r) => r.error !== undefined)) return 1;
  return results.some((r) => r.drift.length > 0) ? 2 : 0;
}

export function jsonReport(results: readonly StackResult[], generatedAt: string): string {
  const drift = results.flatMap((r) => r.drift);
  return (
    JSON.stringify(
      {
        generatedAt,
        exitCode: exitCode(results),
        drifted: drift.length,
        stacks: results.map((r) => ({ stack: r.stack, dir: r.dir, resources: r.resources, error: r.error ?? null, ms: r.ms })),
        drift,
      },
      null,
      2,
    ) + '\n'
  );
}

function xml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** One testsuite per stack, one testcase per credential (a failure per drift), an error case per failed stack. */
export function junitReport(results: readonly StackResult[]): string {
  const suites = results.map((r) => {
    const cases = r.resources.map((address) => {
      const drifts = r.drift.filter((d) => d.address === address);
      const failures = drifts.map((d) => `      <failure type="${d.kind}" message="${xml(describe(d))}">${xml(d.detail)}</failure>\n`).join('');
      return `    <testcase classname="${xml(r.stack)}" name="${xml(address)}"${failures ? `>\n${failures}    </testcase>` : ' />'}\n`;
    });
    const orphan = r.drift.filter((d) => !r.resources.includes(d.address)).map((d) => d.address);
    for (const address of new Set(orphan)) {
      const failures = r.drift
        .filter((d) => d.address === address)
        .map((d) => `      <failure type="${d.kind}" message="${xml(describe(d))}">${xml(d.detail)}</failure>\n`);
      cases.push(`    <testcase classname="${xml(r.stack)}" name="${xml(address)}">\n${failures.join('')}    </testcase>\n`);
    }
    if (r.error !== undefined)
      cases.push(`    <testcase classname="${xml(r.stack)}" name="terraform plan">\n      <error message="${xml(r.error)}" />\n    </testcase>\n`);
    const failed = new Set(r.drift.map((d) => d.address)).size;
    const tests = cases.length;
    return `  <testsuite name="${xml(r.stack)}" tests="${tests}" failures="${failed}" errors="${r.error === undefined ? 0 : 1}" time="${(r.ms / 1000).toFixed(3)}">\n${cases.join('')}  </testsuite>\n`;
  });
  const tests = results.reduce((n, r) => n + r.resources.length + (r.error === undefined ? 0 : 1), 0);
  const failures = results.reduce((n, r) => n + new Set(r.drift.map((d) => d.address)).size, 0);
  const errors = results.filter((r) => r.error !== undefined).length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="apiaccess drift" tests="${tests}" failures="${failures}" errors="${errors}">\n${suites.join('')}</testsuites>\n`;
}
