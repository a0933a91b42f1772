// Closing the app waits for every open connection to end. Node ends the idle keep-alive ones, but not a connection
// that has not sent its first request yet (browsers and load balancers open such spare connections), which would
// hold a stopping instance for Node's headers timeout (a minute). Those end at once; a connection ends after its
// request in flight is answered; and whatever is still open after the grace period is ended, so no client can keep
// a stopping instance alive.
import type { FastifyInstance } from 'fastify';
import type { Socket } from 'node:net';

export function endConnectionsOnClose(app: FastifyInstance, graceMs: number): void {
  /** open connections and how many requests each has in flight */
  const inFlight = new Map<Socket, number>();
  const upgraded = new WeakSet<Socket>();
  let closing = false;
  /**
   * Ends or cuts one connection. Whatever a socket throws is logged and the others still go: this runs in event
   * handlers and in the grace timer, where an exception would end the process instead of closing it.
   */
  const settle = (socket: Socket, how: 'end' | 'destroy') => {
    try {
      if (how === 'end') socket.end();
      else socket.destroy();
    } catch (error) {
      app.log.warn({ err: error }, `could not ${how} a connection while closing; it is cut when the process exits`);
    }
  };
  const endIfIdle = (socket: Socket) => {
    // a WebSocket is closed by its own plugin with a close frame; the grace period covers it otherwise
    if (closing && inFlight.get(socket) === 0 && !upgraded.has(socket)) settle(socket, 'end');
  };
  app.server.on('connection', (socket: Socket) => {
    inFlight.set(socket, 0);
    socket.once('close', () => inFlight.delete(socket));
    endIfIdle(socket);
  });
  app.server.on('request', (request, response) => {
    const socket = request.socket;
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    response.once('close', () => {
      if (!inFlight.has(socket)) return;
      inFlight.set(socket, inFlight.get(socket)! - 1);
      endIfIdle(socket);
    });
  });
  app.server.on('upgrade', (request) => upgraded.add(request.socket));
  app.addHook('preClose', async () => {
    closing = true;
    for (const socket of inFlight.keys()) endIfIdle(socket);
    setTimeout(() => {
      for (const socket of inFlight.keys()) settle(socket, 'destroy');
    }, graceMs).unref();
  });
}
