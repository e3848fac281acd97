/**
 * The plan/apply part of `npm run bench` (issue 12, items 3 and 5): each figure next to a baseline
 * measured in the same run, runs interleaved, medians.
 *
 * - `terraform plan` of examples/signicat (4 resources) vs a stack with only the provider block.
 * - `terraform plan` of 500 in-sync `apiaccess_signicat_api_client` vs 500 in-sync `terraform_data`.
 * - Marginal plan cost per resource, (plan×500 − plan×0) / 500 and (plan×500 − plan×1) / 499, ours
 *   vs a Go provider doing the same kind of per-object work (`data "aws_iam_policy_document"` with
 *   the hashicorp/aws binary found on the machine; the pair is skipped with a note when there is
 *   none). Against ×0 the figure also holds two provider start-ups (Terraform starts a provider
 *   once for an empty stack, three times otherwise); against ×1 only the per-object work is left.
 * - Wall and child-CPU time of every figure: CPU is the steadier one on a shared machine.
 * - The CPU of the plan of 500 split between terraform and its provider processes (GNU time; the
 *   split is skipped with a note without it): Terraform's own share is a floor under the ratio.
 *
 * Environment: BENCH_PLAN_RUNS (runs per figure, 5), BENCH_PLAN_N (500), BENCH_APPLY_N (100),
 * BENCH_AWS_PLUGIN_DIR (where to look for terraform-provider-aws_*).
 * - Vendor calls (sandbox journal) of one refresh of 200 in-sync clients vs the resource count.
 * - `terraform apply` of 100 creates vs 100 `terraform_data`.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ApiAccessProviderMirror } from '../../constructs/mirror';
import { ApiAccessProvider } from '../../constructs/provider';
import type { Sandbox } from '../../sandbox/server';
import { runNode, runTerraform, type TerraformRun } from '../terraform-cli';
import { median } from './stats';

/** What the plan/apply bench needs from its caller. */
export interface PlanBenchContext {
  /** The package root (for examples/ and the cdktf CLI). */
  readonly root: string;
  /** A running sandbox; its base URL is in `env`. */
  readonly sandbox: Sandbox;
  /** A scratch folder, removed by the caller. */
  readonly work: string;
  /** Environment for terraform runs (`terraformEnv`). */
  readonly env: NodeJS.ProcessEnv;
  /** Prints one result line: the figure, and its ratio to the baseline. */
  readonly print: (label: string, figure: Figure, base: Figure) => void;
  /** Prints a note (a figure that is a count, or why a pair was skipped). */
  readonly note: (text: string) => void;
}

/** Runs per figure: `BENCH_PLAN_RUNS`, else 5. */
const PLAN_RUNS = Math.max(1, Number(process.env.BENCH_PLAN_RUNS ?? 5));
/** Resources in the large plan: `BENCH_PLAN_N`, else 500. */
const PLAN_N = Math.max(2, Number(process.env.BENCH_PLAN_N ?? 500));
/** Clients in the refresh-count stack. */
const REFRESH_N = 200;
/** Creates in the apply figure: `BENCH_APPLY_N`, else 100. */
const APPLY_N = Math.max(1, Number(process.env.BENCH_APPLY_N ?? 100));

type Blocks = Record<string, Record<string, Record<string, unknown>>>;

/** Writes `main.tf.json` (and, when it uses our provider, the provider mirror) into a new folder. */
function stack(
  dir: string,
  body: { readonly ours?: boolean; readonly resource?: Blocks; readonly data?: Blocks; readonly extra?: Record<string, unknown> },
): string {
  mkdirSync(dir, { recursive: true });
  const doc: Record<string, unknown> = { ...body.extra };
  if (body.ours === true) {
    ApiAccessProviderMirror.write(dir);
    doc.terraform = { required_providers: { apiaccess: { source: ApiAccessProvider.PROVIDER_SOURCE, version: ApiAccessProvider.PROVIDER_VERSION } } };
    doc.provider = { apiaccess: {} };
  }
  if (body.resource !== undefined) doc.resource = body.resource;
  if (body.data !== undefined) doc.data = body.data;
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(doc, null, 1));
  return dir;
}

function clients(n: number, prefix: string): Blocks {
  return { apiaccess_signicat_api_client: Object.fromEntries(Array.from({ length: n }, (_, i) => [`c${i}`, { name: `${prefix}-${i}` }])) };
}

function terraformData(n: number, prefix: string): Blocks {
  return { terraform_data: Object.fromEntries(Array.from({ length: n }, (_, i) => [`d${i}`, { input: `${prefix}-${i}` }])) };
}

/** Fails with the run's output unless it exited with `code`. */
function check(run: TerraformRun, code: number, what: string): TerraformRun {
  if (run.code !== code) throw new Error(`${what}: exit ${run.code} (wanted ${code})\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`);
  return run;
}

