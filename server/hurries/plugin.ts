// The hurries module (催办, 督办): customers' presses, the staff queue's acknowledgements and answers, and the
// escalation of requests nobody acknowledged, which runs on the time-limits sweeper.
import fp from 'fastify-plugin';
import type { WorkingHours } from '../domain/working-time.ts';
import type { RealtimeHub } from '../realtime/hub.ts';
import type { ServiceContext } from '../shared/context.ts';
import type { NoticeWriter } from '../notices/writer.ts';
import { createHurryService, type HurryService } from './hurries.ts';

declare module 'fastify' {
  interface FastifyInstance {
    hurries: HurryService;
  }
}

export interface HurriesPluginOptions {
  ctx: ServiceContext;
  hub: RealtimeHub;
  notices: NoticeWriter;
  workingHours: WorkingHours;
  /** HURRY_COOLDOWN_HOURS */
  cooldownHours: number;
  wakeDispatcher: () => void;
}

export const hurriesPlugin = fp<HurriesPluginOptions>(
  async (app, options) => {
    const { stores, transact } = app;
    const hurries = createHurryService({ ...options, stores, transact, risks: app.risks.items, log: app.log });
    app.timeLimits.sweeper.add({ name: 'hurry escalation', run: () => hurries.escalateDue() });
    app.decorate('hurries', hurries);
  },
  { name: 'hurries', dependencies: ['stores', 'staff', 'time-limits', 'risks'] },
);
