/**
 * issue 12: a plan of 200 in-sync API clients refreshes them from one paginated list (not 200
 * GETs), an out-of-band delete is still detected (confirmed by one direct GET), and the sandbox
 * journal proves the call counts.
 */
import { expectExit, plainStack, startHarness, type Harness } from './_harness';

jest.setTimeout(180_000);

const N = 200;
const PAGE = 100;

let h: Harness;
beforeAll(async () => {
  h = await startHarness('refresh');
});
afterAll(async () => {
  await h.close();
});

describe('issue 12: refresh in O(pages) vendor calls', () => {
  it(`plans ${N} in-sync clients with at most ceil(${N}/${PAGE}) + 2 vendor calls, and still finds one deleted out of band`, async () => {
    const clients = Object.fromEntries(Array.from({ length: N }, (_, i) => [`c${i}`, { name: `svc-${i}` }]));
    const dir = plainStack(h, 'many', { apiaccess_signicat_api_client: clients });
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    expectExit(await h.tf(dir, 'apply', '-auto-approve', '-input=false', '-parallelism=20'), 0);

    h.sandbox.journal.length = 0;
    expectExit(await h.tf(dir, 'plan', '-detailed-exitcode', '-input=false'), 0);
    const calls = h.sandbox.calls('signicat').map((c) => `${c.method} ${c.path}`);
    // One token, then the list's pages; no per-client GET.
    expect(calls.length).toBeLessThanOrEqual(Math.ceil(N / PAGE) + 2);
    // The account also holds the seeded managing client: N + 1 clients to list.
    expect(calls.filter((c) => c === 'GET /management/api-clients')).toHaveLength(Math.ceil((N + 1) / PAGE));
    expect(calls.filter((c) => /^GET \/management\/api-clients\/./.test(c))).toEqual([]);

    // Delete one behind Terraform's back: the list misses it, one direct GET confirms it is gone.
    const doc = h.sandbox.snapshot().signicat as { clients: { id: string; name: string }[] };
    const victim = doc.clients.find((c) => c.name === 'svc-7')!;
    h.sandbox.restore({ signicat: { ...doc, clients: doc.clients.filter((c) => c.id !== victim.id) } });
    h.sandbox.journal.length = 0;
    const plan = expectExit(await h.tf(dir, 'plan', '-detailed-exitcode', '-input=false'), 2);
    expect(plan.stdout).toContain('apiaccess_signicat_api_client.c7 will be created');
    expect(plan.stdout).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
    const after = h.sandbox.calls('signicat').map((c) => `${c.method} ${c.path} ${c.status}`);
    expect(after.filter((c) => c.startsWith(`GET /management/api-clients/${victim.id}`))).toEqual([`GET /management/api-clients/${victim.id} 404`]);
    expect(after.length).toBeLessThanOrEqual(Math.ceil(N / PAGE) + 3);
  });
});
