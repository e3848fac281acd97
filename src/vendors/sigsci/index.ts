/**
 * The Signal Sciences (Fastly Next-Gen WAF) vendor module for the registry: its provider part,
 * its sandbox emulator and its specs (the client, in ./client, is loaded where needed).
 */
export { sigsciProvider as provider } from './provider';
export { createSigSciEmulator as emulator } from './emulator';
export * as specs from './spec';
