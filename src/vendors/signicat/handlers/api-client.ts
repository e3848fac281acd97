/** `apiaccess_signicat_api_client`: the vendor calls. Schema, validation and diffing follow from {@link apiClientSpec}. */
import { APIACCESS_UNAUTHORIZED, ApiAccessError } from '../../../core/errors';
import type { ResourceContext } from '../../../provider/framework/resource';
import { resourceFromSpec, type ReadModel } from '../../../provider/framework/spec-resource';
import type { SignicatClient } from '../client';
import { apiClientSpec } from '../spec/api-client';
import type { ApiClient } from '../types';

type State = ReadModel<typeof apiClientSpec.attributes>;

function toState(c: ApiClient): State {
  const { id, name, accountId, accessTokenLifetime, createdAt } = c;
  return { id, name, permissions: [...c.permissions], access_token_lifetime: accessTokenLifetime, account_id: accountId, created_at: createdAt };
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
export const apiClientHandler = resourceFromSpec<SignicatClient, typeof apiClientSpec.attributes>(apiClientSpec, {
  async create(config, ctx) {
    const input = { name: config.name, accessTokenLifetime: config.access_token_lifetime };
    const created = await ctx.createOnce(
      `"${input.name}"`,
      (key) => ctx.client.createApiClient(input, ctx.signal, key),
      (c) => c.id,
    );
    if (config.permissions.length === 0) return toState(created);
    try {
      return toState(await ctx.client.setPermissions(created.id, config.permissions, ctx.signal));
    } catch (err) {
      // The client exists: record it (Terraform marks it tainted) and say why.
      const message = err instanceof Error ? err.message : String(err);
      ctx.diagnostics.error('Permissions Not Granted', `API client "${created.id}" was created, but its permissions could not be set: ${message}`, [
        'permissions',
      ]);
      return toState(created);
    }
  },

  /**
   * Permissions the plan adds must be in the account's catalogue, so a create never leaves a
   * client without the permissions it was planned with. Skipped when Signicat serves no catalogue
   * or it cannot be read (the vendor's answer to the PUT then says what is wrong).
   */
  async checkPlan(req, ctx) {
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
  },

  async read(state, ctx) {
    const c = await ctx.client.getApiClient(state.id!, ctx.signal);
    return c ? toState(c) : null;
  },

  async list(_state, ctx) {
    return (await ctx.client.listApiClients(ctx.signal)).map(toState);
  },

  async update(state, patch, ctx) {
    const id = state.id!;
    let current: ApiClient | null = null;
    if (patch.name !== undefined || patch.access_token_lifetime !== undefined) {
      current = await ctx.client.updateApiClient(id, { name: patch.name, accessTokenLifetime: patch.access_token_lifetime }, ctx.signal);
    }
    if (patch.permissions !== undefined) current = await ctx.client.setPermissions(id, [...patch.permissions].sort(), ctx.signal);
    current ??= await ctx.client.getApiClient(id, ctx.signal);
    if (!current) throw new Error(`API client "${id}" no longer exists`);
    return toState(current);
  },

  async delete(state, ctx) {
    await ctx.client.deleteApiClient(state.id!, ctx.signal);
  },
});
