// Unsubscribing from e-mail notices (退订) through the signed link in every customer e-mail: GET shows a page that
// asks to confirm, POST (the page's button, or a mail client's RFC 8058 one-click post) unsubscribes the address.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import formbody from '@fastify/formbody';
import Type from 'typebox';
import { unauthorized } from '../errors.ts';
import { maskAddress } from '../../channels/log.ts';
import { ErrorSchema } from '../schemas/error.ts';
import { UNSUBSCRIBE_PATH, type EmailUnsubscribe } from '../notices/email-unsubscribe.ts';
import type { Clock } from '../shared/clock.ts';

const Query = Type.Object({ token: Type.String({ minLength: 1, maxLength: 2000, description: 'the signed token of the e-mail\'s unsubscribe link' }) });

const html = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(title)}</title><link rel="icon" href="data:,">
<style>body{font-family:sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222;line-height:1.6}
button{font-size:1rem;padding:.6rem 1.4rem;border:0;border-radius:4px;background:#c62828;color:#fff;cursor:pointer}</style>
</head><body><h1>${html(title)}</h1>${body}</body></html>`;
}

const emailUnsubscribeRoutes: FastifyPluginAsyncTypebox<{ unsubscribe: EmailUnsubscribe; clock: Clock }> = async (app, options) => {
  const { clock } = options;
  await app.register(formbody);

  const addressOf = (token: string) => {
    const address = options.unsubscribe.addressOf(token, clock.now());
    if (address === null) throw unauthorized('the unsubscribe link is invalid or has expired');
    return address;
  };
  const schema = (summary: string) => ({
    tags: ['customers'],
    summary,
    querystring: Query,
    response: { 200: Type.String({ description: 'an HTML page (text/html)' }), 400: ErrorSchema, 401: ErrorSchema },
  });

  app.get(UNSUBSCRIBE_PATH, { schema: schema('The page an e-mail\'s unsubscribe link opens: it asks to confirm') }, async (request, reply) => {
    const address = addressOf(request.query.token);
    const shown = html(maskAddress('email', address));
    const body = (await options.unsubscribe.isOptedOut(address))
      ? `<p>${shown} 已退订邮件通知，不会再收到用电申请的邮件。</p>`
      : `<p>退订后，${shown} 将不再收到用电申请进度的邮件通知（短信和微信通知不受影响）。</p>
<form method="post" action="${html(`${UNSUBSCRIBE_PATH}?token=${encodeURIComponent(request.query.token)}`)}"><button type="submit">确认退订</button></form>`;
    return reply.type('text/html; charset=utf-8').send(page('退订邮件通知', body));
  });

  app.post(UNSUBSCRIBE_PATH, { schema: schema('Unsubscribes the link\'s address from e-mail notices (the page\'s button, or RFC 8058 one-click)') }, async (request, reply) => {
    const address = addressOf(request.query.token);
    await options.unsubscribe.optOut(address, clock.now());
    request.log.info({ to: maskAddress('email', address) }, 'e-mail address unsubscribed through its link');
    const body = `<p>${html(maskAddress('email', address))} 已退订邮件通知，不会再收到用电申请的邮件。</p>`;
    return reply.type('text/html; charset=utf-8').send(page('已退订', body));
  });
};

export default emailUnsubscribeRoutes;
