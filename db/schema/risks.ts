// Complaint risk (投诉风险预警): one risk item per application with the signals that raised it and its audit trail,
// the satisfaction follow-up (回访) of each switched-on application, and the monthly exposure report's team rows.
import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, real, index, uniqueIndex, primaryKey } from 'drizzle-orm/sqlite-core';

export const riskTierValues = ['watch', 'warning', 'urgent'] as const;
export const riskItemStatuses = ['open', 'closed'] as const;
export const riskSignalKindValues = ['hurry', 'consult', 'progress_question', 'complaint', 'rating', 'limit'] as const;

export const riskItems = sqliteTable(
  'risk_items',
  {
    /** also the reference number quoted to the customer, e.g. FX2612070001 */
    id: text('id').primaryKey(),
    applicationNo: text('application_no').notNull(),
    /** whose queue it is in: the team of whoever handles the application (null: every team lead) */
    teamId: text('team_id'),
    handlerId: text('handler_id'),
    tier: text('tier', { enum: riskTierValues }).notNull(),
    status: text('status', { enum: riskItemStatuses }).notNull(),
    openedAt: integer('opened_at').notNull(),
    /** when the item last rose to its tier (or reopened) */
    raisedAt: integer('raised_at').notNull(),
    lastSignalAt: integer('last_signal_at').notNull(),
    /** a low rating must be handled by then (1 working day) */
    handleBy: integer('handle_by'),
    /** an urgent item's text to the team lead, owed from then (working time); null when none is owed */
    textAt: integer('text_at'),
    textedAt: integer('texted_at'),
    closedAt: integer('closed_at'),
    closedBy: text('closed_by'),
    /** the handling note (回访/处理说明) of the last closing: who called the customer and what was agreed */
    note: text('note'),
  },
  (t) => [
    uniqueIndex('risk_items_application_idx').on(t.applicationNo),
    index('risk_items_team_idx').on(t.teamId, t.status),
    index('risk_items_text_idx').on(t.textAt).where(sql`${t.textAt} IS NOT NULL`),
  ],
);

export const riskSignals = sqliteTable(
  'risk_signals',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    applicationNo: text('application_no').notNull(),
    /** the item the signal raised or joined; null for a contact that set off no rule */
    itemId: text('item_id'),
    /** who handled the application when the signal came (the statistics group by them) */
    teamId: text('team_id'),
    handlerId: text('handler_id'),
    kind: text('kind', { enum: riskSignalKindValues }).notNull(),
    at: integer('at').notNull(),
    /** where it came from: sms, wechat, kiosk, web, system */
    source: text('source').notNull(),
    stepCode: text('step_code'),
    stepOverdue: integer('step_overdue', { mode: 'boolean' }).notNull(),
    score: integer('score'),
    /** what the customer wrote, a hurry's reference, a consult's reference */
    detail: text('detail'),
    /** JSON array of the rules it set off */
    rules: text('rules').notNull(),
    tier: text('tier', { enum: riskTierValues }),
  },
  (t) => [index('risk_signals_application_idx').on(t.applicationNo, t.at), index('risk_signals_item_idx').on(t.itemId, t.at)],
);

export const riskAuditActions = ['opened', 'signal', 'raised', 'texted', 'closed', 'reopened'] as const;

export const riskAudit = sqliteTable(
  'risk_audit',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    itemId: text('item_id').notNull(),
    action: text('action', { enum: riskAuditActions }).notNull(),
    /** 'customer', 'system' or a handler id */
    actor: text('actor').notNull(),
    at: integer('at').notNull(),
    detail: text('detail'),
  },
  (t) => [index('risk_audit_item_idx').on(t.itemId, t.at)],
);

export const ratings = sqliteTable(
  'ratings',
  {
    applicationNo: text('application_no').primaryKey(),
    teamId: text('team_id'),
    handlerId: text('handler_id'),
    /** when the question went out (the application was switched on) */
    askedAt: integer('asked_at').notNull(),
    score: integer('score'),
    comment: text('comment'),
    channel: text('channel'),
    /** the first answer: a second one replaces it within 7 days of this, then the window closes */
    firstRatedAt: integer('first_rated_at'),
    ratedAt: integer('rated_at'),
  },
  (t) => [index('ratings_asked_idx').on(t.askedAt)],
);

export const exposureMonths = sqliteTable(
  'exposure_months',
  {
    /** YYYY-MM, the month reported on */
    month: text('month').notNull(),
    teamId: text('team_id').notNull(),
    urgentItems: integer('urgent_items').notNull(),
    ratings: integer('ratings').notNull(),
    satisfaction: real('satisfaction'),
    breached: integer('breached', { mode: 'boolean' }).notNull(),
    /** named | interview | on_site_meeting, or null within bounds */
    tier: text('tier'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.month, t.teamId] })],
);
