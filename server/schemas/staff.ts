// Schemas of the staff API (API.md §3).
import Type from 'typebox';
import { ProgressViewSchema } from './progress.ts';
import { ConsultSchema } from './chat.ts';
import { RatingSchema, RiskItemSchema } from './risks.ts';

const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Instant = Type.String({ format: 'date-time' });

export const NotificationView = Type.Object({
  id: Type.String(),
  applicationNo: Nullable(Type.String()),
  kind: Type.String(),
  recipient: Type.Enum(['customer', 'handler']),
  channel: Type.String(),
  address: Type.String(),
  status: Type.Enum(['pending', 'sending', 'sent', 'delivered', 'failed', 'dead', 'superseded']),
  text: Type.String(),
  segments: Type.Integer(),
  attempts: Type.Integer(),
  lastError: Nullable(Type.String()),
  provider: Nullable(Type.String()),
  createdAt: Instant,
  nextAttemptAt: Instant,
  sentAt: Nullable(Instant),
  deliveredAt: Nullable(Instant),
});

export const FailedNotificationsReply = Type.Object({ notifications: Type.Array(NotificationView) });

export const HurrySchema = Type.Object({
  id: Type.String({ description: 'also the reference number the customer quotes' }),
  applicationNo: Type.String(),
  stepCode: Type.String(),
  stepName: Type.String(),
  handlerId: Nullable(Type.String()),
  channel: Type.Enum(['kiosk', 'web', 'sms', 'wechat', 'wechat_oa']),
  message: Nullable(Type.String()),
  status: Type.Enum(['open', 'acknowledged', 'answered', 'escalated']),
  count: Type.Integer(),
  createdAt: Instant,
  ackAt: Nullable(Instant),
  answeredAt: Nullable(Instant),
  reply: Nullable(Type.String()),
  escalatedAt: Nullable(Instant),
  escalationReason: Nullable(Type.String()),
});

export const AlertSchema = Type.Object(
  {
    id: Type.String(),
    applicationNo: Type.String(),
    stepCode: Nullable(Type.String()),
    stepName: Nullable(Type.String({ description: "the step's name in the process catalog; null for an application-level alert" })),
    handlerId: Nullable(Type.String()),
    handlerName: Nullable(Type.String({ description: "the handler's name (unmasked: staff only)" })),
    level: Type.Enum(['warning', 'overdue']),
    dueAt: Nullable(Instant),
    raisedAt: Instant,
    explanation: Nullable(Type.String()),
    explainedAt: Nullable(Instant),
  },
  { additionalProperties: true },
);

export const StaffHandler = Type.Object({
  handlerId: Type.String(),
  name: Type.String(),
  role: Type.Enum(['handler', 'team_lead', 'admin']),
  teamId: Type.String(),
  teamName: Type.String(),
});

export const LoginBody = Type.Object({
  handlerId: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 200 }),
});
export const LoginReply = Type.Object({ token: Type.String(), expiresAt: Instant, handler: StaffHandler });

export const HurryIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export const ReplyBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: 1000 }) });
export const HurryReply = Type.Object({ hurry: HurrySchema });
export const AlertReply = Type.Object({ alert: AlertSchema });
export const QueueReply = Type.Object({
  hurries: Type.Array(HurrySchema),
  alerts: Type.Array(AlertSchema),
  /** 转人工 requests from the chatbot: team leads and admins only (empty for handlers) */
  consults: Type.Array(ConsultSchema),
  /** complaint-risk items (投诉风险预警): open first, urgent first, then oldest first */
  risks: Type.Array(RiskItemSchema),
});
export const ReplanBody = Type.Object({ requestedConnectDate: Nullable(Type.String({ format: 'date' })) });

export const MuteSchema = Type.Object(
  {
    channel: Type.String({ description: '`*` with address `*`: every address of the application (the kiosk\'s switch)' }),
    address: Type.String(),
    source: Type.String({ description: 'where the customer muted it: sms, wechat, kiosk or web' }),
    mutedAt: Instant,
    unmutedAt: Nullable(Instant),
  },
  { description: 'a customer\'s mute (免打扰) of this application\'s notices' },
);

export const StaffApplicationReply = Type.Object({
  application: ProgressViewSchema,
  notifications: Type.Array(NotificationView),
  hurries: Type.Array(HurrySchema),
  alerts: Type.Array(AlertSchema),
  mutes: Type.Array(MuteSchema),
  /** the application's complaint-risk item with each signal and its source, or null */
  risk: Nullable(RiskItemSchema),
  /** the satisfaction follow-up (回访): null until the application is switched on */
  rating: Nullable(RatingSchema),
});

export const CustomerHurryBody = Type.Object({ message: Type.Optional(Type.String({ maxLength: 200 })) });
export const CustomerHurryReply = Type.Object({
  hurry: Type.Object({
    id: Type.String(),
    status: Type.String(),
    stepCode: Type.String(),
    handlerName: Nullable(Type.String()),
    createdAt: Instant,
    count: Type.Integer(),
    nextHurryAt: Type.String({ format: 'date-time', description: 'when this step can be hurried again (the cooldown ends)' }),
  }),
});

export const SecurityNoticeSchema = Type.Object({
  kind: Type.Union([Type.Literal('query_code'), Type.Literal('staff_password')]),
  subject: Type.String({ description: 'the account number or handler id guessed at' }),
  wrongGuesses: Type.Integer(),
  addresses: Type.Integer({ description: 'distinct client addresses the wrong guesses came from in the hour' }),
  at: Type.String({ format: 'date-time' }),
  message: Type.String(),
});
export const SecurityNoticesReply = Type.Object({ notices: Type.Array(SecurityNoticeSchema) });
