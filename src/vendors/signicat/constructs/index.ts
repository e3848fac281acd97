export * from './api-client';
export * from './client-secret';
