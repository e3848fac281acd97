/** Spec of Signicat's provider settings (`signicat_<setting>` in the provider block). */
import { defineSettings } from '../../../spec';

/** The production API host. */
export const SIGNICAT_DEFAULT_BASE_URL = 'https://api.signicat.com';

export const signicatSettingsSpec = defineSettings('signicat', {
  base_url: { type: 'string', optional: true, description: `Signicat API host (default ${SIGNICAT_DEFAULT_BASE_URL}).` },
  client_id: { type: 'string', optional: true, description: 'Client ID of the managing API client (needs the api-clients:manage permission).' },
  client_secret: { type: 'string', optional: true, sensitive: true, description: 'Secret of the managing API client.' },
  account_id: { type: 'string', optional: true, description: 'Signicat account ID (a-spge-…) the managed clients live in.' },
});
