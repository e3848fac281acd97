/** The Signal Sciences (Fastly Next-Gen WAF) vendor module for the registry: its sandbox emulator (the client, in ./client, is imported where needed). */
export { createSigSciEmulator as emulator } from './emulator';
