// What one chat turn is about: the inbound message from any channel, what the turn found, and what it will write.
import type { ChatChannel, ConversationState } from '../domain/chat/dialogue.ts';
import type { Intent } from '../domain/chat/intents.ts';
import type { TemplateReply } from '../domain/chat/template-replies.ts';
import type { Conversation } from './chat-store.ts';
import type { Stores } from '../stores.ts';
import type { ViewClaims } from '../customers/customer-access.ts';

export const MAX_CHAT_TEXT = 500;

export interface InboundChatMessage {
  channel: ChatChannel;
  /** SMS number (normalised), WeChat contact id, or kiosk/web session id */
  address: string;
  text: string;
  /** the provider's message id: a redelivery gets the recorded answer instead of a second turn */
  providerMessageId?: string | null;
  /** a group chat where the bot was mentioned: nothing private is said there */
  public?: boolean;
  /** kiosk/web: the claims of the view token the session carries (treated as bound to that account) */
  viewClaims?: ViewClaims | null;
  /** kiosk/web: the client's network address (a session id is the client's to make up; this is not) */
  clientAddress?: string | null;
  /** kiosk: the client presented the business hall's device key (KIOSK_DEVICE_KEY) */
  kioskDevice?: boolean;
}

export interface ChatResult {
  intent: Intent;
  replies: string[];
  /** the answer as a template SMS (Aliyun, Tencent); null for a redelivered message, answered before */
  template: TemplateReply | null;
}

/** SMS numbers, WeChat contacts and Official Account followers are notice addresses (bound); kiosk/web are sessions. */
export const isNoticeChannel = (channel: ChatChannel): channel is 'sms' | 'wechat' | 'wechat_oa' =>
  channel === 'sms' || channel === 'wechat' || channel === 'wechat_oa';

/** What carrying out the turn's effect leaves to write in the transaction that records the turn. */
export interface TurnWork {
  /** run inside the transaction that records the turn */
  writes: ((stores: Stores) => void | Promise<void>)[];
  patch: Partial<Conversation>;
  /** the applications each proved account covers, when this turn changes them */
  scopes?: Record<string, string[]>;
  wake: boolean;
}

/** One turn as its effect sees it. */
export interface Turn {
  message: InboundChatMessage;
  /** the message as it is kept on record (codes masked) */
  recorded: string;
  conversation: Conversation | undefined;
  conversationId: string;
  state: ConversationState | null;
  now: number;
  work: TurnWork;
}
