/** Signal Sciences' specs: what the provider, the constructs and the docs are derived from. */
export * from './settings';
export * from './api-token';
export * from './token-settings';
export * from './user-token-access';
export * from './api-tokens-data';
export * from './corp-users-data';
