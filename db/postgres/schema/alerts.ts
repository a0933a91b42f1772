// Time-limit alerts and the weekly digests sent (PostgreSQL; the same tables as db/schema/alerts.ts).
import { pgTable, text, boolean, index, uniqueIndex, primaryKey } from 'drizzle-orm/pg-core';
import { alertLevels } from '../../schema/alerts.ts';
import { ms } from './columns.ts';

export const alerts = pgTable(
  'alerts',
  {
    id: text('id').primaryKey(),
    applicationNo: text('application_no').notNull(),
    stepCode: text('step_code').notNull(),
    occurrence: ms('occurrence').notNull(),
    handlerId: text('handler_id'),
    teamId: text('team_id'),
    level: text('level', { enum: alertLevels }).notNull(),
    dueAt: ms('due_at'),
    raisedAt: ms('raised_at').notNull(),
    live: boolean('live').notNull(),
    notifyAt: ms('notify_at'),
    notifiedAt: ms('notified_at'),
    explanation: text('explanation'),
    explainedAt: ms('explained_at'),
    explainedBy: text('explained_by'),
  },
  (t) => [
    uniqueIndex('alerts_occurrence_idx').on(t.applicationNo, t.stepCode, t.occurrence, t.level),
    index('alerts_handler_idx').on(t.handlerId, t.explainedAt),
    index('alerts_team_idx').on(t.teamId, t.explainedAt),
    index('alerts_raised_idx').on(t.raisedAt),
    index('alerts_notify_idx').on(t.notifiedAt, t.notifyAt),
  ],
);

export const weeklyDigests = pgTable(
  'weekly_digests',
  {
    teamId: text('team_id').notNull(),
    weekStart: text('week_start').notNull(),
    sentAt: ms('sent_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.weekStart] })],
);
