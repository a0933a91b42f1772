// Staff API (API.md §3): sign-in, the live queue, acknowledging and answering hurries, application detail, re-plan.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { OutboxRow } from '../notices/outbox.ts';
import { formatInstant } from '../domain/dates.ts';
import { JiedianError } from '../errors.ts';
import { ApplicationParams } from '../schemas/sync.ts';
import { ApplicationReply } from '../schemas/progress.ts';
import { ErrorSchema } from '../schemas/error.ts';
import {
  AlertReply,
  FailedNotificationsReply,
  HurryIdParams,
  HurryReply,
  LoginBody,
  LoginReply,
  QueueReply,
  ReplanBody,
  ReplyBody,
  SecurityNoticesReply,
  StaffApplicationReply,
} from '../schemas/staff.ts';
import { STAFF_COOKIE, STAFF_DEVICE_COOKIE, STAFF_DEVICE_TTL_MS, STAFF_SESSION_TTL_MS, type StaffPrincipal } from '../staff/staff-auth.ts';
import type { RiskService } from '../risks/risk-items.ts';
import type { RatingService } from '../risks/ratings.ts';

declare module 'fastify' {
  interface FastifyRequest {
    staff: StaffPrincipal | null;
  }
}

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 429: ErrorSchema };

export interface StaffRoutesOptions {
  timeZone: string;
  /** PUBLIC_URL: session cookies are Secure when it is https */
  publicUrl: string;
  /** the risk items in the queue and on an application */
  risks: Pick<RiskService, 'queue' | 'ofApplication'>;
  /** the follow-up on an application */
  ratings: Pick<RatingService, 'ofApplication'>;
}

