/** The Silobreaker vendor module for the registry: its sandbox emulator (the client, in ./client, is imported where needed). */
export { createSilobreakerEmulator as emulator } from './emulator';
