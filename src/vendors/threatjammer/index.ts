/**
 * The Threat Jammer vendor module for the registry: its provider part, its sandbox emulator and
 * its specs (the client, in ./client, is loaded by the provider when needed).
 */
export { threatJammerProvider as provider } from './provider';
export { createThreatJammerEmulator as emulator } from './emulator';
export * as specs from './spec';
