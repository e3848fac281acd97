/**
 * A small vendor for framework and wire tests: one resource type (`apiaccess_fake_widget`) kept in
 * an in-memory store, a handler that records every call, and hooks to make it misbehave.
 */
import { APIACCESS_CONFIG_MISSING, APIACCESS_UNAUTHORIZED, ApiAccessError } from '../../src/core/errors';
import { isUnknown, type CtyValue } from '../../src/provider/framework/cty';
import type { VendorProvider, VendorSettings } from '../../src/provider/framework/provider';
import type {
  CreateRequest,
  DeleteRequest,
  ImportRequest,
  ObjectValue,
  ReadRequest,
  ResourceContext,
  ResourceHandler,
  UpdateRequest,
} from '../../src/provider/framework/resource';
import type { ResourceSchema } from '../../src/provider/framework/schema';
import { eachStringMatches, integerBetween, nonEmptyString } from '../../src/provider/framework/validators';

export const WIDGET = 'apiaccess_fake_widget';
export const SANDBOX_TOKEN = 'sandbox-seed-token-0001';

/** What createClient builds: just the settings it was given. */
export interface FakeClient {
  readonly settings: VendorSettings;
}

export const WIDGET_SCHEMA: ResourceSchema = {
  version: 1,
  description: 'A widget in an in-memory store.',
  attributes: {
    id: { type: 'string', computed: true, description: 'The ID the vendor gave the widget.' },
    name: { type: 'string', required: true, description: 'Name of the widget (1-20 characters).', validators: [nonEmptyString(20)] },
    region: { type: 'string', optional: true, requiresReplace: true, description: 'Region; changing it replaces the widget.' },
    size: {
      type: 'number',
      optional: true,
      computed: true,
      default: 10,
      description: 'Size in units (1-100). Defaults to 10.',
      validators: [integerBetween(1, 100, 'units')],
    },
    tags: {
      type: ['set', 'string'],
      optional: true,
      computed: true,
      description: 'Tags; the vendor picks some when none are configured.',
      validators: [eachStringMatches(/^[a-z]+$/, 'lowercase letters only, e.g. blue')],
    },
    secret: { type: 'string', computed: true, sensitive: true, description: 'A secret the vendor generates at create.' },
    created_at: { type: 'string', computed: true, description: 'When the widget was created.' },
    revision: { type: 'number', computed: true, changesOnUpdate: true, description: 'Bumped by the vendor on every update.' },
  },
};

export type Op = 'create' | 'read' | 'update' | 'delete' | 'import';

export interface Call {
  readonly op: Op;
  readonly req: CreateRequest | ReadRequest | UpdateRequest | DeleteRequest | ImportRequest;
  readonly client: FakeClient;
  readonly signal: AbortSignal;
}

const known = (v: CtyValue | undefined): boolean => v !== undefined && !isUnknown(v);

/** The widget handler: an in-memory vendor. Create omits null attributes (the engine fills them). */
export class FakeWidgetHandler implements ResourceHandler<FakeClient> {
  readonly typeName = WIDGET;
  readonly schema = WIDGET_SCHEMA;
  readonly store = new Map<string, ObjectValue>();
  readonly calls: Call[] = [];
  /** The last raw value create/update/read/import returned, before the engine completed it. */
  lastReturned: ObjectValue | null = null;
  /** Thrown by the named operation. */
  fail: { op: Op; error: unknown } | undefined;
  /** Applied to what create/update store and return (a vendor that normalises values). */
  vendorRewrite: ((state: ObjectValue) => ObjectValue) | undefined;
  /** Called inside create/update before returning (e.g. to wait for a stop). */
  during: ((ctx: ResourceContext<FakeClient>) => Promise<void>) | undefined;
  private next = 0;

  private record(op: Op, req: Call['req'], ctx: ResourceContext<FakeClient>): void {
    this.calls.push({ op, req, client: ctx.client, signal: ctx.signal });
    if (this.fail?.op === op) throw this.fail.error;
  }

  private finish(state: ObjectValue): ObjectValue {
    const out = this.vendorRewrite ? this.vendorRewrite({ ...state }) : state;
    if (typeof out.id === 'string') this.store.set(out.id, { ...out });
    this.lastReturned = out;
    return { ...out };
  }

  async create(req: CreateRequest, ctx: ResourceContext<FakeClient>): Promise<ObjectValue> {
    this.record('create', req, ctx);
    await this.during?.(ctx);
    const p = req.planned;
    const id = `w-${++this.next}`;
    const state: ObjectValue = {
      id,
      name: p.name ?? null,
      size: known(p.size) ? (p.size ?? null) : 10,
      tags: known(p.tags) ? (p.tags ?? null) : ['auto'],
      secret: `s3cr3t-${id}-a1b2c3d4`,
      created_at: '2024-05-01T10:00:00Z',
      revision: 1,
    };
    // A vendor without a region leaves the key out entirely.
    if (p.region !== null && p.region !== undefined) state.region = p.region;
    return this.finish(state);
  }

