// Twilio inbound SMS (API.md §5): the form post, signed over PUBLIC_URL + path, mapped to the provider-neutral
// InboundSms for the chat service; the replies go back as TwiML.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import formbody from '@fastify/formbody';
import Type from 'typebox';
import { requireTwilioSignature, type TwilioWebhookConfig } from './twilio-signed.ts';
import type { Config } from '../config.ts';
import { TWIML_CONTENT_TYPE, TwilioInboundSms, twilioInboundSms, twimlReply } from '../../channels/sms-twilio/callbacks.ts';
import { smsReplyText } from '../domain/chat/replies.ts';
import { ErrorSchema } from '../schemas/error.ts';

const twilioSmsWebhook: FastifyPluginAsyncTypebox<{ config: TwilioWebhookConfig & Pick<Config, 'smsSignature'> }> = async (app, { config }) => {
  const chat = app.chat.turns;
  await app.register(formbody);

  app.addHook('preValidation', requireTwilioSignature(config));

  app.post(
    '/sms',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Twilio inbound SMS: the customer\'s message goes to the chatbot; the answer is TwiML',
        body: TwilioInboundSms,
        response: { 200: Type.String({ description: 'TwiML (text/xml): <Response><Message>…</Message></Response>' }), 400: ErrorSchema, 401: ErrorSchema },
      },
    },
    async (request, reply) => {
      const sms = twilioInboundSms(request.body);
      const result = sms.text.trim() === '' ? null : await chat.handleSms(sms);
      const text = result ? smsReplyText(result.replies, config.smsSignature) : null;
      return reply.type(TWIML_CONTENT_TYPE).send(twimlReply(text));
    },
  );
};

export default twilioSmsWebhook;
