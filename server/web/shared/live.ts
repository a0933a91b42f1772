// A /ws connection that subscribes on every (re)connect and reconnects with backoff until closed for good.
import type { LiveFrame } from './contract.ts';

export type LiveState = 'connecting' | 'live' | 'offline';

export interface LiveOptions {
  /** the subscribe frame sent after each connect */
  subscribe: () => object;
  onFrame: (frame: LiveFrame) => void;
  onState?: (state: LiveState) => void;
}

export class LiveSocket {
  private socket: WebSocket | null = null;
  private closed = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly options: LiveOptions) {
    this.connect();
  }

  private connect(): void {
    if (this.closed) return;
    this.options.onState?.('connecting');
    const url = new URL('/ws', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.attempt = 0;
      socket.send(JSON.stringify(this.options.subscribe()));
    });
    socket.addEventListener('message', (event) => {
      if (this.closed || typeof event.data !== 'string') return;
      let frame: LiveFrame;
      try {
        frame = JSON.parse(event.data) as LiveFrame;
      } catch {
        return;
      }
      if (frame.type === 'subscribed') this.options.onState?.('live');
      this.options.onFrame(frame);
    });
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.closed) return;
      this.options.onState?.('offline');
      const delay = Math.min(10_000, 500 * 2 ** this.attempt++);
      this.retryTimer = setTimeout(() => this.connect(), delay);
    });
    // proxies drop quiet sockets; a ping now and then keeps the connection (and our view of it) honest
    this.pingTimer ??= setInterval(() => {
      if (this.socket?.readyState === WebSocket.OPEN) this.socket.send('{"type":"ping"}');
    }, 25_000);
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.retryTimer = null;
    this.pingTimer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close();
  }
}
