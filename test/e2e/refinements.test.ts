/**
 * Issue 7: refinements of unknown values survive the provider. `name = "prefix-${x.id}"` is an
 * unknown string known to start with "prefix-"; the provider's planned value keeps that, so
 * `startswith(r.name, "prefix-")` is known (true) at plan time instead of "known after apply".
 */
import { join } from 'node:path';
import { configStack } from './_config';
import { expectExit, startHarness, type Harness } from './_harness';

jest.setTimeout(60_000);

interface PlanJson {
  output_changes: Record<string, { after: unknown; after_unknown: unknown }>;
  resource_changes: { address: string; change: { after_unknown: Record<string, unknown> } }[];
}

describe('issue 7: refinements of unknowns kept', () => {
  let h: Harness;
  let plan: PlanJson;

  beforeAll(async () => {
    h = await startHarness('refine');
    const dir = configStack(h, 'refine', {
      resource: {
        apiaccess_signicat_api_client: {
          x: { name: 'seed-client' },
          r: { name: 'prefix-${apiaccess_signicat_api_client.x.id}' },
        },
      },
      output: {
        starts: { value: '${startswith(apiaccess_signicat_api_client.r.name, "prefix-")}' },
        other: { value: '${startswith(apiaccess_signicat_api_client.r.name, "other-")}' },
      },
    });
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    expectExit(await h.tf(dir, 'plan', '-input=false', `-out=${join(dir, 'tfplan')}`), 0);
    plan = JSON.parse(expectExit(await h.tf(dir, 'show', '-json', 'tfplan'), 0).stdout) as PlanJson;
  });

  afterAll(async () => {
    await h?.close();
  });

  it('the name is still unknown at plan time', () => {
    const r = plan.resource_changes.find((c) => c.address === 'apiaccess_signicat_api_client.r')!;
    expect(r.change.after_unknown.name).toBe(true);
  });

  it('startswith(r.name, "prefix-") plans as known true, and a different prefix as known false', () => {
    expect(plan.output_changes.starts).toMatchObject({ after: true, after_unknown: false });
    expect(plan.output_changes.other).toMatchObject({ after: false, after_unknown: false });
  });
});
