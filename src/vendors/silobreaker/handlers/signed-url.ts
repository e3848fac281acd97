/** `provider::apiaccess::silobreaker_signed_url`: the client's pure signer behind the function spec. */
import { functionFromSpec } from '../../../provider/framework/functions';
import { signedUrlSpec } from '../spec/signed-url';

/** Loads the client module (and with it the signer) only when the function is called. */
function loadClient(): typeof import('../client') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../client') as typeof import('../client');
}

/** The function silobreaker_signed_url. */
export const signedUrlFunction = functionFromSpec(signedUrlSpec, (a) =>
  loadClient().signedUrl({
    method: a.method as string,
    url: a.url as string,
    apiKey: a.api_key as string,
    sharedKey: a.shared_key as string,
    body: (a.body as string | null) ?? null,
  }),
);
