// Every table, re-exported for drizzle-kit and the client.
export * from './reference.ts';
export * from './applications.ts';