const staffRoutes: FastifyPluginAsyncTypebox<StaffRoutesOptions> = async (app, { timeZone, publicUrl, risks, ratings }) => {
  const { outbox } = app.stores;
  const { securityNotices } = app.staff;
  const { views, replanning } = app.applications;
  const { consults } = app.chat;
  const { alerts } = app.timeLimits;
  const { hurries } = app;
  const instant = (ms: number) => formatInstant(ms, timeZone);
  const notificationView = (row: OutboxRow) => ({
    id: row.id,
    applicationNo: row.applicationNo,
    kind: row.noticeKind,
    recipient: row.recipientKind,
    channel: row.channel,
    address: row.address,
    status: row.status,
    text: row.text,
    segments: row.segments,
    attempts: row.attempts,
    lastError: row.lastError,
    provider: row.provider,
    createdAt: instant(row.createdAt),
    nextAttemptAt: instant(row.nextAttemptAt),
    sentAt: row.sentAt === null ? null : instant(row.sentAt),
    deliveredAt: row.deliveredAt === null ? null : instant(row.deliveredAt),
  });

  // Secure whenever the service is reached over https, so the session never travels in clear text.
  const cookieAttributes = { httpOnly: true, sameSite: 'strict', secure: publicUrl.startsWith('https://'), path: '/' } as const;

  app.decorateRequest('staff', null);
  const signedIn = async (request: import('fastify').FastifyRequest) => {
    request.staff = await app.staff.auth.authenticate(request);
  };
  const principal = (request: import('fastify').FastifyRequest): StaffPrincipal => request.staff!;

  app.post(
    '/staff/login',
    { schema: { tags: ['staff'], summary: 'Sign in; sets an httpOnly session cookie and returns the same token', body: LoginBody, response: { 200: LoginReply, ...errors } } },
    async (request, reply) => {
      const session = await app.staff.auth.login(request.body.handlerId, request.body.password, request.ip, request.cookies?.[STAFF_DEVICE_COOKIE]);
      reply.setCookie(STAFF_COOKIE, session.token, { ...cookieAttributes, maxAge: STAFF_SESSION_TTL_MS / 1000 });
      reply.setCookie(STAFF_DEVICE_COOKIE, session.deviceToken, { ...cookieAttributes, path: '/api/v1/staff/login', maxAge: STAFF_DEVICE_TTL_MS / 1000 });
      const h = session.handler;
      return { token: session.token, expiresAt: session.expiresAtText, handler: { handlerId: h.handlerId, name: h.name, role: h.role, teamId: h.teamId, teamName: h.teamName } };
    },
  );

  app.post('/staff/logout', { schema: { tags: ['staff'], summary: 'Sign out (clears the cookie)', response: { 204: { type: 'null' } } } }, async (_request, reply) => {
    reply.clearCookie(STAFF_COOKIE, cookieAttributes);
    return reply.code(204).send(null);
  });

  app.get(
    '/staff/queue',
    { onRequest: signedIn, schema: { tags: ['staff'], summary: 'The live queue: hurries, alerts, consults and complaint-risk items', security: [{ staffToken: [] }], response: { 200: QueueReply, ...errors } } },
    async (request) => ({
      hurries: await hurries.queue(principal(request)),
      alerts: await alerts.queue(principal(request)),
      consults: await consults.queue(principal(request)),
      risks: await risks.queue(principal(request)),
    }),
  );

  app.get(
    '/staff/security-notices',
    {
      onRequest: signedIn,
      schema: {
        tags: ['staff'],
        summary: 'Admins: accounts and staff ids being guessed at from several addresses (newest first; also live as `security` frames)',
        security: [{ staffToken: [] }],
        response: { 200: SecurityNoticesReply, ...errors },
      },
    },
    async (request) => {
      if (principal(request).role !== 'admin') throw new JiedianError('JD_FORBIDDEN', 'security notices are for admins');
      return { notices: securityNotices.recent() };
    },
  );

  app.get(
    '/staff/notifications/failed',
    {
      onRequest: signedIn,
      schema: {
        tags: ['staff'],
        summary: 'Admins: notices that failed, were given up or could not be rendered, newest first (at most 200)',
        security: [{ staffToken: [] }],
        response: { 200: FailedNotificationsReply, ...errors },
      },
    },
    async (request) => {
      if (principal(request).role !== 'admin') throw new JiedianError('JD_FORBIDDEN', 'only admins see every failed notice');
      return { notifications: (await outbox.failures(200)).map(notificationView) };
    },
  );

  app.post(
    '/staff/hurries/:id/ack',
    { onRequest: signedIn, schema: { tags: ['staff'], summary: 'Acknowledge a hurry request', security: [{ staffToken: [] }], params: HurryIdParams, response: { 200: HurryReply, ...errors } } },
    async (request) => ({ hurry: await hurries.acknowledge(principal(request), request.params.id) }),
  );

  app.post(
    '/staff/hurries/:id/reply',
    {
      onRequest: signedIn,
      schema: { tags: ['staff'], summary: 'Answer a hurry request; the answer reaches the customer by the channel they used', security: [{ staffToken: [] }], params: HurryIdParams, body: ReplyBody, response: { 200: HurryReply, ...errors } },
    },
    async (request) => ({ hurry: await hurries.reply(principal(request), request.params.id, request.body.text) }),
  );

  app.post(
    '/staff/alerts/:id/explanation',
    {
      onRequest: signedIn,
      schema: {
        tags: ['staff'],
        summary: 'File the explanation (情况说明) of an alert; an overdue alert stays in the queue until explained',
        security: [{ staffToken: [] }],
        params: HurryIdParams,
        body: ReplyBody,
        response: { 200: AlertReply, ...errors },
      },
    },
    async (request) => ({ alert: await alerts.explain(principal(request), request.params.id, request.body.text) }),
  );

  app.get(
    '/staff/applications/:applicationNo',
    {
      onRequest: signedIn,
      schema: { tags: ['staff'], summary: 'An application as staff see it, with its notices, hurries and alerts', security: [{ staffToken: [] }], params: ApplicationParams, response: { 200: StaffApplicationReply, ...errors } },
    },
    async (request) => {
      const { applicationNo } = request.params;
      const application = (await app.staff.access.canSee(principal(request), applicationNo)) ? await views.staffView(applicationNo) : undefined;
      if (!application) throw new JiedianError('JD_NOT_FOUND', `no application ${applicationNo} visible to you`);
      const notifications = (await outbox.ofApplication(applicationNo)).map(notificationView);
      return {
        application,
        notifications,
        hurries: await hurries.ofApplication(applicationNo),
        alerts: await alerts.ofApplication(applicationNo),
        mutes: await app.notices.mutes.ofApplication(applicationNo),
        risk: await risks.ofApplication(applicationNo),
        rating: await ratings.ofApplication(applicationNo),
      };
    },
  );

  app.post(
    '/staff/applications/:applicationNo/plan',
    {
      onRequest: signedIn,
      schema: {
        tags: ['staff'],
        summary: 'Re-plan with a new requested connection date; the customer is told the new plan',
        description: 'The date is kept until the marketing system next syncs the application with another date.',
        security: [{ staffToken: [] }],
        params: ApplicationParams,
        body: ReplanBody,
        response: { 200: ApplicationReply, ...errors },
      },
    },
    async (request) => {
      const { applicationNo } = request.params;
      if (!(await app.staff.access.canSee(principal(request), applicationNo))) throw new JiedianError('JD_NOT_FOUND', `no application ${applicationNo} visible to you`);
      await replanning.replanWithRequestedDate(applicationNo, request.body.requestedConnectDate);
      return { application: (await views.staffView(applicationNo))! };
    },
  );
};

export default staffRoutes;
