/**
 * The Signicat L2 constructs from the public entry point, from three angles: a scrubbed snapshot
 * of the synthesized stack, targeted asserts on what Terraform will read, and props validation
 * at construction (tokens are left for the provider to check at plan time).
 */
import { Fn, TerraformOutput, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApiAccessProvider,
  ApiAccessResource,
  SignicatApiClient,
  type SignicatApiClientProps,
  SignicatClientSecret,
  type SignicatClientSecretProps,
} from '../../../src/index';
import {
  removeTempDirs,
  scrub,
  scrubDeep,
  scrubSerializer,
  SECRET_SHAPED,
  SEED_SECRET,
  synthObject,
  type SynthJson,
  testingApp,
} from '../../constructs/_synth';

expect.addSnapshotSerializer(scrubSerializer);

afterEach(() => removeTempDirs());

/** The stack of the snapshot: a provider, two API clients and a secret of the first one. */
function buildExample(stack: TerraformStack): { a: SignicatApiClient; b: SignicatApiClient; secret: SignicatClientSecret } {
  const managingSecret = new TerraformVariable(stack, 'signicat_client_secret', { type: 'string', sensitive: true });
  new ApiAccessProvider(stack, 'apiaccess', {
    signicatClientId: 'sandbox-round-apple-123',
    signicatClientSecret: managingSecret.stringValue,
    signicatAccountId: 'a-spge-sandbox00000000000001',
    writeProviderMirror: false,
  });
  const a = new SignicatApiClient(stack, 'ci_deploy', { name: 'ci deploy', permissions: ['authentication:read', 'sessions:write'], accessTokenLifetime: 900 });
  const b = new SignicatApiClient(stack, 'reporting', { name: 'reporting' });
  const secret = new SignicatClientSecret(stack, 'ci_deploy_secret', { clientId: a.clientId, name: 'rotation-1' });
  new TerraformOutput(stack, 'ci_deploy_secret_value', { value: secret.value, sensitive: true });
  return { a, b, secret };
}

/** Runs `fn` and returns what it throws (fails the test when it does not throw). */
function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected an error');
}

/** A fresh stack in a testing app, with a provider that writes no mirror. */
function stack(): TerraformStack {
  const s = new TerraformStack(testingApp(), 'stack');
  new ApiAccessProvider(s, 'apiaccess', { writeProviderMirror: false });
  return s;
}

function synth(s: TerraformStack): SynthJson {
  return JSON.parse(Testing.synth(s)) as SynthJson;
}

describe('snapshot', () => {
  it('synthesizes the example stack (scrubbed: no absolute paths, nothing secret-shaped)', () => {
    const app = testingApp();
    buildExample(new TerraformStack(app, 'stack'));
    app.synth();
    const text = readFileSync(join(app.outdir, 'stacks', 'stack', 'cdk.tf.json'), 'utf8');
    // The real cdk.tf.json has the local backend's absolute path: the scrub is what keeps it out.
    expect(text).toContain(process.cwd());
    const json = JSON.parse(text) as unknown;
    expect(json).toMatchSnapshot();

    const written = JSON.stringify(scrubDeep(json));
    expect(written).not.toMatch(/[A-Za-z0-9]{48}/);
    expect(written).not.toContain(SEED_SECRET);
    expect(written).not.toMatch(/"\/[^"/][^"]*"/);
    expect(written).toContain('"path":"<ROOT>/terraform.stack.tfstate"');
  });

  it('the committed snapshot file has no secret-shaped value, seed secret or absolute path', () => {
    const file = join(__dirname, '__snapshots__', 'constructs.test.ts.snap');
    // Committed, and jest runs with --ci (a missing snapshot fails rather than being written).
    expect(existsSync(file)).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/[A-Za-z0-9]{48}/);
    expect(text).not.toContain(SEED_SECRET);
    expect(text).not.toContain(process.cwd());
    expect(text).not.toContain(process.execPath);
  });

  it('the scrub masks secret-shaped values, the seed secret, absolute paths and timestamps', () => {
    const value48 = 'aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6kM9nP2rS5uX8';
    expect(value48).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(scrub(`secret ${value48} and ${SEED_SECRET}`)).toBe('secret <SECRET> and <SECRET>');
    expect(scrub(`${process.cwd()}/terraform.stack.tfstate`)).toBe('<ROOT>/terraform.stack.tfstate');
    expect(scrub('exec "/opt/somewhere/bin/node" x')).toBe('exec "<ABS_PATH>" x');
    expect(scrub('at 2026-01-02T03:04:05.678Z')).toBe('at <TIMESTAMP>');
    expect(scrub('${apiaccess_signicat_api_client.ci_deploy.id}')).toBe('${apiaccess_signicat_api_client.ci_deploy.id}');
    expect(scrub('apiaccess.local/apiaccess/apiaccess')).toBe('apiaccess.local/apiaccess/apiaccess');
    expect(SECRET_SHAPED.test('apiaccess_signicat_api_client')).toBe(false);
  });
});

