// Schemas of complaint-risk items, the satisfaction follow-up and the risk statistics.
import Type from 'typebox';

const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Instant = Type.String({ format: 'date-time' });
const Tier = Type.Enum(['watch', 'warning', 'urgent'], { description: '关注 (watch) < 预警 (warning) < 紧急 (urgent)' });
const Rule = Type.Enum(['repeat_hurry', 'repeat_contact', 'contact_while_overdue', 'limit_nearly_used', 'complaint_language', 'low_rating']);

export const RiskSignalSchema = Type.Object({
  kind: Type.Enum(['hurry', 'consult', 'progress_question', 'complaint', 'rating', 'limit']),
  at: Instant,
  source: Type.String({ description: 'sms, wechat, kiosk, web or system' }),
  stepCode: Nullable(Type.String()),
  stepName: Nullable(Type.String()),
  stepOverdue: Type.Boolean(),
  score: Nullable(Type.Integer()),
  detail: Nullable(Type.String({ description: "what the customer wrote, or the reference of what they did" })),
  rules: Type.Array(Rule, { description: 'the rules this signal set off (empty: a contact that joined an open item)' }),
  ruleNames: Type.Array(Type.String()),
  tier: Nullable(Tier),
});

export const RiskItemSchema = Type.Object({
  id: Type.String({ description: 'also the reference number, e.g. FX2612070001' }),
  applicationNo: Type.String(),
  customerName: Nullable(Type.String()),
  teamId: Nullable(Type.String()),
  handlerId: Nullable(Type.String()),
  handlerName: Nullable(Type.String()),
  tier: Tier,
  tierName: Type.String({ description: '关注 / 预警 / 紧急' }),
  status: Type.Enum(['open', 'closed']),
  openedAt: Instant,
  raisedAt: Instant,
  lastSignalAt: Instant,
  handleBy: Nullable(Instant),
  textedAt: Nullable(Instant),
  closedAt: Nullable(Instant),
  closedBy: Nullable(Type.String()),
  note: Nullable(Type.String({ description: 'the handling note (回访/处理说明) of the last closing' })),
  signals: Type.Array(RiskSignalSchema),
});

export const RatingSchema = Type.Object({
  askedAt: Instant,
  score: Nullable(Type.Integer({ minimum: 1, maximum: 5 })),
  comment: Nullable(Type.String()),
  channel: Nullable(Type.String()),
  ratedAt: Nullable(Instant),
  /** a second rating replaces the first until then */
  changeableUntil: Nullable(Instant),
});

export const RiskIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export const CloseRiskBody = Type.Object({
  note: Type.String({ minLength: 1, maxLength: 1000, description: 'who called the customer and what was agreed (回访/处理说明)' }),
});
export const RiskReply = Type.Object({ risk: RiskItemSchema });
export const RiskDetailReply = Type.Object({
  risk: RiskItemSchema,
  audit: Type.Array(Type.Object({ action: Type.String(), actor: Type.String(), at: Instant, detail: Nullable(Type.String()) })),
});
