// Hurry requests (催办) and their audit trail.
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

export const hurryStatuses = ['open', 'acknowledged', 'answered', 'escalated'] as const;
export type HurryStatus = (typeof hurryStatuses)[number];
export const hurryChannels = ['kiosk', 'web', 'sms', 'wechat', 'wechat_oa'] as const;
export type HurryChannel = (typeof hurryChannels)[number];

export const hurries = sqliteTable(
  'hurries',
  {
    /** also the reference number the customer quotes, e.g. CB2611240007 */
    id: text('id').primaryKey(),
    applicationNo: text('application_no').notNull(),
    stepCode: text('step_code').notNull(),
    /** null: the step has no handler yet and the request sits in the team lead's queue */
    handlerId: text('handler_id'),
    teamId: text('team_id'),
    channel: text('channel', { enum: hurryChannels }).notNull(),
    /** where the answer goes back: the SMS number or WeChat contact that asked; null for kiosk/web (the application's phone) */
    replyAddress: text('reply_address'),
    message: text('message'),
    status: text('status', { enum: hurryStatuses }).notNull(),
    count: integer('count').notNull(),
    createdAt: integer('created_at').notNull(),
    /** the last press that was accepted (202); the cooldown runs from here */
    lastHurriedAt: integer('last_hurried_at').notNull(),
    /** when an unacknowledged request escalates (4 working hours after it was made) */
    escalateAt: integer('escalate_at').notNull(),
    ackAt: integer('ack_at'),
    ackBy: text('ack_by'),
    answeredAt: integer('answered_at'),
    answeredBy: text('answered_by'),
    reply: text('reply'),
    escalatedAt: integer('escalated_at'),
    escalationReason: text('escalation_reason'),
  },
  (t) => [
    index('hurries_application_step_idx').on(t.applicationNo, t.stepCode, t.createdAt),
    index('hurries_handler_idx').on(t.handlerId, t.status),
    index('hurries_team_idx').on(t.teamId, t.status),
    index('hurries_escalation_idx').on(t.status, t.escalateAt),
  ],
);

export const hurryAuditActions = ['created', 'counted', 'acknowledged', 'answered', 'escalated'] as const;

export const hurryAudit = sqliteTable(
  'hurry_audit',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    hurryId: text('hurry_id').notNull(),
    action: text('action', { enum: hurryAuditActions }).notNull(),
    /** 'customer', 'system' or a handler id */
    actor: text('actor').notNull(),
    at: integer('at').notNull(),
    detail: text('detail'),
  },
  (t) => [index('hurry_audit_hurry_idx').on(t.hurryId, t.at)],
);
