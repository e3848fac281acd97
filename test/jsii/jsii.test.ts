/**
 * The construct library compiles with jsii, and jsii-pacmak generates its Python bindings
 * (`--code-only`: the sources, no wheel, since PyPI is out of reach; the Python runtime is not
 * exercised here). The staged package is the closure of src/index.ts plus the provider bundle.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constructClosure, PYTHON_MODULE, ROOT, runJsii, runPacmakPython, stageJsiiPackage } from '../../src/bin/jsii/stage';

const VENDORS = ['signicat', 'carbonblack', 'sigsci', 'threatjammer', 'silobreaker'];

/** The classes each vendor's generated constructs export, read from the generated files. */
function vendorClasses(vendor: string): string[] {
  const dir = join(ROOT, 'src', 'vendors', vendor, 'constructs');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.generated.ts'))
    .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/^export class (\w+)/gm)].map((m) => m[1]!));
}

const CORE_CLASSES = [
  'ApiAccessProvider',
  'ApiAccessProviderMirror',
  'ApiAccessFunction',
  'ApiAccessValidation',
  'ApiAccessResource',
  'ApiAccessDataSource',
  'ApiAccessEphemeral',
];

type Assembly = {
  name: string;
  targets: { python: { module: string; distName: string } };
  types: Record<string, { kind: string; base?: string; methods?: { name: string; static?: boolean }[] }>;
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'apiaccess-jsii-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the construct closure', () => {
  it('imports only the jsii peer dependencies and Node built-ins, and no provider code', () => {
    const closure = constructClosure();
    expect(closure.packages).toEqual(['cdktf', 'constructs']);
    expect(closure.files.filter((f) => /^src\/(provider|sandbox|auth|bin)\/|\/(client|emulator|handlers)(\/|\.ts$)/.test(f))).toEqual([]);
    for (const v of VENDORS) expect(closure.files).toContain(`src/vendors/${v}/constructs/index.ts`);
  });

  it('refuses to stage a closure that needs a package which is not a jsii peer dependency, naming it', () => {
    expect(() => stageJsiiPackage(join(dir, 'refused'), join(ROOT, 'src', 'bin', 'bundle-provider.ts'))).toThrow(
      /imports "esbuild", which is not a jsii module/,
    );
    expect(existsSync(join(dir, 'refused'))).toBe(false);
  });
});

describe('jsii and jsii-pacmak (python, code only)', () => {
  let assembly: Assembly;
  let pacmak: ReturnType<typeof runPacmakPython> | undefined;
  /** pacmak runs once for the tests that read its output, whichever of them runs first (or alone). */
  const pacmakOnce = (): ReturnType<typeof runPacmakPython> => (pacmak ??= runPacmakPython(dir));
  const expected = [...CORE_CLASSES, ...VENDORS.flatMap(vendorClasses)];

  beforeAll(() => {
    stageJsiiPackage(dir);
    const jsii = runJsii(dir);
    if (jsii.status !== 0) throw new Error(`${jsii.command} exited ${jsii.status}:\n${jsii.output}`);
    assembly = JSON.parse(readFileSync(join(dir, '.jsii'), 'utf8')) as Assembly;
  }, 180_000);

  it('jsii compiles the staged package into an assembly with the construct classes of all five vendors and the provider', () => {
    expect(assembly.name).toBe('apiaccess');
    expect(assembly.targets.python).toEqual({ distName: PYTHON_MODULE, module: PYTHON_MODULE });
    for (const v of VENDORS) expect(vendorClasses(v).length).toBeGreaterThan(0);
    for (const name of expected) expect([name, assembly.types[`apiaccess.${name}`]?.kind]).toEqual([name, 'class']);
    const statics = (name: string): string[] => (assembly.types[`apiaccess.${name}`]?.methods ?? []).filter((m) => m.static).map((m) => m.name);
    expect(statics('ApiAccessFunction')).toEqual(['call']);
    expect(statics('ApiAccessValidation')).toEqual(['isValidationError']);
    expect(statics('ApiAccessProviderMirror').sort()).toEqual(['bundlePath', 'write']);
    const bases = new Set(Object.values(assembly.types).flatMap((t) => (t.base ? [t.base] : [])));
    expect([...bases].filter((b) => !/^(cdktf|constructs|apiaccess)\./.test(b))).toEqual([]);
    expect(assembly.types['apiaccess.ApiAccessValidation']?.base).toBeUndefined();
  });

  it('jsii-pacmak generates the Python package with every class and the JavaScript package (provider bundle included) inside', () => {
    const pacmak = pacmakOnce();
    expect([pacmak.command, pacmak.status, pacmak.status === 0 ? '' : pacmak.output]).toEqual([pacmak.command, 0, '']);
    const py = join(dir, 'dist', 'python');
    expect(existsSync(join(py, 'setup.py'))).toBe(true);
    expect(existsSync(join(py, 'pyproject.toml'))).toBe(true);
    const init = readFileSync(join(py, 'src', PYTHON_MODULE, '__init__.py'), 'utf8');
    for (const name of expected) expect([name, init.includes(`\nclass ${name}(`)]).toEqual([name, true]);
    expect(init).toContain('def self_path(self) -> builtins.str:');
    const tarball = join(py, 'src', PYTHON_MODULE, '_jsii', 'apiaccess@0.1.0.jsii.tgz');
    const listing = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
    expect(listing.status).toBe(0);
    const entries = listing.stdout.split('\n');
    for (const f of [
      'package/.jsii',
      'package/lib/index.js',
      'package/lib/bundle/provider.bundle.js',
      'package/lib/bundle/provider.main.js',
      'package/lib/constructs/mirror.js',
    ])
      expect(entries).toContain(f);
    expect(entries.filter((f) => f.startsWith('package/src/') || f.startsWith('package/lib/provider/'))).toEqual([]);
  });

  it('every generated Python file parses (python3 compiles the sources to bytecode; nothing is imported, so no jsii runtime is needed)', () => {
    expect(pacmakOnce().status).toBe(0);
    const src = join(dir, 'dist', 'python', 'src');
    const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.py')).map((f) => join(src, f));
    expect(files.map((f) => f.slice(src.length + 1)).sort()).toEqual([`${PYTHON_MODULE}/__init__.py`, `${PYTHON_MODULE}/_jsii/__init__.py`]);
    const parse = spawnSync('python3', ['-c', 'import sys\nfor f in sys.argv[1:]: compile(open(f, encoding="utf-8").read(), f, "exec")', ...files], {
      encoding: 'utf8',
    });
    expect([parse.status, parse.stderr]).toEqual([0, '']);
  });
});
