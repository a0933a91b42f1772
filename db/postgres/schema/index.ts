// Every PostgreSQL table, re-exported for drizzle-kit and the client. The tables, columns and indexes are the
// SQLite schema's (db/schema/), checked by tests/integration/postgres-schema.test.ts.
export * from './reference.ts';
export * from './applications.ts';
export * from './notifications.ts';
export * from './hurries.ts';
export * from './alerts.ts';
export * from './chat.ts';
export * from './wechat-oa.ts';
export * from './sms.ts';
export * from './realtime.ts';
export * from './risks.ts';
export * from './limits.ts';
