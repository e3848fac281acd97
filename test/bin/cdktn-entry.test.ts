/** Issue 13: the build step that writes `lib/cdktn/` from tsc's output, on a small emitted tree of its own. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeHostEntry } from '../../src/bin/cdktn-entry';

describe('issue 13: the apiaccess/cdktn build step', () => {
  let lib: string;
  const write = (files: Record<string, string>) => {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(lib, name)), { recursive: true });
      writeFileSync(join(lib, name), text);
    }
  };
  beforeEach(() => {
    lib = mkdtempSync(join(tmpdir(), 'apiaccess-cdktn-entry-'));
    write({
      'index.js': 'const a = require("./constructs/res");\nconst s = require("./spec/shared");\n//# sourceMappingURL=index.js.map\n',
      'index.d.ts': "export * from './constructs/res';\nexport { Shared } from './spec/shared';\n",
      'constructs/res.js':
        'const cdktf_1 = require("cdktf");\nconst shared = require("../spec/shared");\nconst lazy = () => require(\'../spec/lazy\');\n//# sourceMappingURL=res.js.map\n',
      'constructs/res.d.ts':
        "import { TerraformResource } from 'cdktf';\nimport type { Shared } from '../spec/shared';\nexport declare const x: import('../spec/lazy').Lazy;\n",
      'spec/shared.js': 'exports.Shared = 1;\n',
      'spec/shared.d.ts': 'export declare const Shared = 1;\n',
      'spec/lazy.js': 'exports.Lazy = 1;\n',
      'spec/lazy.d.ts': 'export type Lazy = number;\n',
      'bin/tool.js': 'require("cdktf");\n',
    });
  });
  afterEach(() => rmSync(lib, { recursive: true, force: true }));

  it('copies only the host-bound closure of the entry, rewrites cdktf to cdktn, and points shared modules back into lib', () => {
    expect(writeHostEntry({ lib })).toEqual(['constructs/res', 'index']);
    expect(readFileSync(join(lib, 'cdktn', 'constructs', 'res.js'), 'utf8')).toBe(
      'const cdktf_1 = require("cdktn");\nconst shared = require("../../spec/shared");\nconst lazy = () => require(\'../../spec/lazy\');\n//# sourceMappingURL=../../constructs/res.js.map\n',
    );
    expect(readFileSync(join(lib, 'cdktn', 'constructs', 'res.d.ts'), 'utf8')).toBe(
      "import { TerraformResource } from 'cdktn';\nimport type { Shared } from '../../spec/shared';\nexport declare const x: import('../../spec/lazy').Lazy;\n",
    );
    // The entry keeps its specifier to the host-bound copy beside it, and points at the shared spec.
    expect(readFileSync(join(lib, 'cdktn', 'index.d.ts'), 'utf8')).toBe("export * from './constructs/res';\nexport { Shared } from '../spec/shared';\n");
    expect(existsSync(join(lib, 'cdktn', 'spec'))).toBe(false);
    expect(existsSync(join(lib, 'cdktn', 'bin'))).toBe(false);
    // The originals are untouched, and a second run starts from an empty folder.
    expect(readFileSync(join(lib, 'constructs', 'res.js'), 'utf8')).toContain('require("cdktf")');
    writeFileSync(join(lib, 'cdktn', 'stale.js'), '');
    writeHostEntry({ lib });
    expect(existsSync(join(lib, 'cdktn', 'stale.js'))).toBe(false);
  });

  it('refuses what it cannot rewrite safely, naming the file', () => {
    write({ 'spec/lazy.js': 'exports.Lazy = require(name);\n' });
    expect(() => writeHostEntry({ lib })).toThrow(/spec[/]lazy\.js has a require\(\) whose module is not a string literal/);
    write({ 'spec/lazy.js': 'exports.Lazy = require("cdktf/lib/tokens");\n' });
    expect(() => writeHostEntry({ lib })).toThrow(/spec[/]lazy\.js imports "cdktf\/lib\/tokens"; only the package root "cdktf" can be rewritten/);
    write({ 'spec/lazy.js': 'exports.Lazy = require("./missing");\n' });
    expect(() => writeHostEntry({ lib })).toThrow(/imports "\.\/missing", which is not an emitted module/);
    expect(() => writeHostEntry({ lib, entry: 'spec/shared' })).toThrow(/does not import "cdktf"; nothing to rewrite/);
    expect(() => writeHostEntry({ lib, entry: 'nothing' })).toThrow(/nothing\.js is missing \(run tsc first\)/);
  });
});
