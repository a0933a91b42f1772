// The preValidation hook both Twilio webhooks share: a request counts only with a valid X-Twilio-Signature.
import type { FastifyRequest } from 'fastify';
import { TWILIO_SIGNATURE_HEADER, isValidTwilioSignature } from '../../channels/sms-twilio/signature.ts';
import type { Config } from '../config.ts';
import { JiedianError } from '../errors.ts';

/** The configuration Twilio's webhooks are checked against. */
export type TwilioWebhookConfig = Pick<Config, 'twilio' | 'publicUrl'>;

export function requireTwilioSignature(config: TwilioWebhookConfig) {
  return async (request: FastifyRequest): Promise<void> => {
    const valid =
      config.twilio !== null &&
      isValidTwilioSignature({
        authToken: config.twilio.authToken,
        publicUrl: config.publicUrl,
        path: request.url,
        params: (request.body ?? {}) as Record<string, unknown>,
        signature: request.headers[TWILIO_SIGNATURE_HEADER] as string | undefined,
      });
    if (!valid) throw new JiedianError('JD_UNAUTHORIZED', 'missing or invalid X-Twilio-Signature');
  };
}
