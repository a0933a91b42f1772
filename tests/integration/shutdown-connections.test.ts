// A stopping instance is not held open by its clients: a connection that never sent a request (a browser's spare
// connection) ends at once, a request in flight still gets its whole answer, and one that never finishes is cut
// after SHUTDOWN_GRACE_MS.
import net from 'node:net';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { endConnectionsOnClose } from '../../server/http-connections.ts';
import { buildTestApp } from '../support/app.ts';

function connect(port: number): Promise<{ socket: net.Socket; ended: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    const ended = new Promise<string>((done) => socket.once('close', () => done(received)));
    socket.once('connect', () => resolve({ socket, ended }));
    socket.once('error', reject);
  });
}

const portOf = (app: { server: { address(): unknown } }) => (app.server.address() as net.AddressInfo).port;

describe('closing the app', () => {
  it('ends a connection that has not sent a request yet, and a kept-alive one, instead of waiting for them', async () => {
    const t = await buildTestApp({ env: { SHUTDOWN_GRACE_MS: '600000' } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const spare = await connect(portOf(t.app));
    const keptAlive = await connect(portOf(t.app));
    keptAlive.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    await new Promise((resolve) => keptAlive.socket.once('data', resolve));

    // without ending them, close() would wait for Node's headers timeout; with a 10-minute grace, not for the grace
    await t.app.close();
    expect(await spare.ended).toBe('');
    expect(await keptAlive.ended).toMatch(/^HTTP\/1\.1 200/);
  });

  it('lets a request in flight finish with its whole answer, then ends its connection', async () => {
    const app = Fastify();
    endConnectionsOnClose(app, 600_000);
    let arrived!: () => void;
    const inRoute = new Promise<void>((resolve) => (arrived = resolve));
    let release!: () => void;
    app.get('/slow', async () => {
      arrived();
      await new Promise<void>((resolve) => (release = resolve));
      return { done: true };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const client = await connect(portOf(app));
    client.socket.write('GET /slow HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    await inRoute;

    const closed = app.close();
    release();
    await closed;
    const answer = await client.ended;
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer).toContain('{"done":true}');
  });

  it('cuts a request that never finishes once the grace period is over', async () => {
    const app = Fastify();
    endConnectionsOnClose(app, 50);
    let arrived!: () => void;
    const inRoute = new Promise<void>((resolve) => (arrived = resolve));
    app.get('/stuck', async () => {
      arrived();
      return new Promise(() => {});
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const client = await connect(portOf(app));
    client.socket.write('GET /stuck HTTP/1.1\r\nHost: x\r\n\r\n');
    await inRoute;

    await app.close();
    expect(await client.ended).toBe('');
  });

  it('cuts the other connections and keeps the process up when one of them fails to close', async () => {
    const app = Fastify();
    endConnectionsOnClose(app, 50);
    let arrivals = 0;
    let bothArrived!: () => void;
    const inRoute = new Promise<void>((resolve) => (bothArrived = resolve));
    let broken: net.Socket | undefined;
    let restore = () => {};
    app.get('/stuck', async (request) => {
      // the first connection's socket refuses to be cut, as a socket in a bad state may
      if (!broken) {
        broken = request.socket;
        const destroy = broken.destroy.bind(broken);
        restore = () => {
          broken!.destroy = destroy;
          destroy();
        };
        broken.destroy = () => {
          throw new Error('socket in a bad state');
        };
      }
      if (++arrivals === 2) bothArrived();
      return new Promise(() => {});
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const first = await connect(portOf(app));
      first.socket.write('GET /stuck HTTP/1.1\r\nHost: x\r\n\r\n');
      const second = await connect(portOf(app));
      second.socket.write('GET /stuck HTTP/1.1\r\nHost: x\r\n\r\n');
      await inRoute;

      const closed = app.close();
      // the grace timer runs with one socket throwing: the other is still cut
      expect(await second.ended).toBe('');
      expect(uncaught).toEqual([]);
      restore();
      await closed;
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
