// Aliyun SMS pushes: status reports update outbox rows; the customer's replies go to the chat, answered by template SMS.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AliyunSmsReport, AliyunSmsUp, aliyunInbound, AliyunPushAccepted, aliyunPushAccepted, aliyunReceipts } from '../../channels/sms-aliyun/callbacks.ts';
import { ErrorSchema } from '../schemas/error.ts';
import { SmsCallbackQuery, requireSmsCallbackToken } from './sms-callback-token.ts';


const aliyunSmsWebhooks: FastifyPluginAsyncTypebox = async (app) => {
  const { config, templateSms } = app.jiedian;
  app.addHook('preValidation', requireSmsCallbackToken(config));

  app.post(
    '/sms-report',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Aliyun SmsReport: delivery status reports, each applied once (by biz_id and phone number)',
        querystring: SmsCallbackQuery,
        body: AliyunSmsReport,
        response: { 200: AliyunPushAccepted, 400: ErrorSchema, 401: ErrorSchema },
      },
    },
    async (request) => {
      templateSms.recordReceipts('aliyun', aliyunReceipts(request.body));
      return aliyunPushAccepted;
    },
  );

  app.post(
    '/sms-up',
    {
      schema: {
        tags: ['webhooks'],
        summary: "Aliyun SmsUp: the customer's replies go to the chatbot (once per sequence_id); answers go back as template SMS",
        querystring: SmsCallbackQuery,
        body: AliyunSmsUp,
        response: { 200: AliyunPushAccepted, 400: ErrorSchema, 401: ErrorSchema },
      },
    },
    async (request) => {
      for (const sms of aliyunInbound(request.body)) templateSms.answer('aliyun', sms);
      return aliyunPushAccepted;
    },
  );
};

export default aliyunSmsWebhooks;
