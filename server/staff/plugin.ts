// The staff module: sign-in and sessions, and which applications a staff member may open.
import fp from 'fastify-plugin';
import type { UnderAttack } from '../services/guess-limits.ts';
import type { Clock } from '../services/clock.ts';
import { createStaffAccess, type StaffAccess } from './staff-access.ts';
import { createStaffAuth, type StaffAuth } from './staff-auth.ts';

export interface StaffModule {
  auth: StaffAuth;
  access: StaffAccess;
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
  onUnderAttack: (notice: UnderAttack) => void;
}

export const staffPlugin = fp<StaffPluginOptions>(
  async (app, options) => {
    const { stores, transact } = app;
    app.decorate('staff', {
      auth: createStaffAuth({ ...options, stores, transact }),
      access: createStaffAccess(stores),
    } satisfies StaffModule);
  },
  { name: 'staff', dependencies: ['stores'] },
);
