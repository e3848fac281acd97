/** Maps Signicat's field names in vendor errors to this provider's attribute names. */
import { ApiAccessError } from '../../../core/errors';

const FIELD_TO_ATTRIBUTE: Readonly<Record<string, string>> = {
  name: 'name',
  accessTokenLifetime: 'access_token_lifetime',
  permissions: 'permissions',
  client_id: 'client_id',
};

/** Rethrows `err` with its `field` renamed to the Terraform attribute. */
export function withAttribute(err: unknown): never {
  if (ApiAccessError.isApiAccessError(err) && err.field && FIELD_TO_ATTRIBUTE[err.field]) {
    Object.defineProperty(err, 'field', { value: FIELD_TO_ATTRIBUTE[err.field], enumerable: true });
  }
  throw err;
}
