// The record of chat turns: each channel address's conversation (dialogue state, binding lock, kiosk session) and its
// messages, codes masked; a provider's redelivered message answered from the record.
import { CODE_MASK, maskCodes } from '../domain/chat/entities.ts';
import { stateTtlMs, type ChatChannel, type ConversationState, type StateChange } from '../domain/chat/dialogue.ts';
import type { Intent } from '../domain/chat/intents.ts';
import { randomUUID } from 'node:crypto';
import { chatStateColumn, type Conversation, type StoredChatState } from './chat-store.ts';
import type { Stores, Transact } from '../stores.ts';
import { isNoticeChannel, type InboundChatMessage, type TurnWork } from './turn-context.ts';

/**
 * Codes and query codes are kept out of the record: in every message whatever it says, any run that could be one;
 * in a message answering an awaited code, any run of 4 or more letters and digits (a short query code too).
 */
export function recordedText(text: string, secret: boolean): string {
  const masked = maskCodes(text);
  return secret ? masked.replace(/[0-9a-zA-Z０-９ａ-ｚＡ-Ｚ]{4,}/g, CODE_MASK) : masked;
}

function stateFields(change: StateChange, prior: StoredChatState<ConversationState>, scopes: Record<string, string[]> | undefined, now: number): Partial<Conversation> {
  const kept = scopes ?? prior.scopes;
  if (change.kind === 'set') return { state: chatStateColumn({ dialogue: change.state, scopes: kept }), stateExpiresAt: now + stateTtlMs[change.state.kind] };
  if (change.kind === 'clear') return { state: chatStateColumn({ dialogue: null, scopes: kept }), stateExpiresAt: null };
  return { state: chatStateColumn({ dialogue: prior.dialogue, scopes: kept }) };
}

/** A turn as it is recorded. */
export interface TurnRecord {
  message: InboundChatMessage;
  conversation: Conversation;
  prior: StoredChatState<ConversationState>;
  stateChange: StateChange;
  work: TurnWork;
  /** the inbound text as kept (codes masked) */
  recorded: string;
  intent: Intent;
  replies: string[];
  now: number;
}

export function createChatRecord({ stores, transact }: { stores: Stores; transact: Transact }) {
  const { chats } = stores;
  return {
    /**
     * The address's conversation, made for its first message. Made at once, before the turn, so that two first
     * messages taken by two instances at once are turns of one conversation (its id is what the turn's effects keep).
     */
    conversation: async (channel: ChatChannel, address: string, now: number): Promise<Conversation> =>
      (await chats.conversation(channel, address)) ?? (await chats.openConversation({ id: randomUUID(), channel, address, createdAt: now })),
    redelivered: (channel: ChatChannel, providerMessageId: string) => chats.redelivered(channel, providerMessageId),

    /** One unit of work: the conversation row, the effect's writes, the message and its replies. */
    async record(turn: TurnRecord): Promise<void> {
      const { message, conversation: base, work, now } = turn;
      const conversationId = base.id;
      // An SMS number's or WeChat contact's scope is on its bindings: none is kept in its conversation's state.
      const scopes = isNoticeChannel(message.channel) ? {} : work.scopes;
      await transact(async (stores) => {
        const { chats } = stores;
        await chats.saveConversation({ ...base, ...stateFields(turn.stateChange, turn.prior, scopes, now), ...work.patch, lastMessageAt: now });
        for (const write of work.writes) await write(stores);
        const inbound = await chats.insertMessage({
          conversationId,
          direction: 'in',
          text: turn.recorded,
          intent: turn.intent,
          providerMessageId: message.providerMessageId ?? null,
          at: now,
        });
        for (const r of turn.replies) await chats.insertMessage({ conversationId, direction: 'out', text: r, replyTo: inbound, at: now });
      });
    },

    /** A conversation's record, oldest first (tests, staff tools). */
    async transcript(channel: ChatChannel, address: string) {
      const conversation = await chats.conversation(channel, address);
      return conversation ? chats.messagesOf(conversation.id) : [];
    },
  };
}

export type ChatRecord = ReturnType<typeof createChatRecord>;
