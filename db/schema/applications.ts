// Applications, their steps with the current plan, and the sync events that moved them.
import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, real, index, primaryKey } from 'drizzle-orm/sqlite-core';
import type { StoredProgress } from '../../server/domain/progress-view.ts';

export const applicationStatuses = ['active', 'suspended', 'completed', 'cancelled'] as const;
export type ApplicationStatus = (typeof applicationStatuses)[number];
export const stepStatuses = ['pending', 'in_progress', 'done'] as const;
export const planBases = ['requested_date', 'typical'] as const;
export const syncEventTypes = ['step_started', 'step_completed'] as const;
export type SyncEventType = (typeof syncEventTypes)[number];
export const syncEventStates = ['applied', 'parked', 'rejected'] as const;

/** Instants are epoch milliseconds; calendar dates are YYYY-MM-DD in the utility's time zone. */
export const applications = sqliteTable(
  'applications',
  {
    applicationNo: text('application_no').primaryKey(),
    accountNo: text('account_no').notNull(),
    customerName: text('customer_name').notNull(),
    processCode: text('process_code').notNull(),
    capacityKva: real('capacity_kva'),
    address: text('address').notNull(),
    phone: text('phone').notNull(),
    /** the customer's e-mail address for notices, when the application gives one */
    email: text('email'),
    /** HMAC-SHA256(secret, accountNo + ':' + queryCode), hex; never the code itself */
    queryCodeHmac: text('query_code_hmac').notNull(),
    requestedConnectDate: text('requested_connect_date'),
    acceptedAt: integer('accepted_at').notNull(),
    status: text('status', { enum: applicationStatuses }).notNull(),
    accountManagerId: text('account_manager_id'),
    /** digest of the last synced body, so an identical upsert is recognised as a no-op */
    sourceDigest: text('source_digest').notNull(),
    expectedConnectDate: text('expected_connect_date'),
    planFeasible: integer('plan_feasible', { mode: 'boolean' }).notNull(),
    earliestFeasibleDate: text('earliest_feasible_date'),
    planBasis: text('plan_basis', { enum: planBases }).notNull(),
    planCompressed: integer('plan_compressed', { mode: 'boolean' }).notNull(),
    /**
     * the `today` the stored plan was made for; a plan out of date (domain/plan-refresh.ts) is stored anew by the plan
     * refresh job, and until then a read shows it refreshed in memory
     */
    plannedOn: text('planned_on').notNull(),
    createdAt: integer('created_at').notNull(),
    /** when the application was last written, which is when it was last planned: every write re-plans it */
    updatedAt: integer('updated_at').notNull(),
    /**
     * When the application's utility-side time passes its process's totalLimit, while that overdue alert is still
     * owed; null otherwise (not active, no utility step under way, or already raised). The sweep's range key.
     */
    limitAlertAt: integer('limit_alert_at'),
    /**
     * When less than the risk rules' share of the total limit will be left while the requested date cannot be met
     * (a complaint-risk signal), while that signal is still owed; null otherwise. The risk sweep's range key.
     */
    riskLimitAt: integer('risk_limit_at'),
  },
  (t) => [
    index('applications_account_idx').on(t.accountNo),
    index('applications_limit_alert_idx').on(t.limitAlertAt).where(sql`${t.limitAlertAt} IS NOT NULL`),
    index('applications_risk_limit_idx').on(t.riskLimitAt).where(sql`${t.riskLimitAt} IS NOT NULL`),
  ],
);

export const applicationSteps = sqliteTable(
  'application_steps',
  {
    applicationNo: text('application_no')
      .notNull()
      .references(() => applications.applicationNo),
    stepCode: text('step_code').notNull(),
    position: integer('position').notNull(),
    status: text('status', { enum: stepStatuses }).notNull(),
    actualStart: integer('actual_start'),
    actualEnd: integer('actual_end'),
    /** `at` of the newest start / completion event applied: an older event never rolls the step back */
    lastStartedAt: integer('last_started_at'),
    lastCompletedAt: integer('last_completed_at'),
    handlerId: text('handler_id'),
    /** `at` of the event that named the handler, so a late older event cannot hand the step back */
    handlerAt: integer('handler_at'),
    plannedStart: text('planned_start'),
    plannedEnd: text('planned_end'),
    dueAt: integer('due_at'),
    /** when the handler is warned: 1 working day or 20% of the allowed time before dueAt, whichever is earlier */
    warnAt: integer('warn_at'),
    /**
     * The next time-limit alert this occurrence still owes: warnAt until the warning is raised, then dueAt until the
     * overdue alert is, then null (also null when not in progress, a customer step, or the application not active).
     * Only rows with something owed are indexed, so a sweep reads exactly the rows it acts on.
     */
    alertAt: integer('alert_at'),
  },
  (t) => [
    primaryKey({ columns: [t.applicationNo, t.stepCode] }),
    index('steps_alert_idx').on(t.alertAt).where(sql`${t.alertAt} IS NOT NULL`),
    // timeliness statistics select step occurrences by when they started and ended
    index('steps_actual_start_idx').on(t.actualStart).where(sql`${t.actualStart} IS NOT NULL`),
    index('steps_actual_end_idx').on(t.actualEnd).where(sql`${t.actualEnd} IS NOT NULL`),
    // a handler's new name or phone reaches the stored progress views of the applications they handle a step of
    index('steps_handler_idx').on(t.handlerId).where(sql`${t.handlerId} IS NOT NULL`),
  ],
);

/**
 * Per application, what its progress view (domain/progress-view.ts) is made of apart from the time of reading
 * (`StoredProgress`: the application's fields a view shows, its steps with their plan and handler's contact), written
 * in the same unit of work as every change to them (the application store writes it before commit), so a customer's
 * read is one indexed statement. The query code's HMAC and the acceptance time are columns for the account's query.
 */
export const progressViews = sqliteTable(
  'progress_views',
  {
    applicationNo: text('application_no')
      .primaryKey()
      .references(() => applications.applicationNo),
    accountNo: text('account_no').notNull(),
    queryCodeHmac: text('query_code_hmac').notNull(),
    acceptedAt: integer('accepted_at').notNull(),
    view: text('view', { mode: 'json' }).$type<StoredProgress>().notNull(),
  },
  (t) => [index('progress_views_account_idx').on(t.accountNo)],
);

export const syncEvents = sqliteTable(
  'sync_events',
  {
    eventId: text('event_id').primaryKey(),
    applicationNo: text('application_no').notNull(),
    stepCode: text('step_code').notNull(),
    type: text('type', { enum: syncEventTypes }).notNull(),
    at: integer('at').notNull(),
    handlerId: text('handler_id'),
    state: text('state', { enum: syncEventStates }).notNull(),
    receivedAt: integer('received_at').notNull(),
    appliedAt: integer('applied_at'),
    /** why a parked event could not be applied when its application arrived */
    rejection: text('rejection'),
  },
  (t) => [index('sync_events_application_state_idx').on(t.applicationNo, t.state)],
);

/** One row per completed step occurrence, for learning typical durations (median of the last 50). */
export const stepCompletions = sqliteTable(
  'step_completions',
  {
    applicationNo: text('application_no').notNull(),
    processCode: text('process_code').notNull(),
    stepCode: text('step_code').notNull(),
    completedAt: integer('completed_at').notNull(),
    workdays: integer('workdays').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.applicationNo, t.stepCode] }),
    index('step_completions_learn_idx').on(t.processCode, t.stepCode, t.completedAt),
  ],
);
