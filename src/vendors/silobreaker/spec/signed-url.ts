/** Spec of the provider function `provider::apiaccess::silobreaker_signed_url`. */
import { defineFunction } from '../../../spec';

export const signedUrlSpec = defineFunction({
  name: 'silobreaker_signed_url',
  summary: 'A Silobreaker API URL signed with an API key and its shared key.',
  description:
    'Returns url with apiKey and the percent-encoded digest appended, exactly as Silobreaker checks it: Base64 HMAC-SHA1, keyed with the shared key, of "<method> <url>" followed by the exact body bytes. The URL is signed as written (give it as it will be sent); POST and PUT bodies are signed byte for byte, so send the very same body. Terraform marks the result sensitive when shared_key is sensitive.',
  parameters: [
    { name: 'method', type: 'string', description: 'HTTP method in capitals, e.g. "GET" or "POST".' },
    { name: 'url', type: 'string', description: 'Absolute URL as sent, query included, without apiKey or digest.' },
    { name: 'api_key', type: 'string', description: 'The API key (Silobreaker "ApiKey").' },
    { name: 'shared_key', type: 'string', description: 'Its shared key (Silobreaker "SharedKey"), e.g. apiaccess_silobreaker_api_key.x.shared_key.' },
    { name: 'body', type: 'string', allowNull: true, description: 'The exact request body, or null (or "") for none.' },
  ],
  returns: 'string',
  docs: {
    hcl: `output "feed_url" {
  value = provider::apiaccess::silobreaker_signed_url(
    "GET",
    "https://api.silobreaker.com/search/documents/Sweden?type=json",
    apiaccess_silobreaker_api_key.feeds.api_key,
    apiaccess_silobreaker_api_key.feeds.shared_key,
    null,
  )
  sensitive = true
}`,
    typescript: `// cdktf has no bindings for provider functions; ApiAccessFunction.call writes the call as an expression.
const feedUrl = ApiAccessFunction.call('silobreaker_signed_url', [
  'GET',
  'https://api.silobreaker.com/search/documents/Sweden?type=json',
  key.apiKey,
  key.sharedKey,
  ApiAccessFunction.NULL,
]);
new TerraformOutput(stack, 'feed_url', { value: feedUrl, sensitive: true });`,
  },
});
