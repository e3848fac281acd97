/**
 * Builders for attributes that several specs declare alike because they state the same fact: the
 * rotation period of a secret, a secret the vendor shows only once, and a list filter on the start
 * of a text. Each returns literal flags, so the spec's Model type still derives the right value types.
 */
import type { AttributeSpec, SpecType } from './types';
import { duration, nonEmptyString } from './validators';

/** The `rotation_period` attribute every secret-bearing resource declares (VENDOR-DONE §4). */
export function rotationPeriod() {
  return {
    type: 'string',
    optional: true,
    local: true,
    description:
      'Rotate the secret once it is older than this duration, e.g. "720h" (hours, minutes, seconds). The plan then replaces it with the reason "rotation due". Unset: never.',
    validators: [duration()],
  } as const satisfies AttributeSpec;
}

/**
 * A secret the vendor returns only when it is made (create or regeneration): computed, sensitive,
 * kept from the prior state on read. `description` says what it is and what import leaves in it;
 * `vendorField` is the vendor's name for it, where that differs.
 */
export function shownOnceSecret(description: string, vendorField?: string) {
  return {
    type: 'string',
    computed: true,
    sensitive: true,
    showOnce: true,
    ...(vendorField === undefined ? {} : { vendorField }),
    description,
  } as const satisfies AttributeSpec;
}

/**
 * What a list data source answers with: one object of `fields` per listed item, computed.
 * `description` says the order and what each field holds.
 */
export function resultList<const F extends { readonly [field: string]: SpecType }>(fields: F, description: string) {
  return { type: ['list', ['object', fields]], computed: true, description } as const satisfies AttributeSpec;
}

/** What a {@link prefixFilter} filters: `items` whose `field` starts with the text, e.g. keys whose name. */
interface PrefixFilterOf {
  /** The listed things, plural (`keys`). */
  readonly items: string;
  /** One of them (`key`). */
  readonly item: string;
  /** The attribute the prefix is matched against (`name`). */
  readonly field: string;
  /** The longest prefix accepted: the vendor's limit for `field`. */
  readonly maxLength: number;
}

/** An optional list-data-source filter: only items whose `field` starts with the given text. Pair it with {@link startingWith}. */
export function prefixFilter(of: PrefixFilterOf) {
  return {
    type: 'string',
    optional: true,
    description: `Only ${of.items} whose ${of.field} starts with this text. Default: every ${of.item}.`,
    validators: [nonEmptyString(of.maxLength)],
  } as const satisfies AttributeSpec;
}

/**
 * What a {@link prefixFilter} lets through: the items whose text starts with `prefix` (null: every
 * item), ordered by that text and then by their ID, the order the list data sources document.
 * `textAndId` gives an item's matched text and its ID.
 */
export function startingWith<T>(items: readonly T[], prefix: string | null, textAndId: (item: T) => readonly [text: string, id: string]): T[] {
  const from = prefix ?? '';
  return items
    .map((item) => ({ item, key: textAndId(item) }))
    .filter(({ key }) => key[0].startsWith(from))
    .sort((a, b) => a.key[0].localeCompare(b.key[0]) || a.key[1].localeCompare(b.key[1]))
    .map(({ item }) => item);
}
