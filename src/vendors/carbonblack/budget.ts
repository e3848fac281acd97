/**
 * The managing key's rate budget in the provider: one {@link SharedWindowLimiter} per API ID for
 * every provider process on the machine (25 calls per 5 minutes plus the 1 s margin), in
 * `$APIACCESS_BUDGET_DIR` (default `<os tmpdir>/apiaccess-budgets`), file named by a hash of the
 * API ID (never the secret). A wait is logged at INFO.
 *
 * Sandbox time (tests only): with `APIACCESS_BUDGET_CLOCK=sandbox` and `APIACCESS_SANDBOX_URL`
 * set, and the client's base URL below that sandbox, the budget runs on the sandbox's clock instead of the wall clock. Its stamps are then the
 * times the sandbox counts calls by, and a wait for the budget moves the sandbox clock forward to
 * the moment the budget allows the next call (after letting calls in flight arrive) instead of
 * sleeping: a plan and apply that the limit forces to span 10 minutes takes seconds, and the
 * sandbox journal shows the spacing the limit forces.
 */
import { budgetDir, SharedWindowLimiter } from '../../auth/shared-budget';
import type { ILimiter } from '../../auth/rate-limit';
import { type IClock, sleep } from '../../core/clock';
import type { Logger } from '../../core/log';
import { CARBONBLACK_RATE_LIMIT, CARBONBLACK_RATE_SAFETY_MARGIN_MS, CARBONBLACK_RATE_WINDOW_MS, CARBONBLACK_VENDOR } from './client';

/** Environment variable that puts the budget on the sandbox clock (`sandbox`); tests only. */
const BUDGET_CLOCK_ENV = 'APIACCESS_BUDGET_CLOCK';

/** How long a sandbox-time wait lets calls already sent arrive before it moves the clock. */
const SANDBOX_SETTLE_MS = 150;

/** The sandbox's clock, read and moved through `/__sandbox/clock`. `now()` is the last reading plus real time since. */
class SandboxBudgetClock implements IClock {
  private offsetMs = 0;
  /** Waits of one process move the clock one at a time, so two waiters never both move it. */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly sandboxUrl: string) {}

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Reads the sandbox clock. */
  async sync(signal?: AbortSignal): Promise<void> {
    await this.call('GET', undefined, signal);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const target = this.now() + Math.max(0, ms);
    const run = this.chain.then(async () => {
      await sleep(SANDBOX_SETTLE_MS, signal);
      await this.sync(signal);
      const behind = target - this.now();
      if (behind > 0) await this.call('POST', { advanceSeconds: behind / 1000 }, signal);
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async call(method: 'GET' | 'POST', body: unknown, signal?: AbortSignal): Promise<void> {
    const res = await fetch(`${this.sandboxUrl}/__sandbox/clock`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      ...(signal ? { signal } : {}),
    });
    const doc = (await res.json()) as { now?: unknown };
    const at = typeof doc.now === 'string' ? Date.parse(doc.now) : NaN;
    if (!res.ok || Number.isNaN(at)) throw new Error(`the sandbox clock answered HTTP ${res.status}`);
    this.offsetMs = at - Date.now();
  }
}

/** The managing key's limiter for a provider process: shared by every process on the machine. */
export function managingKeyLimiter(apiId: string, logger: Logger, baseUrl: string, env: NodeJS.ProcessEnv = process.env): ILimiter {
  const sandboxUrl = env.APIACCESS_SANDBOX_URL?.replace(/\/+$/, '');
  // Sandbox time only for a client that talks to that sandbox: a real vendor's budget always runs on real time.
  const onSandbox = sandboxUrl !== undefined && sandboxUrl !== '' && baseUrl.startsWith(`${sandboxUrl}/`);
  const clock = env[BUDGET_CLOCK_ENV] === 'sandbox' && onSandbox ? new SandboxBudgetClock(sandboxUrl) : undefined;
  const shared = new SharedWindowLimiter({
    vendor: CARBONBLACK_VENDOR,
    keyId: apiId,
    limit: CARBONBLACK_RATE_LIMIT,
    windowMs: CARBONBLACK_RATE_WINDOW_MS + CARBONBLACK_RATE_SAFETY_MARGIN_MS,
    describe: `Carbon Black allows ${CARBONBLACK_RATE_LIMIT} calls per 5 minutes per API key`,
    logger,
    dir: budgetDir(env),
    ...(clock ? { clock } : {}),
  });
  if (!clock) return shared;
  return {
    async acquire(signal?: AbortSignal): Promise<void> {
      await clock.sync(signal);
      await shared.acquire(signal);
    },
  };
}
