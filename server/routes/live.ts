// GET /ws (API.md §4): customers follow their applications, staff their queue. Messages are JSON frames.
import type { FastifyPluginAsync } from 'fastify';
import websocket from '@fastify/websocket';
import type { WebSocket } from 'ws';
import { topics, type RealtimeHub } from '../realtime/hub.ts';
import type { CustomerAccess } from '../customers/customer-access.ts';
import type { Clock } from '../shared/clock.ts';
import { STAFF_COOKIE } from '../staff/staff-auth.ts';
import { crossOriginGuard } from './cross-origin.ts';

/** A socket that falls this far behind is dropped rather than buffered without bound. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;
/** The largest frame a client may send; a larger one is answered with an error frame and the socket stays open. */
export const MAX_FRAME_BYTES = 64 * 1024;
/**
 * Past this, `ws` itself closes the socket (1009) without reading the frame into memory. Between the two limits the
 * frame is read and refused, so the client learns why.
 */
const MAX_PAYLOAD_BYTES = 1024 * 1024;

export interface LiveRoutesOptions {
  hub: RealtimeHub;
  customers: CustomerAccess;
  clock: Clock;
  /** PUBLIC_URL: the origin browsers' upgrades must come from */
  publicUrl: string;
}

const liveRoutes: FastifyPluginAsync<LiveRoutesOptions> = async (app, { hub, customers, clock, publicUrl }) => {
  const { views } = app.applications;
  await app.register(websocket, {
    options: { maxPayload: MAX_PAYLOAD_BYTES },
    // A client breaking the protocol (a frame over MAX_PAYLOAD_BYTES, bad masking, a reset) is the client's problem:
    // logged, but not as the server's error, or any client could fill the error log.
    errorHandler: (error, socket, request) => {
      const code = (error as { code?: string }).code ?? '';
      if (code.startsWith('WS_ERR_') || code === 'ECONNRESET') request.log.info({ err: error }, 'websocket closed on a client error');
      else request.log.error({ err: error }, 'websocket failed');
      socket.terminate();
    },
  });

  app.addHook('onRequest', crossOriginGuard(publicUrl, 'upgrades'));

  // A publish hands every subscriber the same string: encode it to UTF-8 once, not once per socket (5,000 × 4 KB).
  let lastFrame: string | null = null;
  let lastBytes = Buffer.alloc(0);
  const encoded = (frame: string): Buffer => {
    if (frame !== lastFrame) {
      lastFrame = frame;
      lastBytes = Buffer.from(frame, 'utf8');
    }
    return lastBytes;
  };

  app.get('/ws', { websocket: true, schema: { tags: ['live'], summary: 'WebSocket: subscribe / subscribe_staff; receive progress, hurry and alert frames', hide: true } }, (socket: WebSocket, request) => {
    /** What this socket follows: a new subscription of a kind replaces the previous one of that kind. */
    const following: Record<'customer' | 'staff', (() => void)[]> = { customer: [], staff: [] };
    const stop = (kind: 'customer' | 'staff') => {
      for (const unsubscribe of following[kind].splice(0)) unsubscribe();
    };
    const send = (frame: string) => {
      if (socket.readyState !== socket.OPEN) return;
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        socket.terminate();
        return;
      }
      socket.send(encoded(frame), { binary: false });
    };
    const error = (code: string, message: string) => send(JSON.stringify({ type: 'error', code, message }));
    // A subscription lives as long as the token it was made with: a kiosk left open must not keep showing the last
    // customer's progress. The first frame published after the token expires ends it instead of being sent.
    const until = (kind: 'customer' | 'staff', expiresAt: number) => (frame: string) => {
      if (clock.now() < expiresAt) return send(frame);
      stop(kind);
      error('JD_UNAUTHORIZED', kind === 'customer' ? 'the viewToken has expired: query again to keep following' : 'the staff session has expired: sign in again');
    };

    const answer = async (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer | ArrayBuffer).byteLength;
      if (size > MAX_FRAME_BYTES) return error('JD_PAYLOAD_TOO_LARGE', `frames are limited to ${MAX_FRAME_BYTES} bytes, got ${size}`);
      let frame: { type?: unknown; viewToken?: unknown; token?: unknown };
      try {
        frame = JSON.parse(isBinary ? '' : data.toString());
        if (typeof frame !== 'object' || frame === null) throw new Error();
      } catch {
        return error('JD_INVALID_REQUEST', 'frames must be JSON objects with a "type"');
      }
      if (frame.type === 'subscribe') {
        const session = typeof frame.viewToken === 'string' ? customers.openToken(frame.viewToken) : null;
        if (!session) return error('JD_UNAUTHORIZED', 'missing, invalid or expired viewToken');
        const { claims } = session;
        stop('customer');
        const forward = until('customer', session.expiresAt);
        for (const applicationNo of claims.n) {
          following.customer.push(hub.subscribe(topics.application(applicationNo), forward));
          const view = await views.customerView(applicationNo);
          if (view && view.accountNo === claims.a) send(JSON.stringify({ type: 'progress', application: view }));
        }
        return send(JSON.stringify({ type: 'subscribed', applications: claims.n }));
      }
      if (frame.type === 'subscribe_staff') {
        // Staff pages signed in with the httpOnly cookie cannot read their token; the upgrade request carries the cookie.
        const token = typeof frame.token === 'string' ? frame.token : request.cookies?.[STAFF_COOKIE];
        const session = token ? await app.staff.auth.openSession(token) : null;
        if (!session) return error('JD_UNAUTHORIZED', 'missing, invalid or expired staff token');
        const { who } = session;
        const topic = who.role === 'admin' ? topics.allStaff : who.role === 'team_lead' ? topics.team(who.teamId) : topics.handler(who.handlerId);
        stop('staff');
        following.staff.push(hub.subscribe(topic, until('staff', session.expiresAt)));
        return send(JSON.stringify({ type: 'subscribed', staff: who.handlerId }));
      }
      if (frame.type === 'ping') return send(JSON.stringify({ type: 'pong' }));
      return error('JD_INVALID_REQUEST', `unknown frame type ${JSON.stringify(frame.type)}`);
    };
    // Attached synchronously: frames that arrive before an awaited step would otherwise be lost. Answered in order:
    // a frame waits until the one before it (a staff session's lookup) is answered.
    let answered: Promise<void> = Promise.resolve();
    socket.on('message', (data, isBinary) => {
      answered = answered.then(() => answer(data, isBinary)).catch((err: unknown) => request.log.error({ err }, 'websocket frame failed'));
    });
    socket.on('close', () => {
      stop('customer');
      stop('staff');
    });
  });
};

export default liveRoutes;
