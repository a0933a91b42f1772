// The store port of the chatbot's record: one conversation per channel and address with its messages, consults for
// a person (转人工), and the knowledge base's entries. Bindings have their own port (binding-store.ts).
import type { ChatChannelKind } from '../../db/schema/chat.ts';
import type { StaffScope } from '../staff/staff-accounts.ts';

export type { ChatChannelKind };

/**
 * One record per channel and address (an SMS number, a WeChat contact id, a kiosk/web session id): the dialogue
 * state, the binding lock, and for kiosk/web sessions the account proved in the session.
 */
export interface Conversation {
  id: string;
  channel: ChatChannelKind;
  address: string;
  /** what `readChatState` reads: the dialogue state and a session's scopes; null when idle */
  state: unknown;
  stateExpiresAt: number | null;
  /** wrong binding codes since the last success or lock */
  bindFailures: number;
  bindLockedUntil: number | null;
  /** kiosk/web: the account proved in this session */
  sessionAccountNo: string | null;
  sessionUntil: number | null;
  createdAt: number;
  lastMessageAt: number;
}

/** The conversation of an address's first message, nothing said yet. */
export type NewConversation = Pick<Conversation, 'id' | 'channel' | 'address' | 'createdAt'>;

/** An inbound message or a reply. Codes and query codes are stored masked. */
export interface ChatMessage {
  id: number;
  conversationId: string;
  direction: 'in' | 'out';
  text: string;
  /** inbound: what was understood */
  intent: string | null;
  /** inbound: the provider's id, so a redelivery is answered the same way */
  providerMessageId: string | null;
  /** outbound: the inbound message it answers */
  replyTo: number | null;
  at: number;
}

export type NewChatMessage = Pick<ChatMessage, 'conversationId' | 'direction' | 'text' | 'at'> & Partial<Pick<ChatMessage, 'intent' | 'providerMessageId' | 'replyTo'>>;

/** A customer asked for a person: an item in the team lead's queue. */
export interface Consult {
  /** also the reference the customer is given, e.g. ZX2611240003 */
  id: string;
  conversationId: string;
  channel: ChatChannelKind;
  address: string;
  accountNo: string | null;
  applicationNo: string | null;
  /** the team of the application's handler; null for a sender without a bound account (every team lead sees it) */
  teamId: string | null;
  /** the customer's recent messages, newest last */
  text: string;
  status: 'open' | 'closed';
  createdAt: number;
  closedAt: number | null;
  closedBy: string | null;
  note: string | null;
}

export type NewConsult = Omit<Consult, 'status' | 'closedAt' | 'closedBy' | 'note'>;

/** 服务征询知识库: an entry from the data file, or one staff edited. */
export interface KnowledgeRow {
  id: string;
  question: string;
  variants: string[];
  keywords: string[];
  answer: string;
  source: 'file' | 'staff';
  updatedAt: number;
  /** the handler id of the staff member who last edited it */
  updatedBy: string | null;
}

/** Whether a data-file entry says what the stored one says (then the file's refresh leaves it alone). */
export function sameKnowledge(stored: KnowledgeRow, file: Pick<KnowledgeRow, 'question' | 'answer' | 'variants' | 'keywords'>): boolean {
  return (
    stored.question === file.question &&
    stored.answer === file.answer &&
    JSON.stringify(stored.variants) === JSON.stringify(file.variants) &&
    JSON.stringify(stored.keywords) === JSON.stringify(file.keywords)
  );
}

export interface ChatStore {
  conversation(channel: ChatChannelKind, address: string): Promise<Conversation | null>;
  /**
   * The address's conversation, made now (idle, nothing said) when it has none, committed at once. Of two instances
   * given an address's first messages at once, both get the one conversation made.
   */
  openConversation(conversation: NewConversation): Promise<Conversation>;
  /** inserts or updates the whole conversation row */
  saveConversation(row: Conversation): Promise<void>;
  /** the inbound message a provider already delivered once, with the replies it got */
  redelivered(channel: ChatChannelKind, providerMessageId: string): Promise<{ intent: string | null; replies: string[] } | null>;
  /** the new message's id */
  insertMessage(message: NewChatMessage): Promise<number>;
  /** oldest first */
  messagesOf(conversationId: string): Promise<ChatMessage[]>;
  /** the last `limit` inbound messages, oldest first */
  recentInbound(conversationId: string, limit: number): Promise<{ text: string; at: number }[]>;

  /** the account's applications, newest first */
  applicationNosOfAccount(accountNo: string): Promise<string[]>;
  /** the account's applications registered with that phone, newest first */
  applicationNosByPhone(accountNo: string, phone: string): Promise<string[]>;

  /** consults opened at or after `from` (the day's reference numbers); numbering is held until the transaction ends */
  countConsultsSince(from: number): Promise<number>;
  insertConsult(consult: NewConsult): Promise<void>;
  consult(id: string): Promise<Consult | null>;
  /** the conversation's open consult, the newest when there are several */
  openConsultOf(conversationId: string): Promise<Consult | null>;
  /** open consults first, oldest first; those closed since `closedSince` after them */
  consultQueue(scope: StaffScope, closedSince: number): Promise<Consult[]>;
  /** false when it is not open (closed already, or no such consult) */
  closeConsult(id: string, by: string, at: number, note: string | null): Promise<boolean>;
  openConsultCount(): Promise<number>;

  /** by id */
  knowledgeEntries(): Promise<KnowledgeRow[]>;
  knowledgeEntry(id: string): Promise<KnowledgeRow | null>;
  /** count and latest change: cheap to compare before each retrieval, so an edit made by another instance is seen */
  knowledgeStamp(): Promise<string>;
  /** upserts a row from the data file, unless staff have edited that entry; whether it changed anything */
  upsertKnowledgeFromFile(row: Omit<KnowledgeRow, 'source' | 'updatedBy'>): Promise<boolean>;
  putKnowledge(row: Omit<KnowledgeRow, 'source'>): Promise<'created' | 'updated'>;
}

/**
 * What `Conversation.state` holds: the dialogue state (expiring at `stateExpiresAt`) and, for a kiosk/web session,
 * the applications the session has proved for its account (the ones whose query code was typed, or those with the
 * phone the binding code went to). An SMS number's or WeChat contact's scope is its bindings', not kept here. Rows
 * without a scope hold the bare dialogue state.
 */
export interface StoredChatState<Dialogue> {
  dialogue: Dialogue | null;
  /** account number → the application numbers it is bound for */
  scopes: Record<string, string[]>;
}

export function readChatState<Dialogue>(raw: unknown): StoredChatState<Dialogue> {
  if (raw !== null && typeof raw === 'object' && 'scopes' in raw && !('kind' in raw)) {
    const { dialogue, scopes } = raw as { dialogue?: Dialogue | null; scopes?: Record<string, string[]> };
    return { dialogue: dialogue ?? null, scopes: scopes ?? {} };
  }
  return { dialogue: (raw ?? null) as Dialogue | null, scopes: {} };
}

/** The column's value: the bare dialogue state while no scope is kept (as before), else both. */
export function chatStateColumn<Dialogue>(state: StoredChatState<Dialogue>): unknown {
  return Object.keys(state.scopes).length === 0 ? state.dialogue : { dialogue: state.dialogue, scopes: state.scopes };
}
