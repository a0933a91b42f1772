// GET /ws (API.md §4): customers follow their applications, staff their queue. Messages are JSON frames.
import type { FastifyPluginAsync } from 'fastify';
import websocket from '@fastify/websocket';
import type { WebSocket } from 'ws';
import { topics } from '../realtime/hub.ts';
import { STAFF_COOKIE } from '../services/staff-auth.ts';

/** A socket that falls this far behind is dropped rather than buffered without bound. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;

const liveRoutes: FastifyPluginAsync = async (app) => {
  const { hub, customers, staffAuth, views } = app.jiedian;
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });

  app.get('/ws', { websocket: true, schema: { tags: ['live'], summary: 'WebSocket: subscribe / subscribe_staff; receive progress, hurry and alert frames', hide: true } }, (socket: WebSocket, request) => {
    const unsubscribes: (() => void)[] = [];
    const send = (frame: string) => {
      if (socket.readyState !== socket.OPEN) return;
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        socket.terminate();
        return;
      }
      socket.send(frame);
    };
    const error = (code: string, message: string) => send(JSON.stringify({ type: 'error', code, message }));

    // Attached synchronously: frames that arrive before an awaited step would otherwise be lost.
    socket.on('message', (data, isBinary) => {
      let frame: { type?: unknown; viewToken?: unknown; token?: unknown };
      try {
        frame = JSON.parse(isBinary ? '' : data.toString());
        if (typeof frame !== 'object' || frame === null) throw new Error();
      } catch {
        return error('JD_INVALID_REQUEST', 'frames must be JSON objects with a "type"');
      }
      if (frame.type === 'subscribe') {
        const claims = typeof frame.viewToken === 'string' ? customers.verifyToken(frame.viewToken) : null;
        if (!claims) return error('JD_UNAUTHORIZED', 'missing, invalid or expired viewToken');
        for (const applicationNo of claims.n) {
          unsubscribes.push(hub.subscribe(topics.application(applicationNo), send));
          const view = views.customerView(applicationNo);
          if (view && view.accountNo === claims.a) send(JSON.stringify({ type: 'progress', application: view }));
        }
        return send(JSON.stringify({ type: 'subscribed', applications: claims.n }));
      }
      if (frame.type === 'subscribe_staff') {
        // Staff pages signed in with the httpOnly cookie cannot read their token; the upgrade request carries the cookie.
        const token = typeof frame.token === 'string' ? frame.token : request.cookies?.[STAFF_COOKIE];
        const who = token ? staffAuth.verify(token) : null;
        if (!who) return error('JD_UNAUTHORIZED', 'missing, invalid or expired staff token');
        const topic = who.role === 'admin' ? topics.allStaff : who.role === 'team_lead' ? topics.team(who.teamId) : topics.handler(who.handlerId);
        unsubscribes.push(hub.subscribe(topic, send));
        return send(JSON.stringify({ type: 'subscribed', staff: who.handlerId }));
      }
      if (frame.type === 'ping') return send(JSON.stringify({ type: 'pong' }));
      return error('JD_INVALID_REQUEST', `unknown frame type ${JSON.stringify(frame.type)}`);
    });
    socket.on('close', () => {
      for (const unsubscribe of unsubscribes.splice(0)) unsubscribe();
    });
  });
};

export default liveRoutes;
