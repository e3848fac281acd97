#!/usr/bin/env node
/**
 * Build step (`npm run build`, after tsc): writes the `apiaccess/cdktn` entry point, the same
 * constructs for a CDK Terrain (cdktn) app, from what tsc emitted, so no source exists twice.
 *
 * From `lib/index.js` it follows every relative `require` / `import` of the emitted `.js` and
 * `.d.ts` files. A module that imports `cdktf`, or imports such a module, is host-bound: it is
 * copied to `lib/cdktn/<same path>` with the module specifier `cdktf` rewritten to `cdktn`. Every
 * other module (specs, core, settings) is host-neutral and stays shared: the copies' relative
 * specifiers to it are rewritten to point back into `lib/`. Nothing else in a file changes, so
 * the copies line up with the originals' source maps. The step refuses what it cannot rewrite
 * safely (a `cdktf/...` deep import, a `require` of a non-literal) and checks its own output.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** What to rewrite: the host package the sources import, and its stand-in. */
export interface HostEntryOptions {
  /** The compiled output folder (`lib/`). */
  readonly lib: string;
  /** The module the sources import. @default 'cdktf' */
  readonly from?: string;
  /** The module the copies import instead; also the folder below `lib` they are written to. @default 'cdktn' */
  readonly to?: string;
  /** The entry module below `lib`, without extension. @default 'index' */
  readonly entry?: string;
}

/** Any module specifier in emitted JS or declarations: require('x'), from 'x', import('x'), import 'x'. */
const SPECIFIER = /(\brequire\s*\(\s*|\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)(['"])([^'"\n]+)\2/gm;

/** The emitted files of one module (`lib/a/b` → `lib/a/b.js`, `lib/a/b.d.ts`). */
function moduleFiles(base: string): string[] {
  return [`${base}.js`, `${base}.d.ts`].filter((f) => existsSync(f));
}

/** The module a relative specifier names, as a path without extension (`./x` → `<dir>/x` or `<dir>/x/index`). */
function resolveRelative(fromFile: string, spec: string): string {
  const target = resolve(dirname(fromFile), spec);
  if (existsSync(`${target}.js`) || existsSync(`${target}.d.ts`)) return target;
  if (existsSync(join(target, 'index.js')) || existsSync(join(target, 'index.d.ts'))) return join(target, 'index');
  throw new Error(`cdktn-entry: ${fromFile} imports "${spec}", which is not an emitted module`);
}

/** The specifiers of one file, after checking that every require() has a literal one. */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(SPECIFIER)].map((m) => m[3]);
  const requires = (text.match(/\brequire\s*\(/g) ?? []).length;
  const literal = [...text.matchAll(SPECIFIER)].filter((m) => m[1].startsWith('require')).length;
  if (requires !== literal) throw new Error(`cdktn-entry: ${file} has a require() whose module is not a string literal; cannot rewrite it`);
  return specs;
}

/**
 * Writes `<lib>/<to>/**`: the host-bound closure of `<lib>/<entry>` with `from` rewritten to `to`.
 * Returns the copied modules (paths below `lib`, without extension), sorted.
 */
export function writeHostEntry(options: HostEntryOptions): string[] {
  const lib = resolve(options.lib);
  const from = options.from ?? 'cdktf';
  const to = options.to ?? 'cdktn';
  const out = join(lib, to);
  rmSync(out, { recursive: true, force: true });

  // The closure: module → the relative modules it imports, and whether it imports the host directly.
  const imports = new Map<string, { deps: Map<string, string>; direct: boolean }>();
  const queue = [join(lib, options.entry ?? 'index')];
  while (queue.length > 0) {
    const mod = queue.pop()!;
    if (imports.has(mod)) continue;
    const files = moduleFiles(mod);
    if (files.length === 0) throw new Error(`cdktn-entry: ${mod}.js is missing (run tsc first)`);
    const entry = { deps: new Map<string, string>(), direct: false };
    imports.set(mod, entry);
    for (const file of files) {
      for (const spec of specifiers(file)) {
        if (spec === from) entry.direct = true;
        else if (spec.startsWith(`${from}/`)) throw new Error(`cdktn-entry: ${file} imports "${spec}"; only the package root "${from}" can be rewritten`);
        else if (spec.startsWith('.')) {
          const dep = resolveRelative(file, spec);
          entry.deps.set(spec, dep);
          queue.push(dep);
        }
      }
    }
  }

  // Host-bound: imports the host, or a host-bound module (to a fixed point).
  const bound = new Set([...imports].filter(([, e]) => e.direct).map(([m]) => m));
  for (let grew = true; grew;) {
    grew = false;
    for (const [mod, e] of imports) {
      if (!bound.has(mod) && [...e.deps.values()].some((d) => bound.has(d))) {
        bound.add(mod);
        grew = true;
      }
    }
  }
  const entryModule = join(lib, options.entry ?? 'index');
  if (!bound.has(entryModule)) throw new Error(`cdktn-entry: ${entryModule} does not import "${from}"; nothing to rewrite`);

  for (const mod of bound) {
    const copy = join(out, relative(lib, mod));
    mkdirSync(dirname(copy), { recursive: true });
    const deps = imports.get(mod)!.deps;
    for (const file of moduleFiles(mod)) {
      const suffix = file.slice(mod.length);
      const text = readFileSync(file, 'utf8')
        .replace(SPECIFIER, (whole, lead: string, q: string, spec: string) => {
          if (spec === from) return `${lead}${q}${to}${q}`;
          const dep = deps.get(spec);
          if (dep === undefined || bound.has(dep)) return whole;
          // A shared module: point back at the original, keeping the specifier's own form.
          return `${lead}${q}${posix(relative(dirname(copy), resolve(dirname(file), spec)))}${q}`;
        })
        .replace(/^\/\/# sourceMappingURL=(.+)$/m, (_, map: string) => `//# sourceMappingURL=${posix(relative(dirname(copy), join(dirname(file), map)))}`);
      writeFileSync(copy + suffix, text);
    }
  }
  checkOutput(
    out,
    from,
    [...bound].map((m) => join(out, relative(lib, m))),
  );
  return [...bound].map((m) => relative(lib, m).split(sep).join('/')).sort();
}

/** A relative specifier with forward slashes and a leading `./` or `../`. */
function posix(p: string): string {
  const s = p.split(sep).join('/');
  return s.startsWith('.') ? s : `./${s}`;
}

/** Every copy imports `to`, never `from`, and each relative specifier names a module that exists. */
function checkOutput(out: string, from: string, copies: readonly string[]): void {
  for (const mod of copies) {
    for (const file of moduleFiles(mod)) {
      for (const spec of specifiers(file)) {
        if (spec === from) throw new Error(`cdktn-entry: ${file} still imports "${from}"`);
        if (spec.startsWith('.')) resolveRelative(file, spec);
      }
    }
  }
  if (!existsSync(join(out, 'index.js'))) throw new Error(`cdktn-entry: ${out}/index.js was not written`);
}

if (require.main === module) {
  const copied = writeHostEntry({ lib: resolve(__dirname, '..') });
  process.stdout.write(`cdktn-entry: lib/cdktn/ holds ${copied.length} host-bound modules with cdktf → cdktn\n`);
}
