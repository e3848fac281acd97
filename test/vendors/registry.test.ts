import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { VENDORS, vendorEmulators, vendorProviders } from '../../src/vendors/registry';

describe('vendor registry', () => {
  it('lists every vendor once, each with its own name and path prefix', () => {
    const emulators = vendorEmulators().map((f) => f({ clock: { now: () => 0, sleep: async () => undefined }, baseUrl: () => '' }));
    expect(emulators.map((e) => [e.name, e.prefix])).toEqual([
      ['sigsci', '/sigsci'],
      ['carbonblack', '/carbonblack'],
      ['signicat', '/signicat'],
      ['threatjammer', '/threatjammer'],
      ['silobreaker', '/silobreaker'],
    ]);
    expect(VENDORS).toHaveLength(5);
  });

  it('gives the provider every vendor that has Terraform resources, with unique type names', () => {
    const types = vendorProviders().flatMap((p) => p.resources.map((r) => r.typeName));
    expect(types).toEqual(
      expect.arrayContaining([
        'apiaccess_signicat_api_client',
        'apiaccess_signicat_client_secret',
        'apiaccess_threatjammer_api_key',
        'apiaccess_carbonblack_api_key',
        'apiaccess_sigsci_api_token',
        'apiaccess_sigsci_token_settings',
        'apiaccess_sigsci_user_token_access',
        'apiaccess_silobreaker_api_key',
        'apiaccess_silobreaker_password',
      ]),
    );
    expect(new Set(types).size).toBe(types.length);
    for (const t of types) expect(t).toMatch(/^apiaccess_[a-z]+_[a-z_]+$/);
  });

  it('does not load undici, oauth4webapi or cdktf when the provider binary loads the registry (startup time)', () => {
    const script = `require(${JSON.stringify(join(__dirname, '..', '..', 'lib', 'vendors', 'registry.js'))});
      const loaded = Object.keys(require.cache).filter((k) => /node_modules\\/(undici|oauth4webapi|cdktf)\\//.test(k));
      process.stdout.write(JSON.stringify(loaded));`;
    expect(JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }))).toEqual([]);
  });
});
