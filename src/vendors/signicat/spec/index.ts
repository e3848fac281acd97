/** Signicat's specs: what the provider, the constructs and the docs are derived from. */
export * from './api-client';
export * from './client-secret';
export * from './settings';
export * from './api-client-data';
export * from './api-clients-data';
export * from './access-token';
