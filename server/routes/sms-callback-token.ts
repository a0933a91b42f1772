// The onRequest hook of the mainland SMS providers' callbacks, which they do not sign: a request counts only
// with SMS_CALLBACK_TOKEN as its `token` query parameter, and from an allowed source when a list is configured
// (behind a trusted reverse proxy: the source it forwards for).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { Config } from '../config.ts';
import { JiedianError } from '../errors.ts';
import { ipMatcher, plainAddress } from '../ip-ranges.ts';

/** The callback URLs' query: the token (checked by the hook, before the body is read). */
export const SmsCallbackQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 256 })) });

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The address a request came from: the connection's, or — when that is a trusted reverse proxy — the nearest
 * address in X-Forwarded-For that is not one (the proxies append; anything further left the client could have written).
 */
export function callbackSource(request: FastifyRequest, isTrustedProxy: (address: string) => boolean): string {
  let source = plainAddress(request.socket.remoteAddress ?? request.ip);
  const header = request.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((s) => s.trim()).filter((s) => s !== '');
  while (isTrustedProxy(source) && forwarded.length > 0) source = plainAddress(forwarded.pop()!);
  return source;
}

/** The configuration an SMS provider's callback routes check requests against. */
export type SmsCallbackConfig = Pick<Config, 'smsCallbacks'>;

export function requireSmsCallbackToken(config: SmsCallbackConfig) {
  const { token, allowedSources, trustedProxies } = config.smsCallbacks;
  const expected = token === null ? null : digest(token);
  const allowed = allowedSources === null ? null : ipMatcher(allowedSources);
  const isTrustedProxy = ipMatcher(trustedProxies);
  return async (request: FastifyRequest): Promise<void> => {
    const given = (request.query as Record<string, unknown> | undefined)?.token;
    const valid = expected !== null && typeof given === 'string' && timingSafeEqual(digest(given), expected);
    if (!valid) throw new JiedianError('JD_UNAUTHORIZED', 'missing or wrong token query parameter');
    if (allowed === null) return;
    const source = callbackSource(request, isTrustedProxy);
    if (!allowed(source)) throw new JiedianError('JD_UNAUTHORIZED', `source ${source} is not in SMS_CALLBACK_ALLOWED_SOURCES`);
  };
}
