// The API's shapes as the pages see them, taken from the route schemas (type-only imports: nothing of the server is
// bundled), so a page and the contract cannot drift apart silently.
import type { Static } from 'typebox';
import type { ProgressViewSchema, QueryReply, StepViewSchema } from '../../schemas/progress.ts';
import type { AlertSchema, CustomerHurryReply, HurrySchema, NotificationView, StaffApplicationReply, StaffHandler, QueueReply } from '../../schemas/staff.ts';
import type { ChatMessageReply, ConsultSchema } from '../../schemas/chat.ts';
import type { TimelinessRowSchema } from '../../schemas/stats.ts';
import type { CustomerRatedReply, CustomerRatingSchema, ExposureReply, RiskFrameSchema, RiskItemSchema, RiskStatsRowSchema } from '../../schemas/risks.ts';

export type ProgressView = Static<typeof ProgressViewSchema>;
export type StepView = Static<typeof StepViewSchema>;
export type QueryResult = Static<typeof QueryReply>;
export type CustomerHurry = Static<typeof CustomerHurryReply>['hurry'];
export type Hurry = Static<typeof HurrySchema>;
export type Alert = Static<typeof AlertSchema>;
export type Consult = Static<typeof ConsultSchema>;
export type RiskItem = Static<typeof RiskItemSchema>;
export type CustomerRating = Static<typeof CustomerRatingSchema>;
export type CustomerRated = Static<typeof CustomerRatedReply>;
export type Notification = Static<typeof NotificationView>;
export type StaffApplication = Static<typeof StaffApplicationReply>;
export type Queue = Static<typeof QueueReply>;
export type Handler = Static<typeof StaffHandler>;
export type ChatReply = Static<typeof ChatMessageReply>;

/** GET /api/v1/stats/timeliness (API.md §3) */
export type TimelinessRow = Static<typeof TimelinessRowSchema>;
export type StatsGroup = 'step' | 'handler' | 'team';
/** GET /api/v1/stats/risk */
export type RiskStatsRow = Static<typeof RiskStatsRowSchema>;
/** GET /api/v1/stats/exposure */
export type ExposureReport = Static<typeof ExposureReply>;

/** Frames of GET /ws (API.md §4) */
export type LiveFrame =
  | { type: 'progress'; application: ProgressView }
  | { type: 'hurry'; hurry: Hurry }
  | { type: 'alert'; alert: Alert }
  | { type: 'consult'; consult: Consult }
  | Static<typeof RiskFrameSchema>
  | { type: 'subscribed' }
  | { type: 'pong' }
  | { type: 'error'; code: string; message: string };
