/** The Signicat vendor module: provider part, sandbox emulator, client and constructs. */
export { signicatProvider as provider } from './provider';
export { createSignicatEmulator as emulator } from './emulator';
export { SignicatClient } from './client';
export * from './constructs';
