/**
 * The Silobreaker vendor module for the registry: its provider part, its sandbox emulator and its
 * specs. Constructs are exported from src/index.ts, the client from ./client.
 */
export { silobreakerProvider as provider } from './provider';
export { createSilobreakerEmulator as emulator } from './emulator';
export * as specs from './spec';
