/** Silobreaker's parameters of the shared auth schemes (the schemes themselves are in src/auth). */
import type { CookieSessionPaths } from '../../auth/cookie-session';
import type { HmacDigestScheme } from '../../auth/hmac-digest';

/** The API-key digest: `apiKey=<key>&digest=<digest>`, HMAC-SHA1 as documented. */
export const SILOBREAKER_DIGEST: HmacDigestScheme = { keyParam: 'apiKey', digestParam: 'digest', algorithm: 'sha1' };

/** The forms-authentication session routes. */
export const SILOBREAKER_SESSION_PATHS: CookieSessionPaths = {
  login: '/v1/login',
  logout: '/v1/logout',
  status: '/v1/loginstatus',
  changePassword: '/v1/changepassword',
};
