/** The words for a Threat Jammer key the vendor no longer accepts: name the provider setting, say why it happens. */
import { APIACCESS_UNAUTHORIZED, ApiAccessError } from '../../../core/errors';

/** `err` as the refusal of the provider's key (field `api_key`), or `err` unchanged when it is something else. */
export function keyRefused(err: unknown): unknown {
  if (!ApiAccessError.isApiAccessError(err) || err.code !== APIACCESS_UNAUTHORIZED) return err;
  const said = err.message.replace(/[.\s]+$/, '');
  return new ApiAccessError(
    APIACCESS_UNAUTHORIZED,
    `the provider's key no longer works (${said}). A Threat Jammer user has one key: when it is regenerated (on the Threat Jammer website, or by another run's rotation) ` +
      'the old one stops working at once. Put the current key (from the API keys page, or the value of apiaccess_threatjammer_api_key in state) into threatjammer_api_key ' +
      'or APIACCESS_THREATJAMMER_API_KEY',
    { cause: err, field: 'api_key', status: 401 },
  );
}
