// Twilio webhooks (API.md §5): delivery status callbacks, checked against X-Twilio-Signature over PUBLIC_URL + path.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import formbody from '@fastify/formbody';
import Type from 'typebox';
import { requireTwilioSignature } from './twilio-signed.ts';
import { mapTwilioStatus } from '../../channels/sms-twilio.ts';
import { JiedianError } from '../errors.ts';
import { ErrorSchema } from '../schemas/error.ts';

const OPTED_OUT_CODE = '21610';

const StatusCallback = Type.Object({
  MessageSid: Type.String({ minLength: 1, maxLength: 64 }),
  MessageStatus: Type.String({ minLength: 1, maxLength: 32 }),
  ErrorCode: Type.Optional(Type.String({ maxLength: 16 })),
});

const twilioWebhooks: FastifyPluginAsyncTypebox = async (app) => {
  const { config, deliveryStatus } = app.jiedian;
  await app.register(formbody);

  app.addHook('preValidation', requireTwilioSignature(config));

  app.post(
    '/status',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Twilio delivery status callback',
        body: StatusCallback,
        response: { 204: Type.Null(), 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request, reply) => {
      const status = mapTwilioStatus(request.body.MessageStatus);
      if (status === null) throw new JiedianError('JD_INVALID_REQUEST', `body.MessageStatus "${request.body.MessageStatus}" is not a known status`);
      const errorCode = request.body.ErrorCode || null;
      const known = deliveryStatus.record({ providerId: request.body.MessageSid, status, errorCode, optedOut: errorCode === OPTED_OUT_CODE });
      if (!known) throw new JiedianError('JD_NOT_FOUND', `no message ${request.body.MessageSid}`);
      return reply.code(204).send(null);
    },
  );
};

export default twilioWebhooks;
