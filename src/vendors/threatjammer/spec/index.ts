/** Threat Jammer's specs: what the provider, the constructs and the docs are derived from. */
export * from './api-key';
export * from './settings';
export * from './quota-data';
export * from './key-activity-data';
