// The store port of hurries (催办): the requests customers make, with their audit trail.
import type { HurryChannel } from '../../db/schema/hurries.ts';
import type { EscalationReason, HurryStatus } from '../domain/hurry.ts';
import type { StaffScope } from '../staff/staff-accounts.ts';

export type { HurryChannel, HurryStatus };

export interface Hurry {
  /** also the reference number the customer quotes, e.g. CB2611240007 */
  id: string;
  applicationNo: string;
  stepCode: string;
  /** null: nobody handles it yet and it sits in the team leads' queue */
  handlerId: string | null;
  teamId: string | null;
  channel: HurryChannel;
  /** where the answer goes back: the SMS number or WeChat contact that asked; null for kiosk/web */
  replyAddress: string | null;
  message: string | null;
  status: HurryStatus;
  count: number;
  /** the first press */
  createdAt: number;
  /** the last press that was accepted; the cooldown runs from here */
  lastHurriedAt: number;
  /** when it escalates unless acknowledged */
  escalateAt: number;
  ackAt: number | null;
  ackBy: string | null;
  answeredAt: number | null;
  answeredBy: string | null;
  reply: string | null;
  escalatedAt: number | null;
  escalationReason: EscalationReason | null;
}

/** A new request: pressed once, open. */
export type NewHurry = Pick<Hurry, 'id' | 'applicationNo' | 'stepCode' | 'handlerId' | 'teamId' | 'channel' | 'replyAddress' | 'message' | 'createdAt' | 'escalateAt'>;

/** What a press, an acknowledgement, an answer or an escalation changes. */
export type HurryChange = Partial<Pick<Hurry, 'count' | 'lastHurriedAt' | 'message' | 'status' | 'ackAt' | 'ackBy' | 'answeredAt' | 'answeredBy' | 'reply' | 'escalatedAt' | 'escalationReason'>>;

export type HurryAction = 'created' | 'counted' | 'acknowledged' | 'answered' | 'escalated';

export interface HurryAuditEntry {
  action: HurryAction;
  /** 'customer', 'system' or a handler id */
  actor: string;
  at: number;
  detail: string | null;
}

export interface HurryStore {
  byId(id: string): Promise<Hurry | null>;
  /** the step's latest request (newest first press; the later reference on a tie) */
  latestOnStep(applicationNo: string, stepCode: string): Promise<Hurry | null>;
  /** newest first */
  ofApplication(applicationNo: string): Promise<Hurry[]>;
  /** The queue of `scope`: unanswered first, oldest first; then those answered since `answeredSince`. */
  queue(scope: StaffScope, answeredSince: number): Promise<Hurry[]>;
  /** open requests whose escalation time is at or before `now` */
  openDueBy(now: number): Promise<Hurry[]>;
  /** requests first pressed at or after `from` (the day's reference numbers); numbering is held until the transaction ends */
  countCreatedSince(from: number): Promise<number>;
  /** requests not yet answered */
  openCount(): Promise<number>;
  /** a new request, pressed once and open */
  insert(hurry: NewHurry): Promise<void>;
  update(id: string, change: HurryChange): Promise<void>;
  audit(hurryId: string, action: HurryAction, actor: string, at: number, detail?: string | null): Promise<void>;
  auditOf(hurryId: string): Promise<HurryAuditEntry[]>;
}
