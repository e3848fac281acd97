/**
 * Public API for cdktf users: the constructs and their props. Everything exported here is compiled
 * by jsii (`npm run jsii`), so it keeps to what jsii can express: classes, interfaces of readonly
 * props, static methods instead of free functions, no subclass of Error.
 */
export { ApiAccessProvider, type ApiAccessProviderProps } from './constructs/provider';
export { ApiAccessProviderMirror } from './constructs/mirror';
export type { ApiAccessVendorSettings } from './constructs/provider-settings.generated';
export * from './constructs/resource';
export * from './constructs/data-source';
export * from './constructs/ephemeral';
export * from './constructs/functions';
export { ApiAccessValidation, type ApiAccessValidationDetails } from './constructs/validation';
export * from './vendors/signicat/constructs';
export * from './vendors/silobreaker/constructs';
export * from './vendors/threatjammer/constructs';
export * from './vendors/carbonblack/constructs';
export * from './vendors/sigsci/constructs';