describe('targeted: what Terraform reads', () => {
  it('declares the apiaccess provider source and version', () => {
    const json = synthObject((s) => void buildExample(s));
    expect(json.terraform.required_providers.apiaccess).toEqual({ source: 'apiaccess.local/apiaccess/apiaccess', version: '0.1.0' });
  });

  it('writes the API client attributes under their Terraform names', () => {
    const json = synthObject((s) => void buildExample(s));
    const clients = json.resource.apiaccess_signicat_api_client!;
    expect(clients.ci_deploy).toEqual({ name: 'ci deploy', permissions: ['authentication:read', 'sessions:write'], access_token_lifetime: 900 });
    expect(Object.keys(clients).sort()).toEqual(['ci_deploy', 'reporting']);
  });

  it('leaves optional props out entirely (no null, no empty list)', () => {
    const json = synthObject((s) => void buildExample(s));
    expect(json.resource.apiaccess_signicat_api_client!.reporting).toEqual({ name: 'reporting' });
    const bare = synthObject((s) => {
      new ApiAccessProvider(s, 'apiaccess', { writeProviderMirror: false });
      new SignicatClientSecret(s, 'unnamed', { clientId: 'sandbox-round-apple-123' });
    });
    expect(bare.resource.apiaccess_signicat_client_secret!.unnamed).toEqual({ client_id: 'sandbox-round-apple-123' });
  });

  it('an explicitly empty permissions list is kept (it means "no permissions", not "unset")', () => {
    const json = synthObject((s) => {
      new ApiAccessProvider(s, 'apiaccess', { writeProviderMirror: false });
      new SignicatApiClient(s, 'none', { name: 'none', permissions: [] });
    });
    expect(json.resource.apiaccess_signicat_api_client!.none).toEqual({ name: 'none', permissions: [] });
  });

  it('the secret references its client by id', () => {
    const json = synthObject((s) => void buildExample(s));
    expect(json.resource.apiaccess_signicat_client_secret!.ci_deploy_secret).toEqual({
      client_id: '${apiaccess_signicat_api_client.ci_deploy.id}',
      name: 'rotation-1',
    });
  });

  it('clientId, accountId, permissionsOutput, secretId and value are tokens that synthesize to references', () => {
    const s = stack();
    const { a, secret } = buildExampleWithoutProvider(s);
    for (const t of [a.clientId, a.accountId, secret.secretId, secret.value]) expect(t).toMatch(/\$\{TfToken\[TOKEN\.\d+\]\}/);
    new TerraformOutput(s, 'client_id', { value: a.clientId });
    new TerraformOutput(s, 'account_id', { value: a.accountId });
    new TerraformOutput(s, 'perms', { value: a.permissionsOutput });
    new TerraformOutput(s, 'secret_id', { value: secret.secretId });
    new TerraformOutput(s, 'secret_value', { value: secret.value, sensitive: true });
    const out = synth(s).output!;
    expect(out.client_id).toEqual({ value: '${apiaccess_signicat_api_client.a.id}' });
    expect(out.account_id).toEqual({ value: '${apiaccess_signicat_api_client.a.account_id}' });
    expect(out.perms).toEqual({ value: '${tolist(apiaccess_signicat_api_client.a.permissions)}' });
    expect(out.secret_id).toEqual({ value: '${apiaccess_signicat_client_secret.s.secret_id}' });
    expect(out.secret_value).toEqual({ value: '${apiaccess_signicat_client_secret.s.value}', sensitive: true });
  });

  it('uses the Terraform type names the provider serves', () => {
    expect(SignicatApiClient.TF_TYPE).toBe('apiaccess_signicat_api_client');
    expect(SignicatClientSecret.TF_TYPE).toBe('apiaccess_signicat_client_secret');
  });

  it('passes dependsOn and lifecycle through as meta-arguments', () => {
    const json = synthObject((s) => {
      new ApiAccessProvider(s, 'apiaccess', { writeProviderMirror: false });
      const first = new SignicatApiClient(s, 'first', { name: 'first' });
      new SignicatApiClient(s, 'other', { name: 'other', dependsOn: [first], lifecycle: { preventDestroy: true, ignoreChanges: ['permissions'] } });
    });
    expect(json.resource.apiaccess_signicat_api_client!.other).toEqual({
      name: 'other',
      depends_on: ['apiaccess_signicat_api_client.first'],
      lifecycle: { prevent_destroy: true, ignore_changes: ['permissions'] },
    });
  });

  it('isApiAccessResource is true for our constructs and false for anything else', () => {
    const s = stack();
    const { a, secret } = buildExampleWithoutProvider(s);
    expect(ApiAccessResource.isApiAccessResource(a)).toBe(true);
    expect(ApiAccessResource.isApiAccessResource(secret)).toBe(true);
    expect(ApiAccessResource.isApiAccessResource(new Construct(s, 'plain'))).toBe(false);
    expect(ApiAccessResource.isApiAccessResource(s.node.findChild('apiaccess'))).toBe(false);
    expect(ApiAccessResource.isApiAccessResource({})).toBe(false);
    expect(ApiAccessResource.isApiAccessResource({ [Symbol('apiaccess.ApiAccessResource')]: true })).toBe(false);
    expect(ApiAccessResource.isApiAccessResource(null)).toBe(false);
    expect(ApiAccessResource.isApiAccessResource(undefined)).toBe(false);
    expect(ApiAccessResource.isApiAccessResource('apiaccess_signicat_api_client')).toBe(false);
    // The brand is a Symbol.for, so another copy of the package is recognised too.
    expect(ApiAccessResource.isApiAccessResource({ [Symbol.for('apiaccess.ApiAccessResource')]: true })).toBe(true);
  });
});

