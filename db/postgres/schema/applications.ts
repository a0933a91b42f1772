// Applications, their steps with the current plan, and the sync events that moved them (PostgreSQL; the same
// tables, columns and indexes as db/schema/applications.ts, where the columns are described).
import { sql } from 'drizzle-orm';
import { pgTable, text, integer, doublePrecision, boolean, index, jsonb, primaryKey } from 'drizzle-orm/pg-core';
import type { StoredProgress } from '../../../server/domain/progress-view.ts';
import { applicationStatuses, planBases, stepStatuses, syncEventStates, syncEventTypes } from '../../schema/applications.ts';
import { ms } from './columns.ts';

export const applications = pgTable(
  'applications',
  {
    applicationNo: text('application_no').primaryKey(),
    accountNo: text('account_no').notNull(),
    customerName: text('customer_name').notNull(),
    processCode: text('process_code').notNull(),
    capacityKva: doublePrecision('capacity_kva'),
    address: text('address').notNull(),
    phone: text('phone').notNull(),
    email: text('email'),
    queryCodeHmac: text('query_code_hmac').notNull(),
    requestedConnectDate: text('requested_connect_date'),
    acceptedAt: ms('accepted_at').notNull(),
    status: text('status', { enum: applicationStatuses }).notNull(),
    accountManagerId: text('account_manager_id'),
    sourceDigest: text('source_digest').notNull(),
    expectedConnectDate: text('expected_connect_date'),
    planFeasible: boolean('plan_feasible').notNull(),
    earliestFeasibleDate: text('earliest_feasible_date'),
    planBasis: text('plan_basis', { enum: planBases }).notNull(),
    planCompressed: boolean('plan_compressed').notNull(),
    plannedOn: text('planned_on').notNull(),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
    limitAlertAt: ms('limit_alert_at'),
    riskLimitAt: ms('risk_limit_at'),
  },
  (t) => [
    index('applications_account_idx').on(t.accountNo),
    index('applications_limit_alert_idx').on(t.limitAlertAt).where(sql`${t.limitAlertAt} IS NOT NULL`),
    index('applications_risk_limit_idx').on(t.riskLimitAt).where(sql`${t.riskLimitAt} IS NOT NULL`),
  ],
);

export const applicationSteps = pgTable(
  'application_steps',
  {
    applicationNo: text('application_no')
      .notNull()
      .references(() => applications.applicationNo),
    stepCode: text('step_code').notNull(),
    position: integer('position').notNull(),
    status: text('status', { enum: stepStatuses }).notNull(),
    actualStart: ms('actual_start'),
    actualEnd: ms('actual_end'),
    lastStartedAt: ms('last_started_at'),
    lastCompletedAt: ms('last_completed_at'),
    handlerId: text('handler_id'),
    handlerAt: ms('handler_at'),
    plannedStart: text('planned_start'),
    plannedEnd: text('planned_end'),
    dueAt: ms('due_at'),
    warnAt: ms('warn_at'),
    alertAt: ms('alert_at'),
  },
  (t) => [
    primaryKey({ columns: [t.applicationNo, t.stepCode] }),
    index('steps_alert_idx').on(t.alertAt).where(sql`${t.alertAt} IS NOT NULL`),
    index('steps_actual_start_idx').on(t.actualStart).where(sql`${t.actualStart} IS NOT NULL`),
    index('steps_actual_end_idx').on(t.actualEnd).where(sql`${t.actualEnd} IS NOT NULL`),
    index('steps_handler_idx').on(t.handlerId).where(sql`${t.handlerId} IS NOT NULL`),
  ],
);

export const progressViews = pgTable(
  'progress_views',
  {
    applicationNo: text('application_no')
      .primaryKey()
      .references(() => applications.applicationNo),
    accountNo: text('account_no').notNull(),
    queryCodeHmac: text('query_code_hmac').notNull(),
    acceptedAt: ms('accepted_at').notNull(),
    view: jsonb('view').$type<StoredProgress>().notNull(),
  },
  (t) => [index('progress_views_account_idx').on(t.accountNo)],
);

export const syncEvents = pgTable(
  'sync_events',
  {
    eventId: text('event_id').primaryKey(),
    applicationNo: text('application_no').notNull(),
    stepCode: text('step_code').notNull(),
    type: text('type', { enum: syncEventTypes }).notNull(),
    at: ms('at').notNull(),
    handlerId: text('handler_id'),
    state: text('state', { enum: syncEventStates }).notNull(),
    receivedAt: ms('received_at').notNull(),
    appliedAt: ms('applied_at'),
    rejection: text('rejection'),
  },
  (t) => [index('sync_events_application_state_idx').on(t.applicationNo, t.state)],
);

export const stepCompletions = pgTable(
  'step_completions',
  {
    applicationNo: text('application_no').notNull(),
    processCode: text('process_code').notNull(),
    stepCode: text('step_code').notNull(),
    completedAt: ms('completed_at').notNull(),
    workdays: integer('workdays').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.applicationNo, t.stepCode] }),
    index('step_completions_learn_idx').on(t.processCode, t.stepCode, t.completedAt),
  ],
);
