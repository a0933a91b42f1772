// WebSocket subscribers for the ws benchmark, in their own process so their work never shares the server's event
// loop. Opens `count` sockets on /ws, subscribes each with the view token, and then, per round, notes when each
// socket receives its next `progress` frame. Times are epoch milliseconds with sub-millisecond precision
// (performance.timeOrigin + performance.now()), comparable with the parent's on one machine.
//
// parent → worker: connect | arm | collect | close; worker → parent: connected | armed | collected | error.
import WebSocket from 'ws';

export type WsWorkerRequest =
  | { kind: 'connect'; url: string; viewToken: string; count: number; concurrency: number }
  | { kind: 'arm' }
  | { kind: 'collect'; timeoutMs: number }
  | { kind: 'close' };

export type WsWorkerReply =
  | { kind: 'connected'; connected: number; failed: number; ms: number }
  | { kind: 'armed' }
  | { kind: 'collected'; received: number; firstAt: number; lastAt: number; cpuMs: number }
  | { kind: 'error'; error: string };

const epochNow = () => performance.timeOrigin + performance.now();
const reply = (message: WsWorkerReply) => process.send!(message);

const sockets: WebSocket[] = [];
/** per socket: when it received the round's progress frame (0: not yet) */
let arrivals = new Float64Array(0);
let armed = false;
let received = 0;
let cpuAtArm = process.cpuUsage();

function open(url: string, viewToken: string, index: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    let subscribed = false;
    socket.on('open', () => socket.send(JSON.stringify({ type: 'subscribe', viewToken })));
    socket.on('message', (data) => {
      if (!subscribed) {
        // the current view and then `subscribed` arrive first; only `subscribed` is looked at
        const text = data.toString();
        if (text.startsWith('{"type":"subscribed"')) {
          subscribed = true;
          sockets[index] = socket;
          resolve(true);
        } else if (text.startsWith('{"type":"error"')) {
          resolve(false);
        }
        return;
      }
      if (!armed || arrivals[index] !== 0) return;
      // a progress frame starts with its type: no need to parse 4 KB of JSON to know
      if ((data as Buffer).subarray(0, 19).toString() !== '{"type":"progress",') return;
      arrivals[index] = epochNow();
      received++;
    });
    socket.on('error', () => resolve(false));
  });
}

async function connect(request: Extract<WsWorkerRequest, { kind: 'connect' }>): Promise<void> {
  const started = performance.now();
  arrivals = new Float64Array(request.count);
  let next = 0;
  let failed = 0;
  const lane = async () => {
    while (next < request.count) {
      const index = next++;
      if (!(await open(request.url, request.viewToken, index))) failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(request.concurrency, request.count) }, lane));
  reply({ kind: 'connected', connected: request.count - failed, failed, ms: performance.now() - started });
}

async function collect(timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  const expected = sockets.filter(Boolean).length;
  while (received < expected && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
  let firstAt = Infinity;
  let lastAt = 0;
  for (const at of arrivals) {
    if (at === 0) continue;
    firstAt = Math.min(firstAt, at);
    lastAt = Math.max(lastAt, at);
  }
  armed = false;
  const cpu = process.cpuUsage(cpuAtArm);
  reply({ kind: 'collected', received, firstAt, lastAt, cpuMs: (cpu.user + cpu.system) / 1000 });
}

process.on('message', (message: WsWorkerRequest) => {
  const work = (async () => {
    switch (message.kind) {
      case 'connect':
        return connect(message);
      case 'arm':
        arrivals.fill(0);
        received = 0;
        armed = true;
        cpuAtArm = process.cpuUsage();
        return reply({ kind: 'armed' });
      case 'collect':
        return collect(message.timeoutMs);
      case 'close':
        for (const socket of sockets) socket?.terminate();
        process.disconnect();
        return;
    }
  })();
  work.catch((error: unknown) => reply({ kind: 'error', error: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
});
process.once('disconnect', () => {
  for (const socket of sockets) socket?.terminate();
  process.exit(0);
});
