// The onRequest hook of the mainland SMS providers' callbacks, which they do not sign: a request counts only
// with SMS_CALLBACK_TOKEN as its `token` query parameter, and from an allowed source when a list is configured.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { Config } from '../config.ts';
import { JiedianError } from '../errors.ts';

/** The callback URLs' query: the token (checked by the hook, before the body is read). */
export const SmsCallbackQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 256 })) });

const digest = (value: string) => createHash('sha256').update(value).digest();

export function requireSmsCallbackToken(config: Config) {
  const { token, allowedSources } = config.smsCallbacks;
  const expected = token === null ? null : digest(token);
  return async (request: FastifyRequest): Promise<void> => {
    const given = (request.query as Record<string, unknown> | undefined)?.token;
    const valid = expected !== null && typeof given === 'string' && timingSafeEqual(digest(given), expected);
    if (!valid) throw new JiedianError('JD_UNAUTHORIZED', 'missing or wrong token query parameter');
    const source = request.ip.replace(/^::ffff:/, '');
    if (allowedSources !== null && !allowedSources.includes(source)) throw new JiedianError('JD_UNAUTHORIZED', `source ${source} is not in SMS_CALLBACK_ALLOWED_SOURCES`);
  };
}
