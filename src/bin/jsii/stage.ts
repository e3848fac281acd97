/**
 * The jsii build of the construct library (`npm run jsii`, and the test in `test/jsii/`).
 *
 * jsii compiles a whole package and requires every runtime dependency to be a jsii module or
 * bundled. Our root package is more than the constructs: it also holds the provider, whose
 * dependencies (grpc, undici, msgpack, ...) are not jsii modules. The constructs never import them:
 * they reach the provider only as one prebuilt file, `lib/bundle/provider.bundle.js`, that the
 * mirror copies. So the jsii package is staged: the import closure of `src/index.ts` (checked to
 * need nothing but jsii modules and Node built-ins), its own package.json (jsii targets, cdktf and
 * constructs as peer dependencies) and the provider bundle as a plain file. Then jsii compiles it
 * and jsii-pacmak writes the Python sources (`--code-only`: building a wheel needs PyPI).
 */
import { spawnSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** The repository root (this file is `lib/bin/jsii/stage.js` once built). */
export const ROOT = resolve(__dirname, '..', '..', '..');

/** The Python distribution and module name of the bindings. */
export const PYTHON_MODULE = 'apiaccess';

/** What {@link constructClosure} found. */
export interface Closure {
  /** Source files, relative to the repository root, in the order they were reached. */
  readonly files: string[];
  /** Packages the closure imports (types included), e.g. `cdktf`. */
  readonly packages: string[];
}

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function resolveRelative(from: string, spec: string): string {
  const base = resolve(dirname(from), spec);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) if (existsSync(candidate)) return candidate;
  throw new Error(`jsii stage: cannot resolve "${spec}" imported by ${relative(ROOT, from)}`);
}

/** Every source file `entry` imports, transitively (type-only imports included), and the packages they import. */
export function constructClosure(entry = join(ROOT, 'src', 'index.ts')): Closure {
  const files: string[] = [];
  const packages = new Set<string>();
  const todo = [entry];
  const seen = new Set(todo);
  while (todo.length > 0) {
    const file = todo.shift()!;
    files.push(relative(ROOT, file));
    for (const { fileName: spec } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (spec.startsWith('.')) {
        const next = resolveRelative(file, spec);
        if (!seen.has(next)) todo.push(next);
        seen.add(next);
      } else if (!spec.startsWith('node:') && !builtinModules.includes(spec)) {
        packages.add(packageName(spec));
      }
    }
  }
  return { files, packages: [...packages].sort() };
}

type PackageJson = { name: string; version: string; description?: string; license?: string; peerDependencies?: Record<string, string>; jsii?: unknown };

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/**
 * The staged package.json. A dependency must be a jsii module (it then is a peer dependency, as
 * cdktf and constructs are for every cdktf library); anything else would have to be bundled, and
 * the construct surface needs none, so one is refused with the file to look at.
 */
function stagedPackageJson(closure: Closure): object {
  const root = readJson<PackageJson>(join(ROOT, 'package.json'));
  const peers: Record<string, string> = {};
  const dev: Record<string, string> = {};
  for (const name of closure.packages) {
    const dep = readJson<PackageJson>(join(ROOT, 'node_modules', name, 'package.json'));
    const range = root.peerDependencies?.[name];
    if (dep.jsii === undefined || range === undefined) {
      throw new Error(
        `jsii stage: the construct surface imports "${name}", which is ${dep.jsii === undefined ? 'not a jsii module' : 'not a peer dependency of apiaccess'}. ` +
          'Only jsii modules that are peer dependencies (cdktf, constructs) and Node built-ins may be imported from the closure of src/index.ts; ' +
          'keep provider code out of it (the provider reaches the constructs only as lib/bundle/provider.bundle.js).',
      );
    }
    peers[name] = range;
    dev[name] = dep.version;
  }
  return {
    name: root.name,
    version: root.version,
    description: root.description,
    license: root.license,
    // jsii requires both; the root package names neither yet (placeholders on a reserved domain).
    author: { name: 'apiaccess maintainers', organization: true },
    repository: { type: 'git', url: 'https://apiaccess.example.invalid/apiaccess.git' },
    main: 'lib/index.js',
    types: 'lib/index.d.ts',
    files: ['lib/**/*.js', 'lib/**/*.d.ts', '.jsii', 'README.md', 'LICENSE'],
    engines: readJson<{ engines: object }>(join(ROOT, 'package.json')).engines,
    peerDependencies: peers,
    devDependencies: dev,
    jsii: {
      outdir: 'dist',
      tsc: { outDir: 'lib', rootDir: 'src' },
      targets: { python: { distName: PYTHON_MODULE, module: PYTHON_MODULE } },
    },
  };
}

/** The bundled provider: its entry point and the code it runs through V8's code cache. */
const BUNDLE_FILES = ['provider.bundle.js', 'provider.main.js'];

/**
 * Lays out the jsii project for the closure of `entry` in `dir` (emptied first): the closure's sources under `src/`, the
 * package.json, README and LICENSE, the provider bundle files under `lib/bundle/`, and `node_modules`
 * linked to the repository's.
 */
export function stageJsiiPackage(dir: string, entry = join(ROOT, 'src', 'index.ts')): Closure {
  const bundles = BUNDLE_FILES.map((name) => join(ROOT, 'lib', 'bundle', name));
  for (const bundle of bundles) if (!existsSync(bundle)) throw new Error(`jsii stage: ${bundle} is missing; run "npm run build" first`);
  const closure = constructClosure(entry);
  const pkg = stagedPackageJson(closure);
  rmSync(dir, { recursive: true, force: true });
  for (const file of closure.files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(dir, file));
  }
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  for (const name of ['README.md', 'LICENSE']) copyFileSync(join(ROOT, name), join(dir, name));
  mkdirSync(join(dir, 'lib', 'bundle'), { recursive: true });
  for (const bundle of bundles) copyFileSync(bundle, join(dir, 'lib', 'bundle', basename(bundle)));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return closure;
}

/** One tool run: the command line, its exit code and what it printed. */
export interface ToolRun {
  /** The command, for messages. */
  readonly command: string;
  /** The exit code (null when killed by a signal). */
  readonly status: number | null;
  /** stdout and stderr together. */
  readonly output: string;
}

function runTool(dir: string, packageJson: string, bin: string, args: string[]): ToolRun {
  const script = join(dirname(packageJson), 'bin', bin);
  const res = spawnSync(process.execPath, [script, ...args], {
    cwd: dir,
    encoding: 'utf8',
    // Node 20 is still in jsii's engines range; its end-of-life banner would bury the diagnostics.
    env: { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: process.versions.node.split('.')[0] },
  });
  return { command: `${bin} ${args.join(' ')}`, status: res.status, output: `${res.stdout ?? ''}${res.stderr ?? ''}${res.error ? String(res.error) : ''}` };
}

/** Compiles the staged package with jsii (warnings are errors: a Python reserved word fails it). */
export function runJsii(dir: string): ToolRun {
  return runTool(dir, require.resolve('jsii/package.json'), 'jsii', ['--fail-on-warnings']);
}

/** Generates the Python bindings' sources into `<dir>/dist/python` (no wheel: that needs PyPI). */
export function runPacmakPython(dir: string): ToolRun {
  return runTool(dir, require.resolve('jsii-pacmak/package.json'), 'jsii-pacmak', ['--code-only', '--targets', 'python', '--outdir', 'dist']);
}
