// The Official Account's callback URL: GET answers WeChat's URL check, POST takes messages and events (plain or safe
// mode) and answers with a passive reply or `success`. A wrong signature gets 401 JD_UNAUTHORIZED and nothing else.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  ACKNOWLEDGED,
  CALLBACK_CONTENT_TYPES,
  CallbackQuery,
  MAX_CALLBACK_BYTES,
  checkSignature,
  CallbackBodyError,
  CallbackSignatureError,
  openCallback,
  passiveReply,
  urlCheckEcho,
  type CallbackSecrets,
} from '../../channels/wechat-oa/callback.ts';
import { JiedianError } from '../errors.ts';
import type { Config } from '../config.ts';
import type { Clock } from '../shared/clock.ts';
import { ErrorSchema } from '../schemas/error.ts';

const wechatOaWebhook: FastifyPluginAsyncTypebox<{ config: Pick<Config, 'wechatOa'>; clock: Clock }> = async (app, { config, clock }) => {
  const { wechatOaInbox } = app.inbound;
  const secrets: CallbackSecrets = config.wechatOa
    ? { appId: config.wechatOa.appId, token: config.wechatOa.token, aesKey: config.wechatOa.aesKey }
    : { appId: '', token: '', aesKey: null };

  app.addContentTypeParser(CALLBACK_CONTENT_TYPES, { parseAs: 'string', bodyLimit: MAX_CALLBACK_BYTES }, (_request, body, done) =>
    done(null, body),
  );

  const guard = <T>(work: () => T): T => {
    try {
      return work();
    } catch (error) {
      if (error instanceof CallbackSignatureError) throw new JiedianError('JD_UNAUTHORIZED', error.message);
      if (error instanceof CallbackBodyError) throw new JiedianError('JD_INVALID_REQUEST', `body: ${error.message}`);
      throw error;
    }
  };

  // before the body is validated: whatever a forged request carries, it gets 401 and nothing else
  app.addHook('preValidation', async (request) => guard(() => checkSignature(secrets, request.query as Record<string, string>)));

  app.get(
    '/',
    {
      schema: {
        tags: ['webhooks'],
        summary: "WeChat Official Account URL check: answers `echostr` when the signature is WeChat's",
        querystring: CallbackQuery,
        response: { 200: Type.String(), 400: ErrorSchema, 401: ErrorSchema },
      },
    },
    async (request, reply) => reply.type('text/plain; charset=utf-8').send(guard(() => urlCheckEcho(secrets, request.query))),
  );

  app.post(
    '/',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'WeChat Official Account messages and events (XML, plain or safe mode): a passive reply or `success`',
        querystring: CallbackQuery,
        body: Type.String({ description: 'the XML WeChat posts' }),
        response: { 200: Type.String({ description: 'a passive reply (XML) or `success`' }), 400: ErrorSchema, 401: ErrorSchema },
      },
    },
    async (request, reply) => {
      const opened = guard(() => openCallback(secrets, request.query, typeof request.body === 'string' ? request.body : ''));
      const text = await wechatOaInbox.handle(opened.message);
      if (text === null) return reply.type('text/plain; charset=utf-8').send(ACKNOWLEDGED);
      return reply.type('application/xml; charset=utf-8').send(passiveReply(secrets, opened, text, clock.now()));
    },
  );
};

export default wechatOaWebhook;
