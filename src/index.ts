/** Public API for cdktf users: the constructs and their props. */
export * from './constructs/provider';
export * from './constructs/resource';
export * from './constructs/data-source';
export * from './constructs/ephemeral';
export * from './constructs/functions';
export { ApiAccessValidationError } from './constructs/validation';
export * from './vendors/signicat/constructs';
export * from './vendors/silobreaker/constructs';
export * from './vendors/threatjammer/constructs';
export * from './vendors/carbonblack/constructs';
export * from './vendors/sigsci/constructs';
