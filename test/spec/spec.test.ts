/** The spec module on its own: validators, durations, import IDs, naming and the checks on a spec. */
import { APIACCESS_INVALID_ARGUMENT, ApiAccessError } from '../../src/core/errors';
import {
  assertValidSpec,
  camelCase,
  className,
  configurableNames,
  defineResource,
  duration,
  eachStringMatches,
  firstProblem,
  importIdParts,
  integerBetween,
  maxLength,
  nonEmptyString,
  parseDuration,
  parseImportId,
  type ConfigModel,
  type Model,
} from '../../src/spec';

const never = (): boolean => false;
const marked = (v: unknown): boolean => v === '${token}';

describe('spec validators', () => {
  it('nonEmptyString refuses blank and long strings and accepts the rest', () => {
    const v = nonEmptyString(5, 'a name');
    expect(v('  ', never)).toBe('must not be empty; give it a name of 1 to 5 characters.');
    expect(v('abcdef', never)).toBe('is 6 characters long; at most 5 are allowed.');
    expect(v('abc', never)).toBeUndefined();
    expect(v(3, never)).toBeUndefined();
  });

  it('maxLength refuses only strings over the limit (empty is fine)', () => {
    const v = maxLength(3);
    expect(v('abcd', never)).toBe('is 4 characters long; at most 3 are allowed.');
    expect(v('', never)).toBeUndefined();
    expect(v('abc', never)).toBeUndefined();
    expect(v(12345, never)).toBeUndefined();
  });

  it('integerBetween refuses fractions and out-of-range numbers, including large decimal text from Terraform', () => {
    const v = integerBetween(1, 10, 'seconds');
    expect(v(0, never)).toBe('is 0; it must be a whole number from 1 to 10 seconds.');
    expect(v(1.5, never)).toMatch(/^is 1.5;/);
    expect(v({ text: '99999999999999999999' }, never)).toBe('is 99999999999999999999; it must be a whole number from 1 to 10 seconds.');
    expect(v(10, never)).toBeUndefined();
    expect(integerBetween(1, 2)(3, never)).toBe('is 3; it must be a whole number from 1 to 2.');
  });

  it('eachStringMatches names the first bad entry and skips unresolved ones', () => {
    const v = eachStringMatches(/^[a-z]+$/, 'lowercase letters');
    expect(v(['ok', 'No'], never)).toBe('contains "No", which is not allowed: each entry must have the shape lowercase letters.');
    expect(v(['${token}', 'ok'], marked)).toBeUndefined();
    expect(v('not a list', never)).toBeUndefined();
  });

  it('parseDuration reads hours, minutes and seconds; duration() refuses anything else', () => {
    expect(parseDuration('720h')).toBe(720 * 3600);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('45s')).toBe(45);
    expect(parseDuration('0h')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
    expect(parseDuration('30d')).toBeUndefined();
    expect(duration()('30d', never)).toMatch(/it must be a positive duration .* "720h"/);
    expect(duration()('2h', never)).toBeUndefined();
  });

  it('firstProblem skips null, undefined and unresolved values, and stops at the first problem', () => {
    const vs = [nonEmptyString(3), nonEmptyString(1)];
    expect(firstProblem(vs, undefined, never)).toBeUndefined();
    expect(firstProblem(vs, null, never)).toBeUndefined();
    expect(firstProblem(vs, '${token}', marked)).toBeUndefined();
    expect(firstProblem(vs, 'abcd', never)).toBe('is 4 characters long; at most 3 are allowed.');
    expect(firstProblem(vs, 'ab', never)).toBe('is 2 characters long; at most 1 are allowed.');
    expect(firstProblem(undefined, 'x', never)).toBeUndefined();
  });
});

describe('composite import IDs', () => {
  const spec = { format: '{client_id}/{secret_id}', example: 'c/s' };

  it('parses each part into its attribute', () => {
    expect(importIdParts(spec.format)).toEqual(['client_id', 'secret_id']);
    expect(parseImportId(spec, 'apiaccess_x_y', ' abc/def ')).toEqual({ client_id: 'abc', secret_id: 'def' });
    expect(parseImportId({ format: 'org.{org}:{key}', example: 'org.a:b' }, 't', 'org.ACME:k1')).toEqual({ org: 'ACME', key: 'k1' });
  });

  it.each(['abc', 'abc/', '/def', 'a/b/c', 'a b/c'])('refuses %j with APIACCESS_INVALID_ARGUMENT naming the format', (id) => {
    let err: unknown;
    try {
      parseImportId(spec, 'apiaccess_x_y', id);
    } catch (e) {
      err = e;
    }
    expect(ApiAccessError.isApiAccessError(err) && err.code).toBe(APIACCESS_INVALID_ARGUMENT);
    expect((err as Error).message).toContain('{client_id}/{secret_id}');
  });
});

describe('spec declarations', () => {
  const spec = defineResource({
    typeName: 'apiaccess_demo_thing',
    version: 0,
    description: 'A thing.',
    attributes: {
      id: { type: 'string', computed: true, description: 'ID.' },
      name: { type: 'string', required: true, description: 'Name.' },
      size: { type: 'number', optional: true, computed: true, default: 1, description: 'Size.' },
      tags: { type: ['set', 'string'], optional: true, description: 'Tags.' },
    },
    docs: { hcl: '', typescript: '' },
  });

  it('derives the typed model and the configuration model from the spec', () => {
    const model: Model<typeof spec.attributes> = { id: null, name: 'n', size: 2, tags: null };
    const config: ConfigModel<typeof spec.attributes> = { name: 'n', size: 1, tags: ['a'] };
    expect(model.name).toBe(config.name);
    expect(configurableNames(spec.attributes)).toEqual(['name', 'size', 'tags']);
    expect(spec.kind).toBe('resource');
  });

  it('names follow the type name', () => {
    expect(camelCase('access_token_lifetime')).toBe('accessTokenLifetime');
    expect(className('apiaccess_signicat_api_client')).toBe('SignicatApiClient');
  });

  it.each([
    ['a bad name', { 'Bad-Name': { type: 'string', optional: true, description: '' } }, /must match/],
    ['required with computed', { a: { type: 'string', required: true, computed: true, description: '' } }, /required excludes/],
    ['no mode', { a: { type: 'string', description: '' } }, /one of required/],
    ['a default without computed', { a: { type: 'string', optional: true, default: 'x', description: '' } }, /default needs/],
    ['showOnce on a configurable attribute', { a: { type: 'string', optional: true, showOnce: true, description: '' } }, /showOnce/],
  ] as const)('refuses %s', (_what, attributes, message) => {
    expect(() => assertValidSpec('t', attributes)).toThrow(message);
  });
});
