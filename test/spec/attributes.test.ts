/** The shared attribute builders: the flags they set and the filter they pair with. */
import { defineDataSource, defineResource, firstProblem, type Model, prefixFilter, resultList, shownOnceSecret, startingWith } from '../../src/spec';

const never = (): boolean => false;

describe('shared attribute builders', () => {
  it('shownOnceSecret is a computed, sensitive, show-once string, with the vendor field only when given', () => {
    expect(shownOnceSecret('The secret.', 'secret')).toEqual({
      type: 'string',
      computed: true,
      sensitive: true,
      showOnce: true,
      vendorField: 'secret',
      description: 'The secret.',
    });
    expect('vendorField' in shownOnceSecret('The token.')).toBe(false);
    const spec = defineResource({
      typeName: 'apiaccess_demo_key',
      version: 0,
      description: 'A key.',
      attributes: { id: { type: 'string', computed: true, description: 'ID.' }, value: shownOnceSecret('The value.') },
      docs: { hcl: '', typescript: '' },
    });
    const model: Model<typeof spec.attributes> = { id: 'k', value: null };
    expect(model.value).toBeNull();
    expect(spec.attributes.value.showOnce).toBe(true);
  });

  it('prefixFilter says what it filters and refuses an empty or too long prefix', () => {
    const filter = prefixFilter({ items: 'keys', item: 'key', field: 'name', maxLength: 5 });
    expect(filter.description).toBe('Only keys whose name starts with this text. Default: every key.');
    expect(filter.optional).toBe(true);
    expect(firstProblem(filter.validators, ' ', never)).toMatch(/must not be empty/);
    expect(firstProblem(filter.validators, 'abcdef', never)).toBe('is 6 characters long; at most 5 are allowed.');
    expect(firstProblem(filter.validators, 'abc', never)).toBeUndefined();
    expect(() =>
      defineDataSource({ typeName: 'apiaccess_demo_keys', description: 'Keys.', attributes: { name_prefix: filter }, docs: { hcl: '', typescript: '' } }),
    ).not.toThrow();
  });

  it('resultList is a computed list of objects whose model is an array of those objects', () => {
    const spec = defineDataSource({
      typeName: 'apiaccess_demo_keys',
      description: 'Keys.',
      attributes: { keys: resultList({ id: 'string', tags: ['list', 'string'] }, 'The keys.') },
      docs: { hcl: '', typescript: '' },
    });
    expect(spec.attributes.keys).toEqual({ type: ['list', ['object', { id: 'string', tags: ['list', 'string'] }]], computed: true, description: 'The keys.' });
    const model: Model<typeof spec.attributes> = { keys: [{ id: 'k', tags: ['a'] }] };
    expect(model.keys?.[0]?.tags).toEqual(['a']);
  });

  it('startingWith keeps the items whose text starts with the prefix, ordered by text then ID; null keeps all', () => {
    const items = [
      { name: 'ci-b', id: '2' },
      { name: 'ops', id: '9' },
      { name: 'ci-a', id: '5' },
      { name: 'ci-a', id: '1' },
    ];
    const ids = (prefix: string | null): string[] => startingWith(items, prefix, (i) => [i.name, i.id]).map((i) => i.id);
    expect(ids('ci-')).toEqual(['1', '5', '2']);
    expect(ids(null)).toEqual(['1', '5', '2', '9']);
    expect(ids('none')).toEqual([]);
    expect(items.map((i) => i.id)).toEqual(['2', '9', '5', '1']);
  });
});
