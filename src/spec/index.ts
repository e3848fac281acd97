/** The resource spec module: types, validators and import-ID parsing. */
export * from './types';
export * from './validators';
export * from './import-id';
export * from './function';
