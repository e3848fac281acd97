/** `apiaccess_signicat_api_client`: an API client with permissions and an access-token lifetime. */
import { APIACCESS_UNAUTHORIZED, ApiAccessError } from '../../../core/errors';
import type { CheckPlanRequest, ObjectValue, ResourceContext, ResourceHandler } from '../../../provider/framework/resource';
import { eachStringMatches, integerBetween, nonEmptyString } from '../../../provider/framework/validators';
import type { SignicatClient } from '../client';
import type { ApiClient } from '../types';
import { withAttribute } from './errors';

/** Shape of a permission: `<product>:<action>`, lowercase. */
export const PERMISSION_PATTERN = /^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$/;

function toState(c: ApiClient): ObjectValue {
  return {
    id: c.id,
    name: c.name,
    permissions: [...c.permissions].sort(),
    access_token_lifetime: c.accessTokenLifetime,
    account_id: c.accountId,
    created_at: c.createdAt,
  };
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : []);

/** The permission catalogue, fetched once per client (one provider process and configuration). */
const catalogues = new WeakMap<SignicatClient, Promise<string[] | null>>();

function catalogueOf(ctx: ResourceContext<SignicatClient>): Promise<string[] | null> {
  let pending = catalogues.get(ctx.client);
  if (!pending) {
    pending = ctx.client.getPermissionCatalogue(ctx.signal);
    catalogues.set(ctx.client, pending);
  }
  return pending;
}

/** A few catalogue entries to show next to `wrong`: the same product's first, then others. */
function suggestions(wrong: readonly string[], allowed: readonly string[]): string[] {
  const products = new Set(wrong.map((p) => p.split(':')[0]));
  const same = allowed.filter((p) => products.has(p.split(':')[0]));
  return [...new Set([...same, ...allowed])].slice(0, 5);
}

/** Handler of apiaccess_signicat_api_client. */
export class ApiClientHandler implements ResourceHandler<SignicatClient> {
  readonly typeName = 'apiaccess_signicat_api_client';
  readonly schema = {
    version: 0,
    description: 'A Signicat API client: a client ID that obtains OAuth 2.0 tokens, with its permissions and token lifetime.',
    attributes: {
      id: { type: 'string', computed: true, description: 'The client ID Signicat generated, e.g. sandbox-round-apple-123.' },
      name: { type: 'string', required: true, description: 'Display name of the client (1-100 characters).', validators: [nonEmptyString(100)] },
      permissions: {
        type: ['set', 'string'],
        optional: true,
        computed: true,
        default: [],
        description: 'Permissions granted to the client, each <product>:<action> (e.g. authentication:read). Defaults to none.',
        validators: [eachStringMatches(PERMISSION_PATTERN, '<product>:<action> in lowercase, e.g. authentication:read')],
      },
      access_token_lifetime: {
        type: 'number',
        optional: true,
        computed: true,
        default: 600,
        description: 'Lifetime of the access tokens this client gets, in seconds (1-3600). Defaults to 600.',
        validators: [integerBetween(1, 3600, 'seconds')],
      },
      account_id: { type: 'string', computed: true, description: 'The Signicat account the client belongs to.' },
      created_at: { type: 'string', computed: true, description: 'When the client was created (RFC 3339).' },
    },
  } as const;

  /**
   * Permissions the plan adds must be in the account's catalogue, so a create never leaves a
   * client without the permissions it was planned with. Skipped when Signicat serves no catalogue
   * or it cannot be read (the vendor's answer to the PUT then says what is wrong).
   */
  async checkPlan(req: CheckPlanRequest, ctx: ResourceContext<SignicatClient>): Promise<void> {
    const held = new Set(strings(req.prior?.permissions));
    const added = strings(req.planned.permissions).filter((p) => typeof p === 'string' && !held.has(p));
    if (added.length === 0) return;
    let allowed: string[] | null;
    try {
      allowed = await catalogueOf(ctx);
    } catch (err) {
      if (ApiAccessError.isApiAccessError(err) && err.code === APIACCESS_UNAUTHORIZED) throw err;
      ctx.logger.debug('signicat: permission catalogue not available; Signicat checks the permissions when they are set', {
        error: err instanceof Error ? err.message : String(err),
      });
      return;
    }
    if (!allowed) return;
    const wrong = added.filter((p) => !allowed.includes(p));
    if (wrong.length === 0) return;
    ctx.diagnostics.error(
      'Unknown Permission',
      `permissions contains ${wrong.map((p) => `"${p}"`).join(', ')}, which the Signicat account does not offer. Allowed are permissions from the account's catalogue, e.g. ${suggestions(wrong, allowed).join(', ')}.`,
      ['permissions'],
    );
  }

  async create(req: { planned: ObjectValue }, ctx: ResourceContext<SignicatClient>): Promise<ObjectValue> {
    const p = req.planned;
    const input = { name: p.name as string, accessTokenLifetime: Number(p.access_token_lifetime) };
    const created = await ctx
      .createOnce(
        `"${input.name}"`,
        (key) => ctx.client.createApiClient(input, ctx.signal, key),
        (c) => c.id,
      )
      .catch(withAttribute);
    const permissions = strings(p.permissions);
    if (permissions.length === 0) return toState(created);
    try {
      return toState(await ctx.client.setPermissions(created.id, permissions, ctx.signal));
    } catch (err) {
      // The client exists: record it (Terraform marks it tainted) and say why.
      const message = err instanceof Error ? err.message : String(err);
      ctx.diagnostics.error('Permissions Not Granted', `API client "${created.id}" was created, but its permissions could not be set: ${message}`, [
        'permissions',
      ]);
      return toState(created);
    }
  }

  async read(req: { state: ObjectValue }, ctx: ResourceContext<SignicatClient>): Promise<ObjectValue | null> {
    const c = await ctx.client.getApiClient(String(req.state.id), ctx.signal);
    return c ? toState(c) : null;
  }

  async update(req: { prior: ObjectValue; planned: ObjectValue }, ctx: ResourceContext<SignicatClient>): Promise<ObjectValue> {
    const { prior, planned } = req;
    const id = String(prior.id);
    let current: ApiClient | null = null;
    const patch: { name?: string; accessTokenLifetime?: number } = {};
    if (planned.name !== prior.name) patch.name = planned.name as string;
    if (Number(planned.access_token_lifetime) !== Number(prior.access_token_lifetime)) patch.accessTokenLifetime = Number(planned.access_token_lifetime);
    if (Object.keys(patch).length > 0) current = await ctx.client.updateApiClient(id, patch, ctx.signal).catch(withAttribute);
    const want = strings(planned.permissions).sort();
    if (want.join('\n') !== strings(prior.permissions).sort().join('\n')) {
      current = await ctx.client.setPermissions(id, want, ctx.signal).catch(withAttribute);
    }
    current ??= await ctx.client.getApiClient(id, ctx.signal);
    if (!current) throw new Error(`API client "${id}" no longer exists`);
    return toState(current);
  }

  async delete(req: { state: ObjectValue }, ctx: ResourceContext<SignicatClient>): Promise<void> {
    await ctx.client.deleteApiClient(String(req.state.id), ctx.signal);
  }

  async importState(req: { id: string }): Promise<ObjectValue> {
    return { id: req.id.trim() };
  }
}
