/**
 * The Carbon Black Cloud vendor module for the registry: its provider part, its sandbox emulator
 * and its specs (the client, in ./client, is imported where needed).
 */
export { carbonBlackProvider as provider } from './provider';
export { createCarbonBlackEmulator as emulator } from './emulator';
export * as specs from './spec';
