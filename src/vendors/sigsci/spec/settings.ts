/** Spec of Signal Sciences' provider settings (`sigsci_<setting>` in the provider block). */
import { defineSettings } from '../../../spec';

/** The production host; the API lives below `/api/v0`. */
export const SIGSCI_DEFAULT_BASE_URL = 'https://dashboard.signalsciences.net';

export const sigsciSettingsSpec = defineSettings('sigsci', {
  base_url: {
    type: 'string',
    optional: true,
    description: `Signal Sciences API host, below which /api/v0 lives (default ${SIGSCI_DEFAULT_BASE_URL}).`,
  },
  email: {
    type: 'string',
    optional: true,
    description: 'E-mail of the user the provider acts as (the x-api-user header); its tokens are the ones apiaccess_sigsci_api_token manages.',
  },
  token: { type: 'string', optional: true, sensitive: true, description: 'A personal API access token of that user (the x-api-token header).' },
  corp: { type: 'string', optional: true, description: 'Short name of the corp whose token settings and users are managed, e.g. my-corp.' },
});
