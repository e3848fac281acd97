/**
 * Issue 7: the Signicat data sources through the real terraform binary. After apply, the list and
 * the lookup by ID return exactly what the sandbox holds.
 */
import { expectExit, startHarness, type Harness } from './_harness';
import { configStack } from './_config';

jest.setTimeout(90_000);

interface SandboxClient {
  id: string;
  name: string;
  permissions: string[];
  accessTokenLifetime: number;
  createdAt: string;
  accountId: string;
  secrets: unknown[];
}

describe('issue 7: Signicat data sources', () => {
  let h: Harness;
  let outputs: Record<string, { value: unknown }>;

  beforeAll(async () => {
    h = await startHarness('data');
    const dir = configStack(h, 'data', {
      resource: {
        apiaccess_signicat_api_client: {
          a: { name: 'pipeline-a', permissions: ['sessions:read', 'authentication:read'], access_token_lifetime: 900 },
          b: { name: 'pipeline-b' },
          other: { name: 'reports' },
        },
        apiaccess_signicat_client_secret: { a1: { client_id: '${apiaccess_signicat_api_client.a.id}' } },
      },
      data: {
        apiaccess_signicat_api_clients: {
          pipelines: {
            name_prefix: 'pipeline-',
            depends_on: ['apiaccess_signicat_api_client.a', 'apiaccess_signicat_api_client.b', 'apiaccess_signicat_client_secret.a1'],
          },
          all: { depends_on: ['apiaccess_signicat_api_client.other'] },
        },
        apiaccess_signicat_api_client: { a: { id: '${apiaccess_signicat_api_client.a.id}', depends_on: ['apiaccess_signicat_client_secret.a1'] } },
      },
      output: {
        pipelines: { value: '${data.apiaccess_signicat_api_clients.pipelines.clients}' },
        all_names: { value: '${data.apiaccess_signicat_api_clients.all.clients[*].name}' },
        one: { value: '${data.apiaccess_signicat_api_client.a}' },
      },
    });
    expectExit(await h.tf(dir, 'init', '-input=false'), 0);
    expectExit(await h.tf(dir, 'apply', '-auto-approve', '-input=false'), 0);
    outputs = JSON.parse(expectExit(await h.tf(dir, 'output', '-json'), 0).stdout);
  });

  afterAll(async () => {
    await h?.close();
  });

  const held = (): SandboxClient[] => (h.sandbox.snapshot().signicat as { clients: SandboxClient[] }).clients;
  const summary = (c: SandboxClient) => ({
    id: c.id,
    name: c.name,
    permissions: [...c.permissions].sort(),
    access_token_lifetime: c.accessTokenLifetime,
    created_at: c.createdAt,
    secret_count: c.secrets.length,
  });

  it('apiaccess_signicat_api_clients with name_prefix returns the matching clients as the sandbox holds them, by name', () => {
    const want = held()
      .filter((c) => c.name.startsWith('pipeline-'))
      .sort((x, y) => x.name.localeCompare(y.name))
      .map(summary);
    expect(want.map((c) => c.name)).toEqual(['pipeline-a', 'pipeline-b']);
    expect(want[0]!.secret_count).toBe(1);
    expect(outputs.pipelines!.value).toEqual(want);
  });

  it('without a prefix it lists every client of the account, the seeded managing client included', () => {
    expect(outputs.all_names!.value).toEqual(
      held()
        .map((c) => c.name)
        .sort((x, y) => x.localeCompare(y)),
    );
  });

  it('apiaccess_signicat_api_client returns the one client by ID', () => {
    const a = held().find((c) => c.name === 'pipeline-a')!;
    expect(outputs.one!.value).toEqual({ ...summary(a), account_id: a.accountId });
  });
});
