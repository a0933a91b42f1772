// Hurry requests (催办) and their audit trail (PostgreSQL; the same tables as db/schema/hurries.ts).
import { pgTable, text, integer, bigserial, index } from 'drizzle-orm/pg-core';
import { hurryAuditActions, hurryChannels, hurryStatuses } from '../../schema/hurries.ts';
import { ms } from './columns.ts';

export const hurries = pgTable(
  'hurries',
  {
    id: text('id').primaryKey(),
    applicationNo: text('application_no').notNull(),
    stepCode: text('step_code').notNull(),
    handlerId: text('handler_id'),
    teamId: text('team_id'),
    channel: text('channel', { enum: hurryChannels }).notNull(),
    replyAddress: text('reply_address'),
    message: text('message'),
    status: text('status', { enum: hurryStatuses }).notNull(),
    count: integer('count').notNull(),
    createdAt: ms('created_at').notNull(),
    lastHurriedAt: ms('last_hurried_at').notNull(),
    escalateAt: ms('escalate_at').notNull(),
    ackAt: ms('ack_at'),
    ackBy: text('ack_by'),
    answeredAt: ms('answered_at'),
    answeredBy: text('answered_by'),
    reply: text('reply'),
    escalatedAt: ms('escalated_at'),
    escalationReason: text('escalation_reason'),
  },
  (t) => [
    index('hurries_application_step_idx').on(t.applicationNo, t.stepCode, t.createdAt),
    index('hurries_handler_idx').on(t.handlerId, t.status),
    index('hurries_team_idx').on(t.teamId, t.status),
    index('hurries_escalation_idx').on(t.status, t.escalateAt),
  ],
);

// bigserial rather than an identity column: PostgreSQL-compatible servers built on older PostgreSQL (openGauss)
// have sequences but not GENERATED … AS IDENTITY.
export const hurryAudit = pgTable(
  'hurry_audit',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    hurryId: text('hurry_id').notNull(),
    action: text('action', { enum: hurryAuditActions }).notNull(),
    actor: text('actor').notNull(),
    at: ms('at').notNull(),
    detail: text('detail'),
  },
  (t) => [index('hurry_audit_hurry_idx').on(t.hurryId, t.at)],
);
