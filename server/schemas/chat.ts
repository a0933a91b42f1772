// Schemas of the kiosk/web chat (API.md §5; the vendors' webhook bodies are in their channels/ folders) and of the
// staff's knowledge-base and consult routes.
import Type from 'typebox';
import { intentNames } from '../domain/chat/intents.ts';

const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Instant = Type.String({ format: 'date-time' });

export const ChatMessageBody = Type.Object({
  sessionId: Type.String({ minLength: 16, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$', description: 'a random id the kiosk or web page keeps for the session (e.g. a UUID)' }),
  text: Type.String({ minLength: 1, maxLength: 500 }),
});

export const ChatMessageReply = Type.Object({
  intent: Type.Enum([...intentNames]),
  replies: Type.Array(Type.String()),
});

export const ConsultSchema = Type.Object({
  id: Type.String({ description: 'also the reference the customer was given' }),
  channel: Type.Enum(['sms', 'wechat', 'wechat_oa', 'kiosk', 'web']),
  address: Type.String({ description: 'the SMS number, WeChat contact id or kiosk/web session that asked' }),
  accountNo: Nullable(Type.String()),
  applicationNo: Nullable(Type.String()),
  teamId: Nullable(Type.String()),
  text: Type.String({ description: "the customer's recent messages, newest last" }),
  status: Type.Enum(['open', 'closed']),
  createdAt: Instant,
  closedAt: Nullable(Instant),
  closedBy: Nullable(Type.String()),
  note: Nullable(Type.String()),
});

export const ConsultIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export const CloseConsultBody = Type.Object({ note: Type.Optional(Type.String({ maxLength: 1000 })) });
export const ConsultReply = Type.Object({ consult: ConsultSchema });

const Texts = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 30 });

export const KnowledgeEntrySchema = Type.Object({
  id: Type.String(),
  question: Type.String(),
  variants: Type.Array(Type.String()),
  keywords: Type.Array(Type.String()),
  answer: Type.String(),
  source: Type.Enum(['file', 'staff'], { description: 'file: from catalog/knowledge-base.json; staff: edited here (the file no longer overwrites it)' }),
  updatedAt: Instant,
  updatedBy: Nullable(Type.String()),
});

export const KnowledgeIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9_-]*$' }) });
export const KnowledgePutBody = Type.Object({
  question: Type.String({ minLength: 1, maxLength: 200 }),
  variants: Type.Optional(Texts),
  keywords: Type.Optional(Texts),
  answer: Type.String({ minLength: 1, maxLength: 300, description: 'plain, short Simplified Chinese; at most 300 characters (SMS replies stay within 3 segments)' }),
});
export const KnowledgeEntryReply = Type.Object({ entry: KnowledgeEntrySchema });
export const KnowledgeListReply = Type.Object({ entries: Type.Array(KnowledgeEntrySchema) });
