/**
 * The Signicat vendor module for the registry: its provider part and its sandbox emulator.
 * Constructs are exported from src/index.ts, clients from ./client (kept out of here so the
 * provider binary does not load cdktf at startup).
 */
export { signicatProvider as provider } from './provider';
export { createSignicatEmulator as emulator } from './emulator';
export * as specs from './spec';
