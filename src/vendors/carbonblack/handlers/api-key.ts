/**
 * `apiaccess_carbonblack_api_key`: the vendor calls. Carbon Black shows the secret once (create,
 * regenerate); the framework keeps it from prior state (`showOnce`). Rotation regenerates the
 * secret in place (spec `rotation.inPlace` → `regenerate`).
 *
 * Console regeneration: Carbon Black never shows a secret again, so the provider cannot compare
 * secrets. It reads the key's `update_time` instead: a change at Carbon Black after the one
 * Terraform recorded, with every field as Terraform left it, is what "Generate New Credentials"
 * does. `refine` then sets `secret_issued_at` to null, and the plan regenerates the secret in
 * place with the warning "Secret Regenerated Outside Terraform" (a console edit that also changed a
 * field shows as that field's drift instead).
 *
 * Refresh: one `GET …/api_keys` per provider process serves every read (the framework's `list`);
 * a key missing from it is confirmed with `GET …/api_keys/{id}` before it is reported gone.
 */
import type { Diagnostics } from '../../../core/diagnostics';
import type { ModifyPlanRequest } from '../../../provider/framework/resource';
import { planRegeneration, resourceFromSpec, type ReadModel } from '../../../provider/framework/spec-resource';
import type { Model } from '../../../spec';
import type { CarbonBlackClient } from '../client';
import { apiKeySpec } from '../spec/api-key';
import type { ApiKey, ApiKeyWithSecret, UpdateApiKeyInput } from '../types';

type Attrs = typeof apiKeySpec.attributes;
type State = ReadModel<Attrs>;

const sorted = (ips: readonly string[]): string[] => [...ips].sort();

function toState(k: ApiKey, secretIssuedAt: string | null): State {
  return {
    id: k.api_id,
    name: k.name,
    description: k.description,
    access_level: k.access_level_type,
    custom_access_level_id: k.custom_access_level_id,
    allowed_ip_addresses: sorted(k.allowed_ip_addresses),
    api_id: k.api_id,
    secret_issued_at: secretIssuedAt,
    created: k.create_time,
    updated: k.update_time,
  };
}

/** The state after Carbon Black issued a secret: the secret, the header value and when. */
function withSecret(k: ApiKeyWithSecret): State {
  return { ...toState(k, k.update_time), api_secret_key: k.api_secret_key, x_auth_token: `${k.api_secret_key}/${k.api_id}` };
}

/** True when the key's fields are what state holds (so a newer update_time was a regeneration). */
function sameFields(k: State, s: Model<Attrs>): boolean {
  return (
    k.name === s.name &&
    k.description === s.description &&
    k.access_level === s.access_level &&
    (k.custom_access_level_id ?? null) === (s.custom_access_level_id ?? null) &&
    JSON.stringify(sorted(k.allowed_ip_addresses ?? [])) === JSON.stringify(sorted(s.allowed_ip_addresses ?? []))
  );
}

/** Plans a regeneration when read found the stored secret stale, with the reason. */
function planStaleSecret(req: ModifyPlanRequest, diags: Diagnostics): void {
  const prior = req.prior;
  if (!prior || typeof prior.api_secret_key !== 'string' || prior.secret_issued_at !== null) return;
  planRegeneration(apiKeySpec, req.planned);
  diags.warning(
    'Secret Regenerated Outside Terraform',
    `The api_secret_key (and x_auth_token) in state for ${apiKeySpec.typeName} "${String(prior.id)}" is no longer Carbon Black's: the key was given new credentials outside Terraform (Carbon Black changed it at ${String(prior.updated)} with every field as Terraform left it, which is what the console's "Generate New Credentials" does), so the stored secret is stale. The plan regenerates the secret in place so state holds one that works; the secret made in the console stops working.`,
    ['api_secret_key'],
  );
}

/** Handler of apiaccess_carbonblack_api_key. */
export const apiKeyHandler = resourceFromSpec<CarbonBlackClient, Attrs>(apiKeySpec, {
  async create(config, ctx) {
    const input = {
      name: config.name,
      description: config.description,
      access_level_type: config.access_level as ApiKey['access_level_type'],
      custom_access_level_id: config.custom_access_level_id ?? null,
      allowed_ip_addresses: sorted(config.allowed_ip_addresses),
    };
    const k = await ctx.createOnce(
      `"${input.name}"`,
      (key) => ctx.client.createApiKey(input, ctx.signal, key),
      (x) => x.api_id,
    );
    return withSecret(k);
  },

  async list(_state, ctx) {
    return (await ctx.client.listApiKeys(ctx.signal)).map((k) => toState(k, null));
  },

  async read(state, ctx) {
    const k = await ctx.client.getApiKey(state.id!, ctx.signal);
    return k ? toState(k, null) : null;
  },

  refine(current, state) {
    const regeneratedElsewhere =
      state.api_secret_key !== null && typeof state.updated === 'string' && current.updated !== state.updated && sameFields(current, state);
    return { ...current, secret_issued_at: regeneratedElsewhere ? null : state.secret_issued_at };
  },

  async update(state, patch, ctx) {
    const input: { -readonly [K in keyof UpdateApiKeyInput]: UpdateApiKeyInput[K] } = {};
    if (patch.name !== undefined) input.name = patch.name;
    if (patch.description !== undefined) input.description = patch.description;
    if (patch.access_level !== undefined) input.access_level_type = patch.access_level as ApiKey['access_level_type'];
    if (patch.custom_access_level_id !== undefined) input.custom_access_level_id = patch.custom_access_level_id;
    if (patch.allowed_ip_addresses !== undefined) input.allowed_ip_addresses = sorted(patch.allowed_ip_addresses);
    return toState(await ctx.client.updateApiKey(state.id!, input, ctx.signal), state.secret_issued_at);
  },

  async regenerate(state, ctx) {
    return withSecret(await ctx.client.regenerateApiKey(state.id!, ctx.signal));
  },

  async delete(state, ctx) {
    await ctx.client.deleteApiKey(state.id!, ctx.signal);
  },

  modifyPlan: planStaleSecret,
});
