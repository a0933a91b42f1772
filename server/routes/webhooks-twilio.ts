// Twilio webhooks (API.md §5): delivery status callbacks, checked against X-Twilio-Signature over PUBLIC_URL + path.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import formbody from '@fastify/formbody';
import Type from 'typebox';
import { requireTwilioSignature, type TwilioWebhookConfig } from './twilio-signed.ts';
import { TwilioStatusCallback, twilioDeliveryReport } from '../../channels/sms-twilio/callbacks.ts';
import { JiedianError } from '../errors.ts';
import { ErrorSchema } from '../schemas/error.ts';

const twilioWebhooks: FastifyPluginAsyncTypebox<{ config: TwilioWebhookConfig }> = async (app, { config }) => {
  const { deliveryStatus } = app.notices;
  await app.register(formbody);

  app.addHook('preValidation', requireTwilioSignature(config));

  app.post(
    '/status',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Twilio delivery status callback',
        body: TwilioStatusCallback,
        response: { 204: Type.Null(), 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request, reply) => {
      const report = twilioDeliveryReport(request.body);
      if (report === null) throw new JiedianError('JD_INVALID_REQUEST', `body.MessageStatus "${request.body.MessageStatus}" is not a known status`);
      if (!(await deliveryStatus.record(report))) throw new JiedianError('JD_NOT_FOUND', `no message ${report.providerId}`);
      return reply.code(204).send(null);
    },
  );
};

export default twilioWebhooks;
