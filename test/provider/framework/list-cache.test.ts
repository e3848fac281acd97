/**
 * issue 12: batched refresh. One list per provider process serves every read of a type; a miss is
 * confirmed by a direct read (so a list that lacks an object a read still finds does not drop it,
 * and a deleted object is still reported gone); writes drop the snapshot; a failing list falls back
 * to plain reads; snapshots age out.
 */
import { ManualClock } from '../../../src/core/clock';
import { Diagnostics } from '../../../src/core/diagnostics';
import { silentLogger } from '../../../src/core/log';
import { LIST_MAX_AGE_MS } from '../../../src/provider/framework/list-cache';
import type { ObjectValue, ResourceContext } from '../../../src/provider/framework/resource';
import { resourceFromSpec } from '../../../src/provider/framework/spec-resource';
import { defineResource } from '../../../src/spec';

const spec = defineResource({
  typeName: 'apiaccess_demo_item',
  version: 0,
  description: 'An item.',
  attributes: {
    id: { type: 'string', computed: true, description: 'ID.' },
    parent: { type: 'string', required: true, requiresReplace: true, description: 'Parent.' },
    label: { type: 'string', optional: true, description: 'Label.' },
  },
  docs: { hcl: '', typescript: '' },
});

interface Vendor {
  items: Map<string, { id: string; parent: string; label: string | null }>;
  /** Items the list leaves out though they exist (an eventually consistent list). */
  unlisted: Set<string>;
  calls: string[];
  listFails?: boolean;
}

function setup(): {
  vendor: Vendor;
  handler: ReturnType<typeof resourceFromSpec<Vendor, typeof spec.attributes>>;
  ctx: ResourceContext<Vendor>;
  clock: ManualClock;
} {
  const vendor: Vendor = { items: new Map(), unlisted: new Set(), calls: [] };
  for (let i = 0; i < 5; i++) vendor.items.set(`i${i}`, { id: `i${i}`, parent: i < 3 ? 'a' : 'b', label: null });
  const clock = new ManualClock(0);
  const handler = resourceFromSpec<Vendor, typeof spec.attributes>(
    spec,
    {
      async create(config, ctx) {
        ctx.client.calls.push('create');
        const item = { id: `i${ctx.client.items.size}`, parent: config.parent, label: config.label };
        ctx.client.items.set(item.id, item);
        return item;
      },
      async read(state, ctx) {
        ctx.client.calls.push(`get ${state.id}`);
        return ctx.client.items.get(state.id!) ?? null;
      },
      async update(state, patch, ctx) {
        ctx.client.calls.push('update');
        const item = { ...ctx.client.items.get(state.id!)!, label: patch.label ?? null };
        ctx.client.items.set(item.id, item);
        return item;
      },
      async delete(state, ctx) {
        ctx.client.calls.push('delete');
        ctx.client.items.delete(state.id!);
      },
      async list(state, ctx) {
        ctx.client.calls.push(`list ${state.parent}`);
        await new Promise((r) => setImmediate(r));
        if (ctx.client.listFails) throw new Error('403: may read, may not list');
        return [...ctx.client.items.values()].filter((x) => x.parent === state.parent && !ctx.client.unlisted.has(x.id));
      },
      listScope: (state) => state.parent,
    },
    { clock },
  );
  const ctx = {
    client: vendor,
    diagnostics: new Diagnostics(),
    logger: silentLogger,
    signal: new AbortController().signal,
    createOnce: <T>(_what: string, send: (key: string) => Promise<T>) => send('k'),
  } as ResourceContext<Vendor>;
  return { vendor, handler, ctx, clock };
}

const state = (id: string, parent: string): ObjectValue => ({ id, parent, label: null });

describe('issue 12: batched refresh (one list per scope per provider process)', () => {
  it('serves concurrent reads of a scope from one list call (single-flight), one list per scope', async () => {
    const { vendor, handler, ctx } = setup();
    const reads = await Promise.all(['i0', 'i1', 'i2', 'i3', 'i4'].map((id, i) => handler.read({ state: state(id, i < 3 ? 'a' : 'b') }, ctx)));
    expect(reads.map((r) => r?.id)).toEqual(['i0', 'i1', 'i2', 'i3', 'i4']);
    expect(vendor.calls.sort()).toEqual(['list a', 'list b']);
  });

  it('confirms a miss with a direct read: a deleted object is gone, one the list missed is kept', async () => {
    const { vendor, handler, ctx } = setup();
    vendor.items.delete('i1');
    vendor.unlisted.add('i2');
    const [i0, i1, i2] = await Promise.all(['i0', 'i1', 'i2'].map((id) => handler.read({ state: state(id, 'a') }, ctx)));
    expect(i0?.id).toBe('i0');
    expect(i1).toBeNull();
    expect(i2?.id).toBe('i2');
    expect(vendor.calls.sort()).toEqual(['get i1', 'get i2', 'list a']);
  });

  it('a write drops the snapshot: the next read lists again and sees the change', async () => {
    const { vendor, handler, ctx } = setup();
    await handler.read({ state: state('i0', 'a') }, ctx);
    await handler.update({ prior: state('i0', 'a'), planned: { ...state('i0', 'a'), label: 'new' } }, ctx);
    const after = await handler.read({ state: state('i0', 'a') }, ctx);
    expect(after?.label).toBe('new');
    expect(vendor.calls).toEqual(['list a', 'update', 'list a']);
  });

  it('a failing list falls back to plain reads', async () => {
    const { vendor, handler, ctx } = setup();
    vendor.listFails = true;
    const got = await handler.read({ state: state('i0', 'a') }, ctx);
    expect(got?.id).toBe('i0');
    expect(vendor.calls).toEqual(['list a', 'get i0']);
  });

  it('a snapshot older than LIST_MAX_AGE_MS is listed again', async () => {
    const { vendor, handler, ctx, clock } = setup();
    await handler.read({ state: state('i0', 'a') }, ctx);
    await handler.read({ state: state('i1', 'a') }, ctx);
    clock.advance(LIST_MAX_AGE_MS + 1);
    await handler.read({ state: state('i2', 'a') }, ctx);
    expect(vendor.calls).toEqual(['list a', 'list a']);
  });
});
