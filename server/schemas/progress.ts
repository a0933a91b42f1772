// Schemas of the customer progress API (API.md §2).
import Type from 'typebox';

const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const DateOrNull = Nullable(Type.String({ format: 'date' }));
const InstantOrNull = Nullable(Type.String({ format: 'date-time' }));

export const StepViewSchema = Type.Object({
  code: Type.String(),
  name: Type.String(),
  side: Type.Enum(['utility', 'customer']),
  status: Type.Enum(['pending', 'in_progress', 'done']),
  plannedStart: DateOrNull,
  plannedEnd: DateOrNull,
  actualStart: InstantOrNull,
  actualEnd: InstantOrNull,
  dueAt: InstantOrNull,
  overdue: Type.Boolean(),
  customerTasks: Type.Array(Type.String()),
  handler: Nullable(Type.Object({ name: Type.String(), phone: Type.String() })),
});

export const ProgressViewSchema = Type.Object({
  applicationNo: Type.String(),
  accountNo: Type.String(),
  customerName: Type.String(),
  customerKind: Type.Enum(['person', 'organisation'], { description: 'a person or an organisation: masked names keep only the first character' }),
  processCode: Type.String(),
  processName: Type.String(),
  status: Type.String(),
  acceptedAt: Type.String({ format: 'date-time' }),
  requestedConnectDate: DateOrNull,
  expectedConnectDate: DateOrNull,
  plan: Type.Object({
    feasible: Type.Boolean(),
    earliestFeasibleDate: DateOrNull,
    basis: Type.Enum(['requested_date', 'typical']),
    compressed: Type.Boolean(),
  }),
  currentStep: Nullable(StepViewSchema),
  nextStep: Nullable(StepViewSchema),
  steps: Type.Array(StepViewSchema),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const QueryBody = Type.Object({
  accountNo: Type.String({ minLength: 1, maxLength: 32 }),
  queryCode: Type.String({ minLength: 1, maxLength: 32 }),
});

export const QueryReply = Type.Object({
  viewToken: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
  applications: Type.Array(ProgressViewSchema),
});

export const ApplicationReply = Type.Object({ application: ProgressViewSchema });

export const NotificationsBody = Type.Object({ muted: Type.Boolean({ description: 'true: no more notices about this application (免打扰)' }) });
export const NotificationsReply = Type.Object({
  notifications: Type.Object({
    muted: Type.Boolean({ description: 'notices about this application go to none of the customer\'s addresses, but the answers to their own hurries' }),
    mutedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  }),
});
