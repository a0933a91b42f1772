// The mobile progress page's WeChat sign-in: the web authorization code → a view token for the bound account.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { QueryReply } from '../schemas/progress.ts';
import { ErrorSchema } from '../schemas/error.ts';

const SessionBody = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 128, description: 'the `code` WeChat web authorization (snsapi_base) put on the page URL' }),
  applicationNo: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'the application the message linked to' })),
});

const wechatOaWebRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { wechatOaWeb } = app.inbound;

  app.post(
    '/wechat-oa/session',
    {
      schema: {
        tags: ['customers'],
        summary: "Exchange a WeChat web authorization code for a view token of the account the user's OpenID is bound to",
        body: SessionBody,
        response: { 200: QueryReply, 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request) => wechatOaWeb.session(request.body.code, request.body.applicationNo ?? null),
  );
};

export default wechatOaWebRoutes;
