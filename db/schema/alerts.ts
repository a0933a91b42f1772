// Time-limit alerts (超时预警 / 超时警示) and the explanations (情况说明) handlers file for overdue steps.
import { sqliteTable, text, integer, index, uniqueIndex, primaryKey } from 'drizzle-orm/sqlite-core';

export const alertLevels = ['warning', 'overdue'] as const;
export type AlertLevel = (typeof alertLevels)[number];

export const alerts = sqliteTable(
  'alerts',
  {
    id: text('id').primaryKey(),
    applicationNo: text('application_no').notNull(),
    /** '' for an application-level alert (the whole application over its process's total limit) */
    stepCode: text('step_code').notNull(),
    /** the step occurrence: its actual start (a reopened step is a new occurrence); 0 for application-level */
    occurrence: integer('occurrence').notNull(),
    handlerId: text('handler_id'),
    teamId: text('team_id'),
    level: text('level', { enum: alertLevels }).notNull(),
    dueAt: integer('due_at'),
    raisedAt: integer('raised_at').notNull(),
    /** false for an overdue recorded after the fact (a step synced as completed late), which notifies nobody */
    live: integer('live', { mode: 'boolean' }).notNull(),
    /** when the handler's SMS may go out (the next working time) */
    notifyAt: integer('notify_at'),
    notifiedAt: integer('notified_at'),
    explanation: text('explanation'),
    explainedAt: integer('explained_at'),
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

/** One row per team and week whose digest (周报) went to the team leads, so restarts never send it twice. */
export const weeklyDigests = sqliteTable(
  'weekly_digests',
  {
    teamId: text('team_id').notNull(),
    /** the Monday of the week summarised */
    weekStart: text('week_start').notNull(),
    sentAt: integer('sent_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.weekStart] })],
);
