// Tencent Cloud SMS callbacks: status reports update outbox rows; the customer's replies go to the chat, answered
// by template SMS.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { TencentReply, TencentStatusReport, TencentCallbackAccepted, tencentCallbackAccepted, tencentInbound, tencentReceipts } from '../../channels/sms-tencent/callbacks.ts';
import { ErrorSchema } from '../schemas/error.ts';
import { bodyCheckedByItem, callbackItems } from './sms-callback-items.ts';
import { SmsCallbackQuery, requireSmsCallbackToken, type SmsCallbackConfig } from './sms-callback-token.ts';

const reports = callbackItems(TencentStatusReport, 'Tencent Cloud SMS status reports');
const replies = callbackItems(TencentReply, 'Tencent Cloud SMS replies');

const tencentSmsWebhooks: FastifyPluginAsyncTypebox<{ config: SmsCallbackConfig }> = async (app, { config }) => {
  const { templateSms } = app.inbound;
  // before the body is read: a caller without the token learns nothing, not even whether its body parses
  app.addHook('onRequest', requireSmsCallbackToken(config));

  app.post(
    '/sms-status',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Tencent Cloud SMS status reports, each applied once (by sid and phone number); invalid items are logged and skipped, 400 only when none is valid',
        querystring: SmsCallbackQuery,
        body: Type.Array(TencentStatusReport),
        response: { 200: TencentCallbackAccepted, 400: ErrorSchema, 401: ErrorSchema },
      },
      validatorCompiler: bodyCheckedByItem,
    },
    async (request) => {
      await templateSms.recordReceipts('tencent', tencentReceipts(reports(request.body, request.log)));
      return tencentCallbackAccepted;
    },
  );

  app.post(
    '/sms-reply',
    {
      schema: {
        tags: ['webhooks'],
        summary: "Tencent Cloud SMS replies (one per request; a list is taken as well): the customer's message goes to the chatbot (once); the answer goes back as template SMS",
        querystring: SmsCallbackQuery,
        body: Type.Union([TencentReply, Type.Array(TencentReply)]),
        response: { 200: TencentCallbackAccepted, 400: ErrorSchema, 401: ErrorSchema },
      },
      validatorCompiler: bodyCheckedByItem,
    },
    async (request) => {
      for (const sms of tencentInbound(replies(request.body, request.log, { single: true }))) await templateSms.answer('tencent', sms);
      return tencentCallbackAccepted;
    },
  );
};

export default tencentSmsWebhooks;
