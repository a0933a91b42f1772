// Schemas of the sync API (API.md §1): the contract and the TypeScript types come from the same definitions.
import Type, { type Static } from 'typebox';
import { applicationStatuses, syncEventTypes } from '../../db/schema/applications.ts';
import { handlerRoles } from '../../db/schema/reference.ts';

export const Identifier = (description: string) => Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$', description });
export const Phone = Type.String({ pattern: '^\\+?[0-9][0-9-]{4,19}$', description: 'mobile or landline, digits' });
export const Name = Type.String({ minLength: 1, maxLength: 100 });
export const Email = Type.String({ format: 'email', maxLength: 254, description: 'an e-mail address' });

export const HandlerParams = Type.Object({ handlerId: Identifier('the marketing system\'s handler id') });
export const HandlerBody = Type.Object({
  name: Name,
  phone: Phone,
  teamId: Identifier('team id'),
  teamName: Name,
  role: Type.Enum(handlerRoles.filter((r) => r !== 'admin')),
  wecomUserId: Type.Optional(
    Type.Union([Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.@-]+$' }), Type.Null()], {
      description: 'the handler\'s WeCom (企业微信) member id: hurries, overdue alerts and the weekly digest also go there',
    }),
  ),
  email: Type.Optional(Type.Union([Email, Type.Null()], { description: 'a team lead\'s weekly digest is e-mailed here, with the timeliness CSV' })),
});
export type HandlerBody = Static<typeof HandlerBody>;

export const HandlerView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  phone: Type.String(),
  teamId: Type.String(),
  teamName: Type.String(),
  role: Type.String(),
  /** present when synced */
  wecomUserId: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
});

export const ApplicationParams = Type.Object({ applicationNo: Identifier('工单号, the application number') });
export const ApplicationBody = Type.Object({
  accountNo: Type.String({ pattern: '^[0-9A-Za-z]{4,32}$', description: '户号' }),
  customerName: Name,
  processCode: Type.String({ minLength: 1, maxLength: 64 }),
  capacityKva: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 10_000_000 }), Type.Null()])),
  address: Type.Optional(Type.String({ maxLength: 200 })),
  phone: Phone,
  queryCode: Type.String({ minLength: 6, maxLength: 12, description: '查询密码; stored only as an HMAC' }),
  requestedConnectDate: Type.Optional(Type.Union([Type.String({ format: 'date' }), Type.Null()])),
  acceptedAt: Type.String({ format: 'date-time' }),
  status: Type.Enum(applicationStatuses),
  accountManagerId: Type.Optional(Type.Union([Identifier('客户经理 handler id'), Type.Null()])),
  email: Type.Optional(Type.Union([Email, Type.Null()], { description: 'the customer\'s e-mail: step and plan notices also go there' })),
});
export type ApplicationBody = Static<typeof ApplicationBody>;

export const SyncEvent = Type.Object({
  eventId: Identifier('unique id of the event; a repeat is a duplicate'),
  applicationNo: Identifier('工单号'),
  stepCode: Type.String({ minLength: 1, maxLength: 64 }),
  type: Type.Enum(syncEventTypes),
  at: Type.String({ format: 'date-time' }),
  handlerId: Type.Optional(Type.Union([Identifier('handler id'), Type.Null()])),
});
export type SyncEvent = Static<typeof SyncEvent>;

export const MAX_EVENTS_PER_BATCH = 1000;

/** Events are judged one by one, so the batch schema only bounds the array; each item is checked against SyncEvent. */
export const EventBatchBody = Type.Object({
  events: Type.Array(Type.Unknown({ description: 'a SyncEvent' }), { minItems: 1, maxItems: MAX_EVENTS_PER_BATCH }),
});

export const Rejection = Type.Object({ eventId: Type.Union([Type.String(), Type.Null()]), code: Type.String(), message: Type.String() });
export const BatchResult = Type.Object({
  accepted: Type.Integer(),
  duplicates: Type.Integer(),
  parked: Type.Integer(),
  rejected: Type.Array(Rejection),
});
export type BatchResult = Static<typeof BatchResult>;