/** A local hashicorp/aws provider: the plugin folder (hostname/namespace/type/version/os_arch/file) and version. */
interface GoProvider {
  readonly pluginDir: string;
  readonly version: string;
}

/** Looks for `terraform-provider-aws_*` below a few usual plugin roots (or `BENCH_AWS_PLUGIN_DIR`). */
function findAwsProvider(): GoProvider | undefined {
  const roots =
    process.env.BENCH_AWS_PLUGIN_DIR !== undefined
      ? [process.env.BENCH_AWS_PLUGIN_DIR]
      : ['/opt', '/usr/local/share', '/usr/share', join(homedir(), '.terraform.d')];
  const walk = (dir: string, depth: number): string | undefined => {
    if (depth > 8) return undefined;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return undefined;
    }
    for (const name of names) {
      const p = join(dir, name);
      let isDir: boolean;
      try {
        isDir = statSync(p).isDirectory();
      } catch {
        continue;
      }
      if (!isDir && name.startsWith('terraform-provider-aws_')) return p;
      if (isDir) {
        const found = walk(p, depth + 1);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  for (const root of roots) {
    const bin = existsSync(root) ? walk(root, 0) : undefined;
    if (bin === undefined) continue;
    // <pluginDir>/registry.terraform.io/hashicorp/aws/<version>/<os_arch>/<bin>
    const versionDir = dirname(dirname(bin));
    const pluginDir = dirname(dirname(dirname(dirname(versionDir))));
    if (basename(dirname(versionDir)) === 'aws') return { pluginDir, version: basename(versionDir) };
  }
  return undefined;
}

/** A stack of `n` `data "aws_iam_policy_document"` with a provider that never calls AWS. */
function awsStack(dir: string, n: number, version: string): string {
  const documents = Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`p${i}`, { statement: [{ sid: `S${i}`, actions: ['s3:GetObject'], resources: [`arn:aws:s3:::bench-${i}/*`] }] }]),
  );
  return stack(dir, {
    data: n > 0 ? { aws_iam_policy_document: documents } : undefined,
    extra: {
      terraform: { required_providers: { aws: { source: 'hashicorp/aws', version } } },
      provider: {
        aws: {
          region: 'us-east-1',
          access_key: 'bench',
          secret_key: 'bench',
          skip_credentials_validation: true,
          skip_requesting_account_id: true,
          skip_metadata_api_check: true,
          skip_region_validation: true,
        },
      },
    },
  });
}

/**
 * CPU milliseconds (user + system) of this process's finished children and their descendants
 * (Linux `/proc/self/stat` cutime + cstime; NaN elsewhere). Terraform waits for its providers, so a
 * terraform run's delta includes the providers' CPU: a figure less noisy than wall time on a shared
 * machine.
 */
function childCpuMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command name start at field 3 (state): cutime is field 16, cstime 17.
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

/** A figure: median wall and child-CPU milliseconds. */
export interface Figure {
  readonly ms: number;
  readonly cpuMs: number;
}

/** Interleaves the timed runs of each labelled command, `runs` times; returns the medians. */
async function interleaved(runs: number, jobs: Record<string, () => Promise<number>>): Promise<Record<string, Figure>> {
  const wall: Record<string, number[]> = Object.fromEntries(Object.keys(jobs).map((k) => [k, []]));
  const cpu: Record<string, number[]> = Object.fromEntries(Object.keys(jobs).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    for (const [k, job] of Object.entries(jobs)) {
      const before = childCpuMs();
      wall[k]!.push(await job());
      cpu[k]!.push(childCpuMs() - before);
    }
  }
  return Object.fromEntries(Object.keys(jobs).map((k) => [k, { ms: median(wall[k]!), cpuMs: median(cpu[k]!) }]));
}

/** `/usr/bin/time` (GNU time), which reports a child's CPU; undefined where there is none. */
const GNU_TIME = ['/usr/bin/time'].find((t) => existsSync(t));

/**
 * How the CPU of the plan of `dir` splits between Terraform and the provider processes it starts:
 * the mirror's launcher runs node under GNU time (APIACCESS_NODE), which appends each provider's
 * user + system seconds to a file. What Terraform spends by itself is set against the whole plan
 * of `data` (terraform_data runs inside Terraform): the part of the ratio no provider can remove.
 */
