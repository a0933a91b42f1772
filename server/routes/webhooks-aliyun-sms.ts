// Aliyun SMS pushes: status reports update outbox rows; the customer's replies go to the chat, answered by template SMS.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { AliyunSmsReportItem, AliyunSmsUpItem, aliyunInbound, AliyunPushAccepted, aliyunPushAccepted, aliyunReceipts } from '../../channels/sms-aliyun/callbacks.ts';
import { ErrorSchema } from '../schemas/error.ts';
import { bodyCheckedByItem, callbackItems } from './sms-callback-items.ts';
import { SmsCallbackQuery, requireSmsCallbackToken, type SmsCallbackConfig } from './sms-callback-token.ts';

const reports = callbackItems(AliyunSmsReportItem, 'Aliyun SmsReport');
const replies = callbackItems(AliyunSmsUpItem, 'Aliyun SmsUp');

const aliyunSmsWebhooks: FastifyPluginAsyncTypebox<{ config: SmsCallbackConfig }> = async (app, { config }) => {
  const { templateSms } = app.inbound;
  // before the body is read: a caller without the token learns nothing, not even whether its body parses
  app.addHook('onRequest', requireSmsCallbackToken(config));

  app.post(
    '/sms-report',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Aliyun SmsReport: delivery status reports, each applied once (by biz_id and phone number); invalid items are logged and skipped, 400 only when none is valid',
        querystring: SmsCallbackQuery,
        body: Type.Array(AliyunSmsReportItem),
        response: { 200: AliyunPushAccepted, 400: ErrorSchema, 401: ErrorSchema },
      },
      validatorCompiler: bodyCheckedByItem,
    },
    async (request) => {
      await templateSms.recordReceipts('aliyun', aliyunReceipts(reports(request.body, request.log)));
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
        body: Type.Array(AliyunSmsUpItem),
        response: { 200: AliyunPushAccepted, 400: ErrorSchema, 401: ErrorSchema },
      },
      validatorCompiler: bodyCheckedByItem,
    },
    async (request) => {
      for (const sms of aliyunInbound(replies(request.body, request.log))) await templateSms.answer('aliyun', sms);
      return aliyunPushAccepted;
    },
  );
};

export default aliyunSmsWebhooks;
