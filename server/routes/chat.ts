// The kiosk/web chat channel (API.md §5): one message in, the intent and the replies out; rate-limited.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { JiedianError } from '../errors.ts';
import { FailureLimiter } from '../domain/failure-limiter.ts';
import { ChatMessageBody, ChatMessageReply } from '../schemas/chat.ts';
import { ErrorSchema } from '../schemas/error.ts';
import { isKioskDevice } from './kiosk-device.ts';
import type { CustomerAccess } from '../customers/customer-access.ts';
import type { Clock } from '../services/clock.ts';

const MINUTE = 60_000;
/** messages a kiosk/web session may send per minute */
export const CHAT_MESSAGES_PER_SESSION = 20;
/** messages one client address may send per minute, whatever session ids it makes up */
export const CHAT_MESSAGES_PER_CLIENT = 60;

export interface ChatRoutesOptions {
  customers: CustomerAccess;
  clock: Clock;
  kioskDeviceKey: string | null;
}

const chatRoutes: FastifyPluginAsyncTypebox<ChatRoutesOptions> = async (app, { customers, clock, kioskDeviceKey }) => {
  const chat = app.chat.turns;
  // A FailureLimiter counts events in a sliding window: here every message counts, not only failures.
  const perSession = new FailureLimiter({ maxFailures: CHAT_MESSAGES_PER_SESSION, windowMs: MINUTE });
  const perClient = new FailureLimiter({ maxFailures: CHAT_MESSAGES_PER_CLIENT, windowMs: MINUTE });

  app.post(
    '/chat/messages',
    {
      schema: {
        tags: ['chat'],
        summary: 'Send a kiosk/web chat message; answers with the intent recognised and the replies',
        description:
          'A session that carries a view token (from POST /api/v1/progress/query) in Authorization is treated as bound to that account. ' +
          `Limited to ${CHAT_MESSAGES_PER_SESSION} messages a minute per session and ${CHAT_MESSAGES_PER_CLIENT} per client address. ` +
          'X-Jiedian-Channel: web marks the web page (default: kiosk).',
        security: [{}, { viewToken: [] }],
        body: ChatMessageBody,
        response: { 200: ChatMessageReply, 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema },
      },
    },
    async (request) => {
      const now = clock.now();
      const { sessionId, text } = request.body;
      const wait = Math.max(perSession.retryAfterSeconds(sessionId, now), perClient.retryAfterSeconds(request.ip, now));
      if (wait > 0) {
        throw new JiedianError('JD_RATE_LIMITED', `too many chat messages; try again in ${wait} seconds`, {
          headers: { 'retry-after': String(wait) },
          body: { retryAfterSeconds: wait },
        });
      }
      perSession.fail(sessionId, now);
      perClient.fail(request.ip, now);
      // A token that no longer verifies is the kiosk's cue to ask for the query code again, not something to ignore.
      const viewClaims = request.headers.authorization ? customers.claims(request.headers.authorization) : null;
      const channel = request.headers['x-jiedian-channel'] === 'web' ? 'web' : 'kiosk';
      return chat.handle({ channel, address: sessionId, text, viewClaims, clientAddress: request.ip, kioskDevice: isKioskDevice(request, kioskDeviceKey) });
    },
  );
};

export default chatRoutes;
