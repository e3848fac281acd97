/**
 * Registry-style docs from the specs: docs/index.md, docs/resources/<name>.md,
 * docs/data-sources/<name>.md, docs/ephemeral-resources/<name>.md (the Terraform registry's
 * layout, name = type without the `apiaccess_` prefix), and API.md for the constructs.
 */
import { SANDBOX_URL_ENV, SANDBOX_URL_SETTING, settingEnvName } from '../../provider/framework/engine';
import { camelCase, configurableNames, importIdParts, type AttributeSpec, type AttributeSpecs, type FunctionSpec, type SpecType } from '../../spec';
import { names, type AnySpec } from './naming';

interface TypedSpec extends AnySpec {
  readonly typeName: string;
  readonly description: string;
  readonly attributes: AttributeSpecs;
  readonly importId?: { format: string; example: string };
  readonly docs: { hcl: string; typescript: string };
}
interface Settings {
  readonly vendor: string;
  readonly attributes: AttributeSpecs;
}

const FOLDER: Record<string, string> = { resource: 'resources', 'data-source': 'data-sources', ephemeral: 'ephemeral-resources' };
const KIND_WORD: Record<string, string> = { resource: 'Resource', 'data-source': 'Data Source', ephemeral: 'Ephemeral Resource' };
const BLOCK: Record<string, string> = { resource: 'resource', 'data-source': 'data', ephemeral: 'ephemeral' };

/** A spec type in Terraform's type-constraint syntax: `list(string)`, `object({...})`. */
export function typeText(t: SpecType): string {
  if (typeof t === 'string') return t;
  if (t[0] === 'object')
    return `object({ ${Object.entries(t[1])
      .map(([k, v]) => `${k} = ${typeText(v)}`)
      .join(', ')} })`;
  return `${t[0]}(${typeText(t[1])})`;
}

/** Plain text for Markdown: `<client_id>` must not read as an HTML tag. */
function md(text: string): string {
  return text.replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function marks(a: AttributeSpec): string {
  const m: string[] = [a.required ? 'Required' : a.optional ? 'Optional' : 'Computed'];
  if (a.optional && a.computed) m.push('Computed');
  if (a.sensitive) m.push('Sensitive');
  if (a.writeOnly) m.push('Write-only, Terraform 1.11 or later: never in plan or state');
  if (a.requiresReplace) m.push('Forces replacement');
  return m.join(', ');
}

function attributeLine(name: string, a: AttributeSpec): string {
  const extra: string[] = [];
  if (a.default !== undefined) extra.push(`Default: \`${JSON.stringify(a.default)}\`.`);
  if (a.showOnce) extra.push('Shown once by the vendor: kept from the state, null after import.');
  if (a.vendorField) extra.push(`Vendor field: \`${a.vendorField}\`.`);
  return `- \`${name}\` (${typeText(a.type)}; ${marks(a)}) ${md(a.description)}${extra.length ? ` ${extra.join(' ')}` : ''}`;
}

/** The page of one resource, data source or ephemeral resource. */
function typePage(spec: TypedSpec): string {
  const vendor = names(spec.kind, spec.typeName).vendor;
  const args = configurableNames(spec.attributes);
  const computed = Object.keys(spec.attributes).filter((n) => !args.includes(n));
  const lines = [
    '---',
    `page_title: "${spec.typeName} ${KIND_WORD[spec.kind]} - apiaccess"`,
    `subcategory: "${vendor}"`,
    `description: |-`,
    `  ${spec.description}`,
    '---',
    '',
    `# ${spec.typeName} (${KIND_WORD[spec.kind]})`,
    '',
    md(spec.description),
    '',
    ...(spec.kind === 'ephemeral' ? ['Requires Terraform 1.10 or later. Its values are never written to the plan or the state.', ''] : []),
    '## Example Usage',
    '',
    '```terraform',
    spec.docs.hcl,
    '```',
    '',
    '### CDKTF (TypeScript)',
    '',
    '```typescript',
    spec.docs.typescript,
    '```',
    '',
    '## Argument Reference',
    '',
    ...(args.length ? args.map((n) => attributeLine(n, spec.attributes[n]!)) : ['This type takes no arguments.']),
    '',
    '## Attribute Reference',
    '',
    ...computed.map((n) => attributeLine(n, spec.attributes[n]!)),
    '',
  ];
  if (spec.importId) {
    const parts = importIdParts(spec.importId.format);
    lines.push(
      '## Import',
      '',
      `Import an existing object by \`${spec.importId.format}\` (${parts.map((p) => `\`${p}\``).join(', ')}):`,
      '',
      '```shell',
      `terraform import ${spec.typeName}.example ${spec.importId.example}`,
      '```',
      '',
      'or with an import block:',
      '',
      '```terraform',
      `import {`,
      `  to = ${spec.typeName}.example`,
      `  id = "${spec.importId.example}"`,
      `}`,
      '```',
      '',
    );
  }
  return lines.join('\n');
}

