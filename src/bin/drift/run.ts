/** Running `terraform plan -detailed-exitcode -json` (refresh on) in one synthesized stack folder. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { runTerraform } from '../terraform-cli';
import { analyzePlan, managedAddresses, type PlanDiagnostic, type PlanJson } from './analyze';
import type { StackResult } from './report';

/** The first error diagnostic of a `-json` run, or the run's last stderr line. */
function errorOf(stdout: string, stderr: string): string {
  const diag = parseLines(stdout).find((d) => d.severity === 'error');
  if (diag) return `${diag.summary}${diag.detail ? `: ${diag.detail}` : ''}`;
  const lines = stderr.trim().split('\n').filter(Boolean);
  return lines[lines.length - 1] ?? 'terraform failed';
}

function parseLines(stdout: string): PlanDiagnostic[] {
  const out: PlanDiagnostic[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const msg = JSON.parse(line) as { type?: string; diagnostic?: PlanDiagnostic };
      if (msg.type === 'diagnostic' && msg.diagnostic) out.push(msg.diagnostic);
    } catch {
      // not a JSON UI line
    }
  }
  return out;
}

export async function driftOfStack(dir: string, env: NodeJS.ProcessEnv, now: () => number = Date.now): Promise<StackResult> {
  const started = Date.now();
  const stack = basename(dir);
  const done = (rest: Omit<StackResult, 'stack' | 'dir' | 'ms'>): StackResult => ({ stack, dir, ms: Date.now() - started, ...rest });
  const init = await runTerraform(['init', '-input=false'], dir, env);
  if (init.code !== 0) return done({ resources: [], drift: [], error: `terraform init failed: ${errorOf('', init.stderr || init.stdout)}` });
  // The plan file holds state values (secrets included): a private temp folder, removed at once.
  const tmp = mkdtempSync(join(tmpdir(), 'apiaccess-drift-'));
  try {
    const planFile = join(tmp, 'plan.bin');
    const plan = await runTerraform(['plan', '-detailed-exitcode', '-json', '-input=false', `-out=${planFile}`], dir, env);
    if (plan.code !== 0 && plan.code !== 2) return done({ resources: [], drift: [], error: `terraform plan failed: ${errorOf(plan.stdout, plan.stderr)}` });
    const show = await runTerraform(['show', '-json', planFile], dir, env);
    if (show.code !== 0) return done({ resources: [], drift: [], error: `terraform show failed: ${errorOf('', show.stderr)}` });
    const json = JSON.parse(show.stdout) as PlanJson;
    return done({ resources: managedAddresses(json), drift: analyzePlan(stack, json, parseLines(plan.stdout), now()) });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
