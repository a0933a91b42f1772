// Every table, re-exported for drizzle-kit and the client.
export * from './reference.ts';
export * from './applications.ts';
export * from './notifications.ts';
export * from './hurries.ts';
export * from './alerts.ts';
export * from './chat.ts';
export * from './wechat-oa.ts';
export * from './sms.ts';
export * from './risks.ts';
