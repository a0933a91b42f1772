// Customer progress API (API.md §2): query with account number and query code, then read by view token.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ApplicationReply, NotificationsBody, NotificationsReply, QueryBody, QueryReply } from '../schemas/progress.ts';
import { CustomerHurryBody, CustomerHurryReply } from '../schemas/staff.ts';
import { ApplicationParams } from '../schemas/sync.ts';
import { ErrorSchema } from '../schemas/error.ts';
import { isKioskDevice } from './kiosk-device.ts';
import { CustomerRatedReply, CustomerRatingBody, CustomerRatingReply } from '../schemas/risks.ts';
import { maskCodes } from '../domain/chat/entities.ts';
import { JiedianError } from '../errors.ts';
import type { CustomerAccess } from '../customers/customer-access.ts';
import type { RatingService } from '../risks/ratings.ts';

export interface ProgressRoutesOptions {
  customers: CustomerAccess;
  ratings: RatingService;
  kioskDeviceKey: string | null;
}

const progressRoutes: FastifyPluginAsyncTypebox<ProgressRoutesOptions> = async (app, { customers, ratings, kioskDeviceKey }) => {
  const { hurries } = app;
  const { mutes } = app.notices;

  app.post(
    '/progress/query',
    {
      schema: {
        tags: ['customers'],
        summary: 'Exchange account number + query code for a 15-minute view token and the account\'s applications',
        body: QueryBody,
        response: { 200: QueryReply, 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema },
      },
    },
    async (request) => customers.query(request.body.accountNo, request.body.queryCode, request.ip, isKioskDevice(request, kioskDeviceKey)),
  );

  app.get(
    '/progress/:applicationNo',
    {
      schema: {
        tags: ['customers'],
        summary: 'Read one application with a view token',
        security: [{ viewToken: [] }],
        params: ApplicationParams,
        response: { 200: ApplicationReply, 401: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request) => ({ application: await customers.read(customers.claims(request.headers.authorization), request.params.applicationNo) }),
  );

  app.post(
    '/applications/:applicationNo/hurry',
    {
      schema: {
        tags: ['customers'],
        summary: 'Hurry (催办) the current step of an application; one per step within the cooldown',
        security: [{ viewToken: [] }],
        params: ApplicationParams,
        body: CustomerHurryBody,
        response: { 202: CustomerHurryReply, 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 429: ErrorSchema },
      },
      // The message is optional, and so is the body: a kiosk's hurry button may post nothing at all.
      preValidation: async (request) => {
        if (request.body === undefined) request.body = {};
      },
    },
    async (request, reply) => {
      const claims = customers.claims(request.headers.authorization);
      await customers.read(claims, request.params.applicationNo);
      const channel = request.headers['x-jiedian-channel'] === 'web' ? 'web' : 'kiosk';
      const { hurry, handlerName, nextHurryAt } = await hurries.request({ applicationNo: request.params.applicationNo, channel, message: request.body?.message ?? null });
      return reply.code(202).send({ hurry: hurries.customerView(hurry, handlerName, nextHurryAt) });
    },
  );

  app.get(
    '/applications/:applicationNo/notifications',
    {
      schema: {
        tags: ['customers'],
        summary: 'Whether the customer muted this application\'s notices (免打扰)',
        security: [{ viewToken: [] }],
        params: ApplicationParams,
        response: { 200: NotificationsReply, 401: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      await customers.read(customers.claims(request.headers.authorization), request.params.applicationNo);
      return { notifications: await mutes.state(request.params.applicationNo) };
    },
  );

  app.put(
    '/applications/:applicationNo/notifications',
    {
      schema: {
        tags: ['customers'],
        summary: 'Mute or unmute this application\'s notices for every address (the kiosk\'s switch); the others are not touched',
        security: [{ viewToken: [] }],
        params: ApplicationParams,
        body: NotificationsBody,
        response: { 200: NotificationsReply, 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      await customers.read(customers.claims(request.headers.authorization), request.params.applicationNo);
      const source = request.headers['x-jiedian-channel'] === 'web' ? 'web' : 'kiosk';
      return { notifications: await mutes.set(request.params.applicationNo, request.body.muted, source) };
    },
  );

  app.get(
    '/applications/:applicationNo/rating',
    {
      schema: {
        tags: ['customers'],
        summary: 'The satisfaction follow-up (回访) of a switched-on application: asked, rated, and whether it may still be given or changed',
        security: [{ viewToken: [] }],
        params: ApplicationParams,
        response: { 200: CustomerRatingReply, 401: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      await customers.read(customers.claims(request.headers.authorization), request.params.applicationNo);
      return { rating: await ratings.customerView(request.params.applicationNo) };
    },
  );

  app.put(
    '/applications/:applicationNo/rating',
    {
      schema: {
        tags: ['customers'],
        summary: 'Rate the connection 1–5 with an optional comment (the kiosk\'s question), as a reply to the SMS or WeChat question does',
        description:
          'One rating per application: a second one replaces the first within 7 days of it, then 409. 409 too when no rating was asked (the application is not switched on). A score of 1–2 or an unhappy comment opens a complaint-risk item (followUp: true).',
        security: [{ viewToken: [] }],
        params: ApplicationParams,
        body: CustomerRatingBody,
        response: { 200: CustomerRatedReply, 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema },
      },
    },
    async (request) => {
      const { applicationNo } = request.params;
      await customers.read(customers.claims(request.headers.authorization), applicationNo);
      const channel = request.headers['x-jiedian-channel'] === 'web' ? 'web' : 'kiosk';
      const comment = request.body.comment?.trim() ? maskCodes(request.body.comment.trim()) : null;
      const outcome = await ratings.rate({ applicationNo, score: request.body.score, comment, channel });
      if (outcome.kind === 'not_asked') throw new JiedianError('JD_CONFLICT', `no rating was asked of ${applicationNo}: it is not switched on`);
      if (outcome.kind === 'closed') throw new JiedianError('JD_CONFLICT', `the rating of ${applicationNo} was given more than 7 days ago and can no longer be changed`);
      return { rating: (await ratings.customerView(applicationNo))!, followUp: outcome.followUp };
    },
  );
};

export default progressRoutes;