async function splitCpu(ctx: PlanBenchContext, dir: string, data: Figure): Promise<void> {
  if (GNU_TIME === undefined) {
    ctx.note('no /usr/bin/time (GNU time): the CPU split between terraform and its providers is skipped');
    return;
  }
  const log = join(ctx.work, 'provider-cpu.log');
  const wrapper = join(ctx.work, 'node-under-time.sh');
  writeFileSync(wrapper, `#!/bin/sh\nexec ${GNU_TIME} -a -o '${log}' -f '%U %S' '${process.execPath}' "$@"\n`, { mode: 0o755 });
  const env = { ...ctx.env, APIACCESS_NODE: wrapper };
  const providers: number[] = [];
  const total: number[] = [];
  let processes = 0;
  for (let i = 0; i < PLAN_RUNS; i++) {
    rmSync(log, { force: true });
    const before = childCpuMs();
    check(await runTerraform(['plan', '-detailed-exitcode', '-input=false'], dir, env), 0, `plan in ${dir} (CPU split)`);
    total.push(childCpuMs() - before);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    processes = lines.length;
    providers.push(lines.reduce((sum, l) => sum + l.split(' ').reduce((a, x) => a + Number(x) * 1000, 0), 0));
  }
  const own = median(total.map((t, i) => t - providers[i]!));
  ctx.note(
    `CPU of that plan: ${median(total).toFixed(0)} ms, of which its ${processes} provider processes ${median(providers).toFixed(0)} ms and terraform itself ${own.toFixed(0)} ms = ` +
      `${(own / data.cpuMs).toFixed(2)}× the whole plan of ${PLAN_N} terraform_data (${data.cpuMs.toFixed(0)} ms)`,
  );
}