/** docs/index.md: the provider, its settings and every type. */
function indexPage(settings: readonly Settings[], specs: readonly TypedSpec[], functions: readonly FunctionSpec[] = []): string {
  const rows = settings.flatMap((s) =>
    Object.entries(s.attributes).map(
      ([n, a]) =>
        `- \`${s.vendor}_${n}\` (string; Optional${a.sensitive ? ', Sensitive' : ''}) ${a.description} Falls back to \`${settingEnvName(s.vendor, n)}\`.`,
    ),
  );
  const list = (kind: string) =>
    specs.filter((s) => s.kind === kind).map((s) => `- [${s.typeName}](${FOLDER[kind]}/${s.typeName.replace(/^apiaccess_/, '')}.md): ${md(s.description)}`);
  return [
    '---',
    'page_title: "apiaccess Provider"',
    'description: |-',
    '  API credentials at security vendors: API clients, keys, tokens, their secrets and permissions.',
    '---',
    '',
    '# apiaccess Provider',
    '',
    'Declares the API credentials platform teams hand out at security vendors. Every setting is optional in the',
    'configuration and falls back to an environment variable, so no secret needs to be written into it.',
    '',
    '## Example Usage',
    '',
    '```terraform',
    'terraform {',
    '  required_providers {',
    '    apiaccess = { source = "apiaccess.local/apiaccess/apiaccess", version = "0.1.0" }',
    '  }',
    '}',
    '',
    'provider "apiaccess" {}',
    '```',
    '',
    '### CDKTF (TypeScript)',
    '',
    '```typescript',
    "new ApiAccessProvider(stack, 'apiaccess');",
    '```',
    '',
    '## Argument Reference',
    '',
    `- \`${SANDBOX_URL_SETTING}\` (string; Optional) Base URL of the apiaccess vendor sandbox; every vendor then uses it with its seeded credentials. Falls back to \`${SANDBOX_URL_ENV}\`.`,
    ...rows,
    '',
    '## Resources',
    '',
    ...list('resource'),
    '',
    '## Data Sources',
    '',
    ...list('data-source'),
    '',
    '## Ephemeral Resources',
    '',
    ...list('ephemeral'),
    '',
    ...(functions.length > 0
      ? ['## Functions', '', ...functions.map((f) => `- [provider::apiaccess::${f.name}](functions/${f.name}.md): ${md(f.summary)}`), '']
      : []),
  ].join('\n');
}

/** The page of one provider-defined function. */
function functionPage(f: FunctionSpec): string {
  const signature = `provider::apiaccess::${f.name}(${f.parameters.map((p) => `${p.name} ${typeText(p.type)}`).join(', ')}) ${typeText(f.returns)}`;
  return [
    '---',
    `page_title: "${f.name} function - apiaccess"`,
    'description: |-',
    `  ${f.summary}`,
    '---',
    '',
    `# function: ${f.name}`,
    '',
    md(f.description),
    '',
    'Requires Terraform 1.8 or later.',
    '',
    '## Example Usage',
    '',
    '```terraform',
    f.docs.hcl,
    '```',
    '',
    '### CDKTF (TypeScript)',
    '',
    '```typescript',
    f.docs.typescript,
    '```',
    '',
    '## Signature',
    '',
    '```text',
    signature,
    '```',
    '',
    '## Arguments',
    '',
    ...f.parameters.map((p, i) => `${i + 1}. \`${p.name}\` (${typeText(p.type)}${p.allowNull ? '; may be null' : ''}) ${md(p.description)}`),
    '',
  ].join('\n');
}

function propType(t: SpecType): string {
  if (t === 'bool') return 'boolean';
  if (typeof t === 'string') return t;
  if (t[0] === 'object') return 'IResolvable';
  if (t[0] === 'map') return `{ [key: string]: ${propType(t[1])} }`;
  return `${propType(t[1])}[]`;
}

