// Aliyun SMS pushes: status reports update outbox rows; the customer's replies go to the chat, answered by template SMS.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { AliyunSmsReport, AliyunSmsUp, aliyunInbound, aliyunPushAccepted, aliyunReceipts } from '../../channels/sms-aliyun/callbacks.ts';
import { ErrorSchema } from '../schemas/error.ts';
import { requireSmsCallbackToken } from './sms-callback-token.ts';

const Accepted = Type.Object({ code: Type.Integer(), msg: Type.String() });
const Query = Type.Object({ token: Type.Optional(Type.String({ maxLength: 256 })) });

const aliyunSmsWebhooks: FastifyPluginAsyncTypebox = async (app) => {
  const { config, templateSms } = app.jiedian;
  app.addHook('preValidation', requireSmsCallbackToken(config));

  app.post(
    '/sms-report',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Aliyun SmsReport: delivery status reports, each applied once (by biz_id and phone number)',
        querystring: Query,
        body: AliyunSmsReport,
        response: { 200: Accepted, 400: ErrorSchema, 401: ErrorSchema },
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
        querystring: Query,
        body: AliyunSmsUp,
        response: { 200: Accepted, 400: ErrorSchema, 401: ErrorSchema },
      },
    },
    async (request) => {
      for (const sms of aliyunInbound(request.body)) templateSms.answer('aliyun', sms);
      return aliyunPushAccepted;
    },
  );
};

export default aliyunSmsWebhooks;
