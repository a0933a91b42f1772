// The kiosk page (/kiosk), the staff pages (/staff) and the mobile progress page (/m/progress), built by
// `npm run build` into server/web/dist/ and served from there: the HTML without caching, the content-hashed assets
// under /assets/ for a year.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';

export const defaultDistDir = path.resolve(import.meta.dirname, '../web/dist');

/**
 * Same-origin only: no inline script, no CDN, no framing. Styles may be set from script (ECharts sizes its canvas
 * and tooltip with style attributes).
 */
export const pageSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface PagesOptions {
  /** where `npm run build` put the pages (tests may point elsewhere) */
  distDir?: string;
}

const pages = ['kiosk', 'staff', 'mobile'] as const;
/** where each page is served */
const routes: Record<(typeof pages)[number], string> = { kiosk: '/kiosk', staff: '/staff', mobile: '/m/progress' };

const pagesRoutes: FastifyPluginAsync<PagesOptions> = async (app, options) => {
  const distDir = options.distDir ?? defaultDistDir;
  const built = pages.every((page) => fs.existsSync(path.join(distDir, `${page}.html`)));

  if (!built) {
    // The API works without the pages; say clearly why the pages do not.
    app.log.warn({ distDir }, 'web pages are not built: /kiosk, /staff and /m/progress answer 503 until `npm run build` has run');
    for (const page of pages) {
      app.get(routes[page], { schema: { hide: true } }, async (_request, reply) =>
        reply.code(503).type('text/plain; charset=utf-8').send(`The ${page} page is not built. Run \`npm run build\` and restart.\n`),
      );
    }
    return;
  }

  await app.register(fastifyStatic, {
    root: path.join(distDir, 'assets'),
    prefix: '/assets/',
    // hashed names: a changed file is a new URL, so browsers may keep these forever
    immutable: true,
    maxAge: '365d',
    index: false,
    wildcard: true,
  });

  const sendPage = (reply: FastifyReply, page: (typeof pages)[number]) =>
    reply
      .header('cache-control', 'no-cache')
      .header('content-security-policy', pageSecurityPolicy)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .sendFile(`${page}.html`, distDir, { cacheControl: false });

  for (const page of pages) {
    if (page === 'mobile') continue;
    app.get(routes[page], { schema: { hide: true } }, async (_request, reply) => sendPage(reply, page));
  }

  // Opened from an Official Account message inside WeChat: first through web authorization (snsapi_base, silent),
  // which comes back here with a `code` the page exchanges for the bound account's view token. Without the Official
  // Account configured, or back from WeChat, the page itself (it offers account number + query code).
  const { wechatOaWeb } = app.inbound;
  app.get<{ Querystring: { code?: string; applicationNo?: string } }>(routes.mobile, { schema: { hide: true } }, async (request, reply) => {
    const { code, applicationNo } = request.query;
    if (wechatOaWeb.enabled && code === undefined && /micromessenger/i.test(request.headers['user-agent'] ?? '')) {
      const page = applicationNo ? `${routes.mobile}?applicationNo=${encodeURIComponent(applicationNo)}` : routes.mobile;
      return reply.redirect(wechatOaWeb.authorizeUrl(page), 302);
    }
    return sendPage(reply, 'mobile');
  });
};

export default pagesRoutes;
