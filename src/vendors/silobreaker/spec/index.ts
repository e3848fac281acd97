/** Silobreaker's specs: what the provider, the constructs and the docs are derived from. */
export * from './settings';
export * from './api-key';
export * from './password';
export * from './api-keys-data';
export * from './signed-url';
