/**
 * `apiaccess_signicat_access_token`: one client-credentials grant per open. `renew_at` is set from
 * `expires_in`; a bearer token cannot be extended, so a renewal only warns that later uses in a
 * long run get an expired token.
 */
import { APIACCESS_OAUTH_ERROR, ApiAccessError } from '../../../core/errors';
import { registerSecret } from '../../../core/redact';
import { ephemeralFromSpec } from '../../../provider/framework/other-types';
import type { SignicatClient } from '../client';
import { accessTokenSpec } from '../spec/access-token';

/** Renew this long before expiry at most (and at most a tenth of the lifetime). */
const RENEW_BEFORE_MS = 60_000;

/** Ephemeral resource apiaccess_signicat_access_token. */
export const accessTokenEphemeral = ephemeralFromSpec<SignicatClient, typeof accessTokenSpec.attributes>(accessTokenSpec, {
  async open(config, ctx) {
    registerSecret(config.client_secret);
    const token = await ctx.client.issueAccessToken(config.client_id, config.client_secret, ctx.signal).catch((err: unknown) => {
      if (ApiAccessError.isApiAccessError(err) && err.code === APIACCESS_OAUTH_ERROR && !err.field) {
        Object.defineProperty(err, 'field', { value: 'client_secret', enumerable: true });
      }
      throw err;
    });
    const expiresAt = new Date(token.expiresAt);
    const lifetime = token.expiresAt - Date.now();
    return {
      result: { access_token: token.accessToken, token_type: 'Bearer', expires_at: expiresAt.toISOString() },
      renewAt: new Date(token.expiresAt - Math.min(RENEW_BEFORE_MS, Math.max(0, lifetime) / 10)),
      private: JSON.stringify({ expiresAt: expiresAt.toISOString() }),
    };
  },

  async renew(req, ctx) {
    const expiresAt = req.private ? (JSON.parse(req.private) as { expiresAt?: string }).expiresAt : undefined;
    ctx.diagnostics.warning(
      'Access Token Not Renewable',
      `The Signicat access token expires at ${expiresAt ?? 'its expiry'} and a bearer token cannot be extended; uses after that in this run fail. Raise the client's access_token_lifetime or shorten the run.`,
    );
    return {};
  },
});
