// Refuses browser requests from other sites that would ride on the staff session cookie: a cookie-authenticated
// mutation (and a sign-in, which sets the cookie) and every WebSocket upgrade must come from PUBLIC_URL's origin.
// Runs first, before any token, body or database is looked at. A request without an Origin header is not a browser's
// cross-site request (the marketing system, a kiosk app, curl) and is judged by its credentials alone.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { JiedianError } from '../errors.ts';
import { STAFF_COOKIE } from '../staff/staff-auth.ts';

const MUTATIONS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const SIGN_IN_PATH = '/api/v1/staff/login';

/**
 * The origins a browser may send for PUBLIC_URL. A loopback PUBLIC_URL (development, the demo) also matches the other
 * loopback names on the same scheme and port: http://127.0.0.1:3000 and http://localhost:3000 are the same server.
 */
export function allowedOrigins(publicUrl: string): Set<string> {
  const url = new URL(publicUrl);
  const origins = new Set([url.origin]);
  if (LOOPBACK_HOSTS.has(url.hostname)) {
    for (const host of LOOPBACK_HOSTS) origins.add(`${url.protocol}//${host}${url.port ? `:${url.port}` : ''}`);
  }
  return origins;
}

function carriesStaffCookie(request: FastifyRequest): boolean {
  const header = request.headers.cookie;
  return header !== undefined && header.split(';').some((pair) => pair.trim().startsWith(`${STAFF_COOKIE}=`));
}

/**
 * An onRequest hook. `only: 'mutations'` (the whole app): cookie-authenticated mutations and the sign-in;
 * `only: 'upgrades'` (the /ws plugin, after @fastify/websocket's own hook, which closes a refused upgrade's socket).
 */
export function crossOriginGuard(publicUrl: string, only: 'mutations' | 'upgrades') {
  const allowed = allowedOrigins(publicUrl);
  return async function refuseCrossOrigin(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const origin = request.headers.origin;
    if (origin === undefined || allowed.has(origin)) return;
    const judged =
      only === 'upgrades'
        ? request.headers.upgrade?.toLowerCase() === 'websocket'
        : MUTATIONS.has(request.method) && (carriesStaffCookie(request) || request.routeOptions.url === SIGN_IN_PATH);
    if (!judged) return;
    throw new JiedianError('JD_FORBIDDEN', `cross-origin request refused: Origin ${JSON.stringify(origin)} is not ${[...allowed][0]} (PUBLIC_URL)`);
  };
}
