// Complaint risk (PostgreSQL; the same tables as db/schema/risks.ts): risk items, their signals and audit trail, the
// satisfaction follow-up and the monthly exposure report's team rows.
import { sql } from 'drizzle-orm';
import { pgTable, text, integer, doublePrecision, boolean, bigserial, index, uniqueIndex, primaryKey } from 'drizzle-orm/pg-core';
import { riskAuditActions, riskItemStatuses, riskSignalKindValues, riskTierValues } from '../../schema/risks.ts';
import { ms } from './columns.ts';

export const riskItems = pgTable(
  'risk_items',
  {
    id: text('id').primaryKey(),
    applicationNo: text('application_no').notNull(),
    teamId: text('team_id'),
    handlerId: text('handler_id'),
    tier: text('tier', { enum: riskTierValues }).notNull(),
    status: text('status', { enum: riskItemStatuses }).notNull(),
    openedAt: ms('opened_at').notNull(),
    raisedAt: ms('raised_at').notNull(),
    lastSignalAt: ms('last_signal_at').notNull(),
    handleBy: ms('handle_by'),
    textAt: ms('text_at'),
    textedAt: ms('texted_at'),
    closedAt: ms('closed_at'),
    closedBy: text('closed_by'),
    note: text('note'),
  },
  (t) => [
    uniqueIndex('risk_items_application_idx').on(t.applicationNo),
    index('risk_items_team_idx').on(t.teamId, t.status),
    index('risk_items_text_idx').on(t.textAt).where(sql`${t.textAt} IS NOT NULL`),
  ],
);

export const riskSignals = pgTable(
  'risk_signals',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    applicationNo: text('application_no').notNull(),
    itemId: text('item_id'),
    teamId: text('team_id'),
    handlerId: text('handler_id'),
    kind: text('kind', { enum: riskSignalKindValues }).notNull(),
    at: ms('at').notNull(),
    source: text('source').notNull(),
    stepCode: text('step_code'),
    stepOverdue: boolean('step_overdue').notNull(),
    score: integer('score'),
    detail: text('detail'),
    rules: text('rules').notNull(),
    tier: text('tier', { enum: riskTierValues }),
  },
  (t) => [index('risk_signals_application_idx').on(t.applicationNo, t.at), index('risk_signals_item_idx').on(t.itemId, t.at)],
);

export const riskAudit = pgTable(
  'risk_audit',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    itemId: text('item_id').notNull(),
    action: text('action', { enum: riskAuditActions }).notNull(),
    actor: text('actor').notNull(),
    at: ms('at').notNull(),
    detail: text('detail'),
  },
  (t) => [index('risk_audit_item_idx').on(t.itemId, t.at)],
);

export const ratings = pgTable(
  'ratings',
  {
    applicationNo: text('application_no').primaryKey(),
    teamId: text('team_id'),
    handlerId: text('handler_id'),
    askedAt: ms('asked_at').notNull(),
    score: integer('score'),
    comment: text('comment'),
    channel: text('channel'),
    firstRatedAt: ms('first_rated_at'),
    ratedAt: ms('rated_at'),
  },
  (t) => [index('ratings_asked_idx').on(t.askedAt)],
);

export const exposureMonths = pgTable(
  'exposure_months',
  {
    month: text('month').notNull(),
    teamId: text('team_id').notNull(),
    urgentItems: integer('urgent_items').notNull(),
    ratings: integer('ratings').notNull(),
    satisfaction: doublePrecision('satisfaction'),
    breached: boolean('breached').notNull(),
    tier: text('tier'),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.month, t.teamId] })],
);