/** Runs the plan/apply figures, printing each next to its baseline. */
export async function benchPlansAndApplies(ctx: PlanBenchContext): Promise<void> {
  const { root, sandbox, work, env } = ctx;
  const tf = (dir: string, ...args: string[]): Promise<TerraformRun> => runTerraform(args, dir, env);
  const plan = async (dir: string): Promise<number> => check(await tf(dir, 'plan', '-detailed-exitcode', '-input=false'), 0, `plan in ${dir}`).ms;

  // 1. examples/signicat (4 resources) vs the provider block alone.
  const out = join(work, 'cdktf.out');
  const synth = await runNode(
    [join(root, 'node_modules', 'cdktf-cli', 'bundle', 'bin', 'cdktf'), 'synth', '--output', out],
    join(root, 'examples', 'signicat'),
    env,
  );
  if (synth.code !== 0) throw new Error(`synth failed: ${synth.stderr}`);
  const example = join(out, 'stacks', 'signicat');
  const ours0 = stack(join(work, 'ours-0'), { ours: true });
  const ours = stack(join(work, `ours-${PLAN_N}`), { ours: true, resource: clients(PLAN_N, 'bench') });
  const data = stack(join(work, `data-${PLAN_N}`), { resource: terraformData(PLAN_N, 'bench') });
  for (const dir of [example, ours0, ours, data]) check(await tf(dir, 'init', '-input=false'), 0, `init in ${dir}`);
  check(await tf(example, 'apply', '-auto-approve', '-input=false'), 0, 'apply examples/signicat');
  const small = await interleaved(PLAN_RUNS, { empty: () => plan(ours0), example: () => plan(example) });
  ctx.print(`terraform plan, provider block only (baseline)`, small.empty!, small.empty!);
  ctx.print(`terraform plan, examples/signicat (4 resources)`, small.example!, small.empty!);
  check(await tf(example, 'destroy', '-auto-approve', '-input=false'), 0, 'destroy examples/signicat');

  // 2. Vendor calls of one refresh of 200 in-sync clients (first: the account then holds only them and
  // the seeded managing client, as in the e2e test).
  const refresh = stack(join(work, `refresh-${REFRESH_N}`), { ours: true, resource: clients(REFRESH_N, 'refresh') });
  check(await tf(refresh, 'init', '-input=false'), 0, 'init refresh stack');
  check(await tf(refresh, 'apply', '-auto-approve', '-input=false', '-parallelism=20'), 0, `apply ${REFRESH_N} clients`);
  sandbox.journal.length = 0;
  await plan(refresh);
  const calls = sandbox.calls('signicat').length;
  sandbox.journal.length = 0;
  ctx.note(
    `vendor calls, one refresh of ${REFRESH_N} in-sync clients: ${calls} (${(calls / REFRESH_N).toFixed(3)} per resource; one GET each would be ${REFRESH_N + 1})`,
  );

  // 3. plan×N in-sync: ours vs terraform_data; marginal cost vs hashicorp/aws. Marginal cost two
  // ways: against ×0 (the definition; Terraform then starts a provider once, not three
  // times, so two start-ups count as per-resource cost) and against ×1 (same processes, so only
  // the per-object work is left).
  const ours1 = stack(join(work, 'ours-1'), { ours: true, resource: clients(1, 'one') });
  check(await tf(ours1, 'init', '-input=false'), 0, 'init in ours-1');
  check(await tf(ours1, 'apply', '-auto-approve', '-input=false'), 0, 'apply 1 client');
  check(await tf(ours, 'apply', '-auto-approve', '-input=false', '-parallelism=20'), 0, `apply ${PLAN_N} clients`);
  check(await tf(data, 'apply', '-auto-approve', '-input=false'), 0, `apply ${PLAN_N} terraform_data`);
  const jobs: Record<string, () => Promise<number>> = { data: () => plan(data), ours: () => plan(ours), ours0: () => plan(ours0), ours1: () => plan(ours1) };
  const aws = findAwsProvider();
  if (aws !== undefined) {
    for (const n of [0, 1, PLAN_N]) {
      const dir = awsStack(join(work, `aws-${n}`), n, aws.version);
      check(await tf(dir, 'init', '-input=false', `-plugin-dir=${aws.pluginDir}`), 0, `init in ${dir}`);
      jobs[`aws${n === PLAN_N ? 'N' : n}`] = () => plan(dir);
    }
  }
  const big = await interleaved(PLAN_RUNS, jobs);
  ctx.print(`terraform plan, ${PLAN_N} terraform_data (baseline)`, big.data!, big.data!);
  ctx.print(`terraform plan, ${PLAN_N} in-sync signicat clients`, big.ours!, big.data!);
  await splitCpu(ctx, ours, big.data!);
  const per = (many: Figure, few: Figure, n: number): Figure => ({ ms: (many.ms - few.ms) / n, cpuMs: (many.cpuMs - few.cpuMs) / n });
  const ours0Marginal = per(big.ours!, big.ours0!, PLAN_N);
  const ours1Marginal = per(big.ours!, big.ours1!, PLAN_N - 1);
  if (aws !== undefined) {
    const go0 = per(big.awsN!, big.aws0!, PLAN_N);
    const go1 = per(big.awsN!, big.aws1!, PLAN_N - 1);
    ctx.print(`terraform plan, hashicorp/aws ${aws.version}, provider only`, big.aws0!, big.aws0!);
    ctx.print(`terraform plan, 1 data aws_iam_policy_document`, big.aws1!, big.aws0!);
    ctx.print(`terraform plan, ${PLAN_N} data aws_iam_policy_document`, big.awsN!, big.aws0!);
    // What a Go provider reaches against the same in-process baseline as ours.
    ctx.print(`  the same, against ${PLAN_N} terraform_data`, big.awsN!, big.data!);
    ctx.print(`marginal / resource (×${PLAN_N} − ×0), Go (baseline)`, go0, go0);
    ctx.print(`marginal / resource (×${PLAN_N} − ×0), ours`, ours0Marginal, go0);
    ctx.print(`marginal / resource (×${PLAN_N} − ×1), Go (baseline)`, go1, go1);
    ctx.print(`marginal / resource (×${PLAN_N} − ×1), ours`, ours1Marginal, go1);
  } else {
    ctx.note(`no terraform-provider-aws_* found (set BENCH_AWS_PLUGIN_DIR): Go marginal-cost pair skipped`);
    ctx.print(`marginal / resource (×${PLAN_N} − ×0), ours`, ours0Marginal, ours0Marginal);
    ctx.print(`marginal / resource (×${PLAN_N} − ×1), ours`, ours1Marginal, ours0Marginal);
  }

  // 4. apply of N creates: ours vs terraform_data (fresh state and names every run).
  const applyOurs = join(work, 'apply-ours');
  const applyData = join(work, 'apply-data');
  stack(applyOurs, { ours: true, resource: clients(APPLY_N, 'apply-0') });
  stack(applyData, { resource: terraformData(APPLY_N, 'apply-0') });
  for (const dir of [applyOurs, applyData]) check(await tf(dir, 'init', '-input=false'), 0, `init in ${dir}`);
  let run = 0;
  const fresh = async (dir: string, ours: boolean): Promise<number> => {
    rmSync(join(dir, 'terraform.tfstate'), { force: true });
    rmSync(join(dir, 'terraform.tfstate.backup'), { force: true });
    run++;
    stack(dir, ours ? { ours: true, resource: clients(APPLY_N, `apply-${run}`) } : { resource: terraformData(APPLY_N, `apply-${run}`) });
    return check(await tf(dir, 'apply', '-auto-approve', '-input=false'), 0, `apply in ${dir}`).ms;
  };
  const applies = await interleaved(PLAN_RUNS, { data: () => fresh(applyData, false), ours: () => fresh(applyOurs, true) });
  ctx.print(`terraform apply, ${APPLY_N} terraform_data (baseline)`, applies.data!, applies.data!);
  ctx.print(`terraform apply, ${APPLY_N} signicat clients (creates)`, applies.ours!, applies.data!);
}
