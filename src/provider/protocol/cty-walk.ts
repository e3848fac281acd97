/**
 * The one walk over a cty type that every DynamicValue codec shares: msgpack decode, msgpack
 * encode and JSON decode differ only in how a node of their tree looks, which a {@link TreeCodec}
 * describes. The type always leads; the shape of a node is never used to guess its type.
 */
import { CtyPathError, ctyEqual, ctyTypeName, containsUnknown, formatKeyStep, hasOwn, setOwn, type CtyType, type CtyValue } from '../framework/cty';

/** What a walk does with object attributes the type does not declare, and with absent ones. */
interface ObjectPolicy {
  /** `fail`: an error naming the attribute; `drop`: skip it (stored state of an older schema). */
  readonly extra: 'fail' | 'drop';
  /** `fail`: an error naming the attribute; `null`: the attribute is null (go-cty's JSON reading). */
  readonly missing: 'fail' | 'null';
  /** Appended to the error messages, e.g. how to fix the value. */
  readonly extraHint?: string;
  readonly missingHint?: string;
}

/**
 * How one encoding's tree looks: `I` is a node of the tree the walk reads, `O` one of the tree it
 * builds. Each reader returns undefined when the node is not of that kind (the walk then reports
 * "<kind> is required, got <describe(node)>"), or throws a CtyPathError of its own.
 */
export interface TreeCodec<I, O> {
  /** The output for a null or unknown node (these fit every type), else undefined. */
  leaf(node: I): O | undefined;
  describe(node: I): string;
  string(node: I, path: string): O | undefined;
  bool(node: I, path: string): O | undefined;
  number(node: I, path: string): O | undefined;
  /** The concrete type and inner node of a dynamic value. */
  dynamic(node: I, path: string): { type: CtyType; value: I } | undefined;
  /** What "dynamic" is required to look like, for the mismatch message. */
  readonly dynamicShape: string;
  wrapDynamic(type: CtyType, value: O): O;
  elements(node: I): readonly I[] | undefined;
  /** The entries of a map or object node, in the order the output should have them. */
  entries(node: I, path: string): Iterable<readonly [string, I]> | undefined;
  record(entries: readonly (readonly [string, O])[]): O;
  list(items: O[]): O;
  /** Set semantics (equal elements collapse): on the nodes read, or on the values built. */
  readonly dedupe: 'input' | 'output';
  readonly objects: ObjectPolicy;
}

/**
 * How a decoder (a walk whose output is cty values) builds its records and lists: plain objects
 * where any key, "__proto__" included, is just a key; sets collapse on the values built.
 */
export const CTY_OUTPUT: Pick<TreeCodec<unknown, CtyValue>, 'record' | 'list' | 'dedupe'> = {
  record: (entries) => {
    const out: { [key: string]: CtyValue } = {};
    for (const [k, v] of entries) setOwn(out, k, v);
    return out;
  },
  list: (items) => items,
  dedupe: 'output',
};

/** Walks `node` of `type` with `codec`; errors carry the attribute path ('' is the root). */
export function walkType<I, O>(codec: TreeCodec<I, O>, type: CtyType, node: I, path: string): O {
  const leaf = codec.leaf(node);
  if (leaf !== undefined) return leaf;
  const wrong = (what: string): never => mismatch(path, what, codec.describe(node));
  if (typeof type === 'string') {
    switch (type) {
      case 'string':
        return codec.string(node, path) ?? wrong('string');
      case 'bool':
        return codec.bool(node, path) ?? wrong('bool');
      case 'number':
        return codec.number(node, path) ?? wrong('number');
      case 'dynamic': {
        const d = codec.dynamic(node, path) ?? wrong(codec.dynamicShape);
        return codec.wrapDynamic(d.type, walkType(codec, d.type, d.value, path));
      }
    }
  }
  switch (type[0]) {
    case 'list':
    case 'set': {
      const et = type[1];
      let elems = codec.elements(node) ?? wrong(type[0]);
      const set = type[0] === 'set';
      if (set && codec.dedupe === 'input') elems = dedupeSet(et, elems as readonly CtyValue[]) as I[];
      let items = elems.map((e, i) => walkType(codec, et, e, `${path}[${i}]`));
      if (set && codec.dedupe === 'output') items = dedupeSet(et, items as CtyValue[]) as O[];
      return codec.list(items);
    }
    case 'tuple': {
      const ets = type[1];
      const elems = codec.elements(node) ?? wrong(`tuple of ${ets.length}`);
      if (elems.length !== ets.length) throw new CtyPathError(path, `a tuple of length ${ets.length} is required, got ${elems.length} elements`);
      return codec.list(ets.map((et, i) => walkType(codec, et, elems[i], `${path}[${i}]`)));
    }
    case 'map': {
      const et = type[1];
      const entries = codec.entries(node, path) ?? wrong(ctyTypeName(type));
      const out: [string, O][] = [];
      for (const [k, v] of entries) out.push([k, walkType(codec, et, v, `${path}[${JSON.stringify(k)}]`)]);
      return codec.record(out);
    }
    case 'object':
      return walkObject(codec, type[1], codec.entries(node, path) ?? wrong('object'), path);
  }
  throw new CtyPathError(path, `unsupported type ${JSON.stringify(type)}`);
}

function walkObject<I, O>(codec: TreeCodec<I, O>, attrs: { readonly [name: string]: CtyType }, entries: Iterable<readonly [string, I]>, path: string): O {
  const policy = codec.objects;
  const out: [string, O][] = [];
  for (const [k, v] of entries) {
    if (!hasOwn(attrs, k)) {
      if (policy.extra === 'drop') continue;
      throw new CtyPathError(path + formatKeyStep(k), `unsupported attribute${policy.extraHint ?? ''}`);
    }
    out.push([k, walkType(codec, attrs[k], v, path + formatKeyStep(k))]);
  }
  // Entry keys are distinct, so as many entries as attributes means none is missing.
  const names = Object.keys(attrs);
  if (out.length < names.length) {
    const seen = new Set(out.map(([k]) => k));
    for (const k of names) {
      if (seen.has(k)) continue;
      if (policy.missing === 'fail') throw new CtyPathError(path + formatKeyStep(k), `attribute is missing${policy.missingHint ?? ''}`);
      // Only decoders read absent attributes as null, and their output null is the cty null.
      out.push([k, null as O]);
    }
  }
  return codec.record(out);
}

/** The error for a node of the wrong kind. */
function mismatch(path: string, what: string, got: string): never {
  throw new CtyPathError(path, `${what} is required, got ${got}`);
}

/** Set semantics: equal elements collapse; elements with unknowns are never equal (as in cty). */
function dedupeSet(et: CtyType, items: readonly CtyValue[]): CtyValue[] {
  const out: CtyValue[] = [];
  for (const item of items) {
    const dup = !containsUnknown(item) && out.some((o) => !containsUnknown(o) && ctyEqual(et, o, item));
    if (!dup) out.push(item);
  }
  return out;
}