/** API.md's section on the classes that are not constructs (static members only: jsii has no free functions). */
const HELPERS = [
  '## Helper classes',
  '',
  '| member | description |',
  '|---|---|',
  '| `ApiAccessProvider.PROVIDER_SOURCE`, `ApiAccessProvider.PROVIDER_VERSION` | The source address and version in required_providers. |',
  '| `ApiAccessFunction.call(name, args)` | `${provider::apiaccess::<name>(args...)}` as a string token (Terraform >= 1.8); args are strings, numbers, booleans, tokens or `ApiAccessFunction.NULL`. |',
  '| `ApiAccessValidation.isValidationError(err)` | True for the plain `Error` a construct throws for bad props (`name` `ApiAccessValidationError`, `code` `APIACCESS_INVALID_ARGUMENT`, `prop`, `constructPath`); the message names the construct path, the prop and what is allowed. |',
  '| `ApiAccessProviderMirror.write(stackDir)` | Writes the implied local provider mirror and the lock entry into a stack folder; returns the launcher path. Also `bundlePath()`, `LAUNCHER`, `NODE_ENV`, `PROVIDER_BIN_ENV`. |',
  '',
];

/** API.md: every construct, its props and its attributes. */
function apiPage(settings: readonly Settings[], specs: readonly TypedSpec[]): string {
  const out = [
    '# API Reference',
    '',
    'Generated by `npm run generate` from the specs. The constructs are exported from the package root (`apiaccess`).',
    '',
    '## ApiAccessProvider',
    '',
    'The apiaccess provider. Writes its own local provider mirror into the stack folder at synth.',
    '',
    '| prop | type | description |',
    '|---|---|---|',
    '| `alias` | string | Alias for a second provider configuration. |',
    `| \`sandboxUrl\` | string | Base URL of the vendor sandbox. Default: \`${SANDBOX_URL_ENV}\`. |`,
    ...settings.flatMap((s) =>
      Object.entries(s.attributes).map(
        ([n, a]) =>
          `| \`${camelCase(`${s.vendor}_${n}`)}\` | string | ${a.description}${a.sensitive ? ' Only as a token: a literal is refused.' : ''} Default: \`${settingEnvName(s.vendor, n)}\`. |`,
      ),
    ),
    '| `writeProviderMirror` | boolean | Write the implied local provider mirror at synth. Default: `true`. |',
    '',
    ...HELPERS,
  ];
  for (const spec of specs) {
    const n = names(spec.kind, spec.typeName);
    const args = configurableNames(spec.attributes);
    out.push(`## ${n.className}`, '', `${KIND_WORD[spec.kind]} \`${spec.typeName}\` (${BLOCK[spec.kind]} block). ${spec.description}`, '');
    out.push(`### ${n.className}Props`, '', '| prop | type | required | description |', '|---|---|---|---|');
    for (const name of args) {
      const a = spec.attributes[name]!;
      out.push(
        `| \`${camelCase(name)}\` | ${propType(a.type)} | ${a.required ? 'yes' : 'no'} | ${md(a.description)}${a.default !== undefined ? ` Default: \`${JSON.stringify(a.default)}\`.` : ''} |`,
      );
    }
    const getters = Object.entries(spec.attributes).filter(([, a]) => a.computed && a.output !== false);
    if (getters.length) {
      out.push('', '### Attributes', '', '| getter | Terraform attribute | description |', '|---|---|---|');
      for (const [name, a] of getters) out.push(`| \`${a.output || camelCase(name)}\` | \`${name}\` | ${md(a.description)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** Every docs file, path → content. */
export function docsOutputs(specs: readonly AnySpec[]): Map<string, string> {
  const settings = specs.filter((s) => s.kind === 'settings') as unknown as Settings[];
  const typed = specs.filter((s) => s.kind !== 'settings' && s.kind !== 'function') as TypedSpec[];
  const functions = specs.filter((s) => s.kind === 'function') as unknown as FunctionSpec[];
  const out = new Map<string, string>();
  out.set('docs/index.md', indexPage(settings, typed, functions));
  for (const f of functions) out.set(`docs/functions/${f.name}.md`, functionPage(f));
  for (const spec of typed) out.set(`docs/${FOLDER[spec.kind]}/${spec.typeName.replace(/^apiaccess_/, '')}.md`, typePage(spec));
  out.set('API.md', apiPage(settings, typed));
  return out;
}