  async read(req: ReadRequest, ctx: ResourceContext<FakeClient>): Promise<ObjectValue | null> {
    this.record('read', req, ctx);
    const s = this.store.get(String(req.state.id));
    this.lastReturned = s ?? null;
    return s ? { ...s } : null;
  }

  async update(req: UpdateRequest, ctx: ResourceContext<FakeClient>): Promise<ObjectValue> {
    this.record('update', req, ctx);
    await this.during?.(ctx);
    const { prior, planned } = req;
    const state: ObjectValue = { ...prior };
    for (const [k, v] of Object.entries(planned)) if (known(v)) state[k] = v;
    state.revision = Number(prior.revision ?? 0) + 1;
    return this.finish(state);
  }

  async delete(req: DeleteRequest, ctx: ResourceContext<FakeClient>): Promise<void> {
    this.record('delete', req, ctx);
    this.store.delete(String(req.state.id));
  }

  async importState(req: ImportRequest, ctx: ResourceContext<FakeClient>): Promise<ObjectValue> {
    this.record('import', req, ctx);
    this.lastReturned = { id: req.id };
    return { id: req.id };
  }
}

export interface FakeVendor {
  readonly vendor: VendorProvider<FakeClient>;
  readonly handler: FakeWidgetHandler;
  /** Settings of every createClient call, in order. */
  readonly clientSettings: VendorSettings[];
  /** Sandbox URLs sandboxSettings was asked about. */
  readonly sandboxUrls: string[];
  /** Tokens verifyCredentials was asked to check, in order. */
  readonly verified: (string | null)[];
  /** Tokens the fake vendor refuses (verifyCredentials and every handler call then fail). */
  readonly refusedTokens: Set<string>;
}

/** What the fake vendor throws for a refused token: APIACCESS_UNAUTHORIZED naming the setting. */
export function refusedTokenError(): ApiAccessError {
  return new ApiAccessError(APIACCESS_UNAUTHORIZED, 'The fake API refused the token (HTTP 401).', { status: 401, field: 'token' });
}

/** The `fake` vendor: settings endpoint, token (sensitive, needed) and project; sandbox seeds endpoint and token. */
export function makeFakeVendor(): FakeVendor {
  const handler = new FakeWidgetHandler();
  const clientSettings: VendorSettings[] = [];
  const sandboxUrls: string[] = [];
  const verified: (string | null)[] = [];
  const refusedTokens = new Set<string>();
  const vendor: VendorProvider<FakeClient> = {
    name: 'fake',
    credentials: ['token'],
    endpoint: 'endpoint',
    settings: {
      endpoint: { type: 'string', optional: true, description: 'Fake API host.' },
      token: { type: 'string', optional: true, sensitive: true, description: 'Token of the managing account.' },
      project: { type: 'string', optional: true, description: 'Project the widgets live in.' },
    },
    sandboxSettings: (url) => {
      sandboxUrls.push(url);
      return { endpoint: `${url}/fake`, token: SANDBOX_TOKEN };
    },
    createClient: (settings) => {
      clientSettings.push(settings);
      if (!settings.token) throw new ApiAccessError(APIACCESS_CONFIG_MISSING, 'fake_token is not set', { field: 'token' });
      return { settings };
    },
    verifyCredentials: async (client) => {
      verified.push(client.settings.token);
      if (client.settings.token && refusedTokens.has(client.settings.token)) throw refusedTokenError();
    },
    resources: [handler],
  };
  return { vendor, handler, clientSettings, sandboxUrls, verified, refusedTokens };
}

/** A configuration object: every attribute null except those given. */
export function widgetConfig(values: ObjectValue): ObjectValue {
  const out: ObjectValue = {};
  for (const name of Object.keys(WIDGET_SCHEMA.attributes)) out[name] = values[name] ?? null;
  return out;
}

/**
 * Terraform's ProposedNew: config values, except that computed-only attributes, and optional+computed
 * attributes null in config, take the prior value (null at create).
 */
export function proposedNew(prior: ObjectValue | null, config: ObjectValue): ObjectValue {
  const out: ObjectValue = {};
  for (const [name, a] of Object.entries(WIDGET_SCHEMA.attributes)) {
    const c = config[name] ?? null;
    if (a.computed && (!a.optional || c === null)) out[name] = prior ? (prior[name] ?? null) : null;
    else out[name] = c;
  }
  return out;
}
