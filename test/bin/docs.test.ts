/**
 * Issue 7 docs check: every resource, data source and ephemeral resource the provider serves has
 * its registry page, every attribute appears in it with its marks, and API.md names every construct.
 */
import { silentLogger } from '../../src/core/log';
import { ProviderEngine } from '../../src/provider/framework/engine';
import type { ResourceSchema } from '../../src/provider/framework/schema';
import { rawOutputs } from '../../src/bin/codegen/raw';
import { typeText } from '../../src/bin/codegen/docs';
import { className } from '../../src/spec';
import { vendorProviders } from '../../src/vendors/registry';

const files = rawOutputs();
const engine = new ProviderEngine(vendorProviders(), silentLogger, {});
const served: [string, string, ResourceSchema][] = [
  ...[...engine.resourceSchemas()].map(([n, s]) => ['resources', n, s] as [string, string, ResourceSchema]),
  ...[...engine.other.dataSourceSchemas()].map(([n, s]) => ['data-sources', n, s] as [string, string, ResourceSchema]),
  ...[...engine.other.ephemeralSchemas()].map(([n, s]) => ['ephemeral-resources', n, s] as [string, string, ResourceSchema]),
];

describe('issue 7: registry docs', () => {
  it('serves at least the Signicat types', () => {
    expect(served.map(([, n]) => n)).toEqual(
      expect.arrayContaining([
        'apiaccess_signicat_api_client',
        'apiaccess_signicat_client_secret',
        'apiaccess_signicat_api_clients',
        'apiaccess_signicat_access_token',
      ]),
    );
  });

  it.each(served)('%s/%s has a page with an HCL and a CDKTF example and every attribute with its type and marks', (folder, typeName, schema) => {
    const page = files.get(`docs/${folder}/${typeName.replace(/^apiaccess_/, '')}.md`);
    expect(page).toBeDefined();
    expect(page).toContain(`# ${typeName} (`);
    expect(page).toContain('```terraform');
    expect(page).toContain('```typescript');
    for (const [name, a] of Object.entries(schema.attributes)) {
      const line = page!.split('\n').find((l) => l.startsWith(`- \`${name}\` (`));
      expect(line).toBeDefined();
      expect(line).toContain(typeText(a.type as never));
      expect(line).toContain(a.required ? 'Required' : a.optional ? 'Optional' : 'Computed');
      if (a.sensitive) expect(line).toContain('Sensitive');
      if (a.requiresReplace) expect(line).toContain('Forces replacement');
      if (a.default !== undefined) expect(line).toContain(`Default: \`${JSON.stringify(a.default)}\``);
    }
  });

  it('importable resources show the import syntax with their ID format', () => {
    expect(files.get('docs/resources/signicat_client_secret.md')).toContain(
      'terraform import apiaccess_signicat_client_secret.example sandbox-round-apple-123/3f9c2a71',
    );
    expect(files.get('docs/resources/signicat_api_client.md')).toContain('import {');
  });

  it('docs/index.md lists every provider setting and links every page; API.md names every construct', () => {
    const index = files.get('docs/index.md')!;
    for (const name of Object.keys(engine.providerSchema.attributes)) expect(index).toContain(`- \`${name}\` (`);
    for (const [folder, typeName] of served) expect(index).toContain(`(${folder}/${typeName.replace(/^apiaccess_/, '')}.md)`);
    const api = files.get('API.md')!;
    expect(api).toContain('## ApiAccessProvider');
    for (const [folder, typeName] of served) expect(api).toContain(`## ${folder === 'data-sources' ? 'Data' : ''}${className(typeName)}`);
  });
});
