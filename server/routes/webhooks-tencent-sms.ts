// Tencent Cloud SMS callbacks: status reports update outbox rows; the customer's replies go to the chat, answered
// by template SMS.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { TencentSmsReply, TencentSmsStatus, TencentCallbackAccepted, tencentCallbackAccepted, tencentInbound, tencentReceipts } from '../../channels/sms-tencent/callbacks.ts';
import { ErrorSchema } from '../schemas/error.ts';
import { SmsCallbackQuery, requireSmsCallbackToken } from './sms-callback-token.ts';


const tencentSmsWebhooks: FastifyPluginAsyncTypebox = async (app) => {
  const { config, templateSms } = app.jiedian;
  app.addHook('preValidation', requireSmsCallbackToken(config));

  app.post(
    '/sms-status',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Tencent Cloud SMS status reports, each applied once (by sid and phone number)',
        querystring: SmsCallbackQuery,
        body: TencentSmsStatus,
        response: { 200: TencentCallbackAccepted, 400: ErrorSchema, 401: ErrorSchema },
      },
    },
    async (request) => {
      templateSms.recordReceipts('tencent', tencentReceipts(request.body));
      return tencentCallbackAccepted;
    },
  );

  app.post(
    '/sms-reply',
    {
      schema: {
        tags: ['webhooks'],
        summary: "Tencent Cloud SMS replies: the customer's message goes to the chatbot (once); the answer goes back as template SMS",
        querystring: SmsCallbackQuery,
        body: TencentSmsReply,
        response: { 200: TencentCallbackAccepted, 400: ErrorSchema, 401: ErrorSchema },
      },
    },
    async (request) => {
      for (const sms of tencentInbound(request.body)) templateSms.answer('tencent', sms);
      return tencentCallbackAccepted;
    },
  );
};

export default tencentSmsWebhooks;
