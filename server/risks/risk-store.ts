// The store port of complaint risk (投诉风险预警): risk items with their signals and audit trail, the satisfaction
// follow-up (回访) of switched-on applications, and the monthly exposure report's team rows.
import type { RiskRuleName, RiskSignalKind, RiskTier } from '../domain/risk.ts';
import type { StaffScope } from '../staff/staff-accounts.ts';

export interface RiskItem {
  /** also the reference number quoted to the customer, e.g. FX2612070001 */
  id: string;
  applicationNo: string;
  /** whose queue it is in: the team of whoever handles the application (null: every team lead) */
  teamId: string | null;
  handlerId: string | null;
  tier: RiskTier;
  status: 'open' | 'closed';
  openedAt: number;
  /** when the item last rose to its tier (or reopened) */
  raisedAt: number;
  lastSignalAt: number;
  /** a low rating must be handled by then (1 working day) */
  handleBy: number | null;
  /** an urgent item's text to the team lead, owed from then (working time); null when none is owed */
  textAt: number | null;
  textedAt: number | null;
  closedAt: number | null;
  closedBy: string | null;
  /** the handling note (回访/处理说明) of the last closing */
  note: string | null;
}

export type NewRiskItem = Pick<RiskItem, 'id' | 'applicationNo' | 'teamId' | 'handlerId' | 'tier' | 'status' | 'openedAt' | 'raisedAt' | 'lastSignalAt' | 'handleBy'>;
export type RiskItemChange = Partial<Omit<RiskItem, 'id' | 'applicationNo' | 'openedAt'>>;

export interface RiskSignal {
  id: number;
  applicationNo: string;
  /** the item the signal raised or joined; null for a contact that set off no rule */
  itemId: string | null;
  /** who handled the application when the signal came (the statistics group by them) */
  teamId: string | null;
  handlerId: string | null;
  kind: RiskSignalKind;
  at: number;
  /** sms, wechat, kiosk, web, system */
  source: string;
  stepCode: string | null;
  stepOverdue: boolean;
  score: number | null;
  detail: string | null;
  /** the rules it set off */
  rules: RiskRuleName[];
  tier: RiskTier | null;
}

export type NewRiskSignal = Omit<RiskSignal, 'id'>;

export type RiskAuditAction = 'opened' | 'signal' | 'raised' | 'texted' | 'closed' | 'reopened';

export interface RiskAuditEntry {
  action: RiskAuditAction;
  /** 'customer', 'system' or a handler id */
  actor: string;
  at: number;
  detail: string | null;
}

export interface Rating {
  applicationNo: string;
  teamId: string | null;
  handlerId: string | null;
  /** when the question went out (the application was switched on) */
  askedAt: number;
  score: number | null;
  comment: string | null;
  channel: string | null;
  /** the first answer: a second one replaces it within 7 days of this, then the window closes */
  firstRatedAt: number | null;
  ratedAt: number | null;
}

export type RatingAnswer = Pick<Rating, 'score' | 'comment' | 'channel' | 'ratedAt' | 'firstRatedAt'>;

export interface ExposureMonth {
  /** YYYY-MM, the month reported on */
  month: string;
  teamId: string;
  urgentItems: number;
  ratings: number;
  satisfaction: number | null;
  breached: boolean;
  /** named | interview | on_site_meeting, or null within bounds */
  tier: string | null;
  createdAt: number;
}

export interface RiskStore {
  /**
   * Holds the application's risk record (its item, signals and rating) for the rest of the transaction: two signals,
   * or two ratings, about one application are judged one after the other, each seeing what the other wrote.
   */
  lockApplication(applicationNo: string): Promise<void>;

  item(id: string): Promise<RiskItem | null>;
  itemOfApplication(applicationNo: string): Promise<RiskItem | null>;
  insertItem(item: NewRiskItem): Promise<void>;
  updateItem(id: string, change: RiskItemChange): Promise<void>;
  /** items opened at or after `from` (the day's reference numbers); numbering is held until the transaction ends */
  countItemsSince(from: number): Promise<number>;
  /** Open items first, by tier (urgent first), then oldest raised first; items closed since `closedSince` after them. */
  queue(scope: StaffScope, closedSince: number): Promise<RiskItem[]>;
  /** urgent items whose text to the team lead is owed by `now` */
  textsDue(now: number): Promise<RiskItem[]>;
  /** open items whose handling limit (handleBy) is past at `now` and that are not urgent yet */
  overdueBelowUrgent(now: number): Promise<RiskItem[]>;
  /** open items by tier */
  openCount(): Promise<{ tier: RiskTier; n: number }[]>;

  /** the new signal's id */
  insertSignal(signal: NewRiskSignal): Promise<number>;
  attachSignal(id: number, itemId: string): Promise<void>;
  /** oldest first */
  signalsOfApplication(applicationNo: string): Promise<RiskSignal[]>;
  /** oldest first */
  signalsOfItem(itemId: string): Promise<RiskSignal[]>;

  audit(itemId: string, action: RiskAuditAction, actor: string, at: number, detail?: string | null): Promise<void>;
  auditOf(itemId: string): Promise<RiskAuditEntry[]>;

  /** applications whose limit-risk signal is owed by `now` */
  limitRisksDue(now: number): Promise<string[]>;
  clearLimitRisk(applicationNo: string): Promise<void>;
  /** The application registered with `phone` a complaint by SMS from it is about: an active one first, then the newest. */
  applicationOfPhone(phone: string): Promise<string | null>;

  rating(applicationNo: string): Promise<Rating | null>;
  /** Records that the question was asked; a second switch-on (a re-sync) does not ask again. True when asked now. */
  askRating(asked: Pick<Rating, 'applicationNo' | 'teamId' | 'handlerId' | 'askedAt'>): Promise<boolean>;
  answerRating(applicationNo: string, answer: RatingAnswer): Promise<void>;
  /** application numbers asked to rate whose application phone is `phone`, newest question first */
  ratingsOfPhone(phone: string): Promise<string[]>;

  /** risk items opened in [from, to) */
  itemsOpenedIn(from: number, to: number): Promise<RiskItem[]>;
  /** every signal in [from, to) */
  signalsIn(from: number, to: number): Promise<RiskSignal[]>;
  /** the items that were urgent in [from, to) (an urgent signal joined them then), with the signal's team */
  urgentItemsIn(from: number, to: number): Promise<{ itemId: string; teamId: string | null }[]>;
  ratingsAskedIn(from: number, to: number): Promise<Rating[]>;
  ratingsGivenIn(from: number, to: number): Promise<Rating[]>;
  /** every team, by id */
  teams(): Promise<{ id: string; name: string }[]>;
  /** every admin, by id */
  admins(): Promise<{ id: string; name: string; phone: string }[]>;

  /** a month's team rows, by team */
  exposureRows(month: string): Promise<ExposureMonth[]>;
  /** the team's rows of the `months` months before `beforeMonth`, newest first */
  exposureHistory(teamId: string, beforeMonth: string, months: number): Promise<ExposureMonth[]>;
  /** false when the month's row of the team was made already */
  insertExposure(row: ExposureMonth): Promise<boolean>;
}
