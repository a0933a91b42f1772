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
  overdue: Type.Boolean({ description: 'open past handleBy: raised to 紧急 by the sweep (its team lead texted once)' }),
  textedAt: Nullable(Instant),
  closedAt: Nullable(Instant),
  closedBy: Nullable(Type.String()),
  note: Nullable(Type.String({ description: 'the handling note (回访/处理说明) of the last closing' })),
  signals: Type.Array(RiskSignalSchema),
});

/**
 * The `risk` frame of GET /ws, beside progress, hurry, alert and consult: a staff subscription (`subscribe_staff`) gets
 * it whenever an item it may see is opened, joined by a signal, raised, texted, reopened or closed.
 */
export const RiskFrameSchema = Type.Object({ type: Type.Literal('risk'), risk: RiskItemSchema }, { $id: 'RiskFrame', description: 'GET /ws frame: a risk item as committed' });

export const RatingSchema = Type.Object({
  askedAt: Instant,
  score: Nullable(Type.Integer({ minimum: 1, maximum: 5 })),
  comment: Nullable(Type.String()),
  channel: Nullable(Type.String()),
  ratedAt: Nullable(Instant),
  /** a second rating replaces the first until then */
  changeableUntil: Nullable(Instant),
});

export const CustomerRatingSchema = Type.Object({
  score: Nullable(Type.Integer({ minimum: 1, maximum: 5 })),
  comment: Nullable(Type.String()),
  ratedAt: Nullable(Instant),
  open: Type.Boolean({ description: 'whether a rating may still be given, or the one given replaced (7 days after the first)' }),
  changeableUntil: Nullable(Instant),
});
export const CustomerRatingReply = Type.Object({
  rating: Type.Union([CustomerRatingSchema, Type.Null()], { description: 'null: no rating was asked of this application (it is not switched on)' }),
});
export const CustomerRatingBody = Type.Object({
  score: Type.Integer({ minimum: 1, maximum: 5, description: '1 非常不满意 … 5 非常满意' }),
  comment: Type.Optional(Type.String({ maxLength: 500 })),
});
export const CustomerRatedReply = Type.Object({
  rating: CustomerRatingSchema,
  /** a person will call back within a working day (a low score or an unhappy comment) */
  followUp: Type.Boolean(),
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

export const RiskStatsQuery = Type.Object({
  from: Type.String({ format: 'date', pattern: '^(?:19[7-9]\\d|2\\d{3})-', description: "first day counted, YYYY-MM-DD in the utility's time zone (1970 to 2999)" }),
  to: Type.String({ format: 'date', pattern: '^(?:19[7-9]\\d|2\\d{3})-', description: 'last day counted (inclusive; 1970 to 2999)' }),
  groupBy: Type.Enum(['team', 'handler']),
  format: Type.Optional(Type.Enum(['json', 'csv'], { description: 'csv: the same rows as UTF-8 CSV with a BOM and a header row' })),
});

const Count = Type.Integer({ minimum: 0 });
export const RiskStatsRowSchema = Type.Object({
  key: Type.String({ description: 'teamId or handlerId; "" for items without one' }),
  name: Type.String(),
  items: Type.Integer({ description: 'risk items opened in the range' }),
  watch: Count,
  warning: Count,
  urgent: Count,
  bySignal: Type.Object(
    {
      repeat_hurry: Count,
      repeat_contact: Count,
      contact_while_overdue: Count,
      limit_nearly_used: Count,
      complaint_language: Count,
      low_rating: Count,
    },
    { description: 'signals in the range that set off each rule' },
  ),
  closed: Count,
  medianHoursToClose: Nullable(Type.Number()),
  ratingsAsked: Count,
  ratings: Count,
  satisfaction: Nullable(Type.Number({ description: 'average score 1–5' })),
  satisfiedShare: Nullable(Type.Number({ description: 'share of ratings of 4–5' })),
  responseRate: Nullable(Type.Number({ description: 'ratings given / ratings asked' })),
  contacts: Count,
  repeatContacts: Count,
  repeatContactRate: Nullable(Type.Number({ description: 'repeatContacts / contacts' })),
});
export const RiskStatsReply = Type.Object({ rows: Type.Array(RiskStatsRowSchema) });

export const ExposureQuery = Type.Object({
  // years the instants of the data can hold (a year below 100 or a month after 9999-12 has no instant to count from)
  month: Type.String({ pattern: '^(?:19[7-9]\\d|2\\d{3})-(?:0[1-9]|1[0-2])$', description: 'YYYY-MM, 1970-01 to 2999-12' }),
});
export const ExposureReply = Type.Object({
  month: Type.String(),
  teams: Type.Array(
    Type.Object({
      teamId: Type.String(),
      teamName: Type.String(),
      urgentItems: Count,
      ratings: Count,
      satisfaction: Nullable(Type.Number()),
      breached: Type.Boolean(),
      tier: Nullable(Type.Enum(['named', 'interview', 'on_site_meeting'])),
      tierName: Nullable(Type.String({ description: '点名预警 / 约谈整改 / 现场办公会' })),
    }),
  ),
  worstCases: Type.Array(
    Type.Object({
      id: Type.String(),
      applicationNo: Type.String(),
      teamId: Nullable(Type.String()),
      teamName: Nullable(Type.String()),
      tier: Tier,
      tierName: Type.String(),
      signals: Count,
      note: Nullable(Type.String()),
      status: Type.String(),
    }),
  ),
});
