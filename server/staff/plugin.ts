// The staff module: sign-in and sessions, which applications a staff member may open, and the admins' notices of
// accounts and staff ids being guessed at.
import fp from 'fastify-plugin';
import type { Clock } from '../shared/clock.ts';
import type { Metrics } from '../shared/metrics.ts';
import type { RealtimeHub } from '../realtime/hub.ts';
import type { AttemptLog } from '../limits/attempt-log.ts';
import { createSecurityNotices, type SecurityNotices } from './security-notices.ts';
import { createStaffAccess, type StaffAccess } from './staff-access.ts';
import { createStaffAuth, type StaffAuth } from './staff-auth.ts';

export interface StaffModule {
  auth: StaffAuth;
  access: StaffAccess;
  securityNotices: SecurityNotices;
}

declare module 'fastify' {
  interface FastifyInstance {
    staff: StaffModule;
  }
}

export interface StaffPluginOptions {
  secret: string;
  clock: Clock;
  timeZone: string;
  metrics: Metrics;
  hub: RealtimeHub;
  /** where wrong passwords are counted (shared by every instance on one database) */
  attempts: AttemptLog;
}

export const staffPlugin = fp<StaffPluginOptions>(
  async (app, options) => {
    const { stores, transact } = app;
    const securityNotices = createSecurityNotices({ log: app.log, metrics: options.metrics, hub: options.hub, timeZone: options.timeZone });
    app.decorate('staff', {
      auth: createStaffAuth({ secret: options.secret, clock: options.clock, timeZone: options.timeZone, stores, transact, attempts: options.attempts, onUnderAttack: securityNotices.raise }),
      access: createStaffAccess(stores),
      securityNotices,
    } satisfies StaffModule);
  },
  { name: 'staff', dependencies: ['stores'] },
);