/** A client `a` and its secret `s` in a stack that already has a provider. */
function buildExampleWithoutProvider(s: TerraformStack): { a: SignicatApiClient; secret: SignicatClientSecret } {
  const a = new SignicatApiClient(s, 'a', { name: 'a', permissions: ['sessions:read'] });
  const secret = new SignicatClientSecret(s, 's', { clientId: a.clientId });
  return { a, secret };
}

describe('props validation at construction', () => {
  const base: SignicatApiClientProps = { name: 'ok' };

  it.each<[string, Partial<SignicatApiClientProps>, string]>([
    ['an empty name', { name: '' }, 'name'],
    ['a blank name', { name: '   ' }, 'name'],
    ['a name of 101 characters', { name: 'n'.repeat(101) }, 'name'],
    ['accessTokenLifetime 0', { accessTokenLifetime: 0 }, 'accessTokenLifetime'],
    ['accessTokenLifetime 3601', { accessTokenLifetime: 3601 }, 'accessTokenLifetime'],
    ['accessTokenLifetime 1.5', { accessTokenLifetime: 1.5 }, 'accessTokenLifetime'],
    ['accessTokenLifetime -1', { accessTokenLifetime: -1 }, 'accessTokenLifetime'],
    ['accessTokenLifetime NaN', { accessTokenLifetime: Number.NaN }, 'accessTokenLifetime'],
    ['a permission "Authentication:Read"', { permissions: ['authentication:read', 'Authentication:Read'] }, 'permissions'],
    ['a permission "nocolon"', { permissions: ['nocolon'] }, 'permissions'],
    ['a permission with two colons', { permissions: ['a:b:c'] }, 'permissions'],
  ])('SignicatApiClient refuses %s, naming the construct path and the prop', (_what, props, prop) => {
    const s = stack();
    const err = thrown(() => new SignicatApiClient(s, 'bad', { ...base, ...props }));
    expect(err.name).toBe('ApiAccessValidationError');
    expect(err.code).toBe('APIACCESS_INVALID_ARGUMENT');
    expect(err.message.startsWith(`stack/bad: ${prop} `)).toBe(true);
  });

  it('says what is allowed', () => {
    const s = stack();
    expect(thrown(() => new SignicatApiClient(s, 'a', { name: '' })).message).toMatch(/1 to 100 characters/);
    expect(thrown(() => new SignicatApiClient(s, 'b', { name: 'b', accessTokenLifetime: 3601 })).message).toMatch(/whole number from 1 to 3600/);
    expect(thrown(() => new SignicatApiClient(s, 'c', { name: 'c', permissions: ['nocolon'] })).message).toMatch(/"nocolon".*<product>:<action>/);
  });

  it('names the full path of a nested construct', () => {
    const s = stack();
    const group = new Construct(s, 'team');
    expect(thrown(() => new SignicatApiClient(group, 'deep', { name: '' })).message.startsWith('stack/team/deep: name ')).toBe(true);
  });

  it('accepts the edges: 1 and 100 characters, lifetimes 1 and 3600, no permissions', () => {
    const s = stack();
    expect(() => new SignicatApiClient(s, 'one', { name: 'x', accessTokenLifetime: 1, permissions: [] })).not.toThrow();
    expect(
      () => new SignicatApiClient(s, 'hundred', { name: 'x'.repeat(100), accessTokenLifetime: 3600, permissions: ['identity-verification:write'] }),
    ).not.toThrow();
  });

  it.each<[string, Partial<SignicatClientSecretProps>, string]>([
    ['an empty clientId', { clientId: '' }, 'clientId'],
    ['an empty name', { name: '' }, 'name'],
    ['a name of 101 characters', { name: 's'.repeat(101) }, 'name'],
  ])('SignicatClientSecret refuses %s', (_what, props, prop) => {
    const s = stack();
    const err = thrown(() => new SignicatClientSecret(s, 'bad', { clientId: 'sandbox-round-apple-123', ...props }));
    expect(err.code).toBe('APIACCESS_INVALID_ARGUMENT');
    expect(err.message.startsWith(`stack/bad: ${prop} `)).toBe(true);
  });

  it('leaves tokens alone at synth (the provider checks them at plan time)', () => {
    const s = stack();
    const name = new TerraformVariable(s, 'name', { type: 'string' });
    const lifetime = new TerraformVariable(s, 'lifetime', { type: 'number' });
    const perms = new TerraformVariable(s, 'perms', { type: 'list(string)' });
    const perm = new TerraformVariable(s, 'perm', { type: 'string' });
    new SignicatApiClient(s, 'from_vars', { name: name.stringValue, accessTokenLifetime: lifetime.numberValue, permissions: perms.listValue });
    new SignicatApiClient(s, 'mixed', { name: Fn.lower(name.stringValue), permissions: ['sessions:read', perm.stringValue] });
    new SignicatClientSecret(s, 'secret', { clientId: name.stringValue, name: name.stringValue });
    const json = synth(s);
    expect(json.resource.apiaccess_signicat_api_client!.from_vars).toEqual({
      name: '${var.name}',
      access_token_lifetime: '${var.lifetime}',
      permissions: '${var.perms}',
    });
    expect(json.resource.apiaccess_signicat_api_client!.mixed).toEqual({ name: '${lower(var.name)}', permissions: ['sessions:read', '${var.perm}'] });
    expect(json.resource.apiaccess_signicat_client_secret!.secret).toEqual({ client_id: '${var.name}', name: '${var.name}' });
  });
});
