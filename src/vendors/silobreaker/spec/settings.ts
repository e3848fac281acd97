/** Spec of Silobreaker's provider settings (`silobreaker_<setting>` in the provider block). */
import { defineSettings } from '../../../spec';

/** The production API host. */
export const SILOBREAKER_DEFAULT_BASE_URL = 'https://api.silobreaker.com';

export const silobreakerSettingsSpec = defineSettings('silobreaker', {
  base_url: { type: 'string', optional: true, description: `Silobreaker API host (default ${SILOBREAKER_DEFAULT_BASE_URL}).` },
  username: {
    type: 'string',
    optional: true,
    description: 'User name of the cookie session (Silobreaker "Username") that manages API keys and whose password apiaccess_silobreaker_password rotates.',
  },
  password: {
    type: 'string',
    optional: true,
    sensitive: true,
    description: 'Current password of that user (Silobreaker "Password"). After a rotation, feed the new one from the same secret store as password_wo.',
  },
});
