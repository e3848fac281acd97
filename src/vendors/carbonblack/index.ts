/** The Carbon Black Cloud vendor module for the registry: its sandbox emulator (the client, in ./client, is imported where needed). */
export { createCarbonBlackEmulator as emulator } from './emulator';
