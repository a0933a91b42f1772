// The kiosk/web chat channel (API.md §5): one message in, the intent and the replies out; rate-limited.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { JiedianError } from '../errors.ts';
import { createWindowLimit } from '../limits/window-limit.ts';
import type { AttemptLog } from '../limits/attempt-log.ts';
import { ChatMessageBody, ChatMessageReply } from '../schemas/chat.ts';
import { ErrorSchema } from '../schemas/error.ts';
import { isKioskDevice } from './kiosk-device.ts';
import type { CustomerAccess } from '../customers/customer-access.ts';
import type { Clock } from '../shared/clock.ts';

const MINUTE = 60_000;
/** messages a kiosk/web session may send per minute */
export const CHAT_MESSAGES_PER_SESSION = 20;
/** messages one client address may send per minute, whatever session ids it makes up */
export const CHAT_MESSAGES_PER_CLIENT = 60;

export interface ChatRoutesOptions {
  customers: CustomerAccess;
  clock: Clock;
  kioskDeviceKey: string | null;
  /** where messages are counted (shared by every instance on one database) */
  attempts: AttemptLog;
}

const chatRoutes: FastifyPluginAsyncTypebox<ChatRoutesOptions> = async (app, { customers, clock, kioskDeviceKey, attempts }) => {
  const chat = app.chat.turns;
  // every message counts, not only failures
  const perSession = createWindowLimit(attempts, 'chat/session', { maxFailures: CHAT_MESSAGES_PER_SESSION, windowMs: MINUTE });
  const perClient = createWindowLimit(attempts, 'chat/client', { maxFailures: CHAT_MESSAGES_PER_CLIENT, windowMs: MINUTE });

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
      const wait = Math.max(await perSession.retryAfterSeconds(sessionId, now), await perClient.retryAfterSeconds(request.ip, now));
      if (wait > 0) {
        throw new JiedianError('JD_RATE_LIMITED', `too many chat messages; try again in ${wait} seconds`, {
          headers: { 'retry-after': String(wait) },
          body: { retryAfterSeconds: wait },
        });
      }
      await perSession.add(sessionId, now);
      await perClient.add(request.ip, now);
      // A token that no longer verifies is the kiosk's cue to ask for the query code again, not something to ignore.
      const viewClaims = request.headers.authorization ? customers.claims(request.headers.authorization) : null;
      const channel = request.headers['x-jiedian-channel'] === 'web' ? 'web' : 'kiosk';
      return chat.handle({ channel, address: sessionId, text, viewClaims, clientAddress: request.ip, kioskDevice: isKioskDevice(request, kioskDeviceKey) });
    },
  );
};

export default chatRoutes;
