/** The resource spec module: types, validators, attribute builders and import-ID parsing. */
export * from './types';
export * from './validators';
export * from './attributes';
export * from './import-id';
export * from './function';
