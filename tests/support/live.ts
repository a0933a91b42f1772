// Helpers for tests over a listening app: HTTP with fetch, a real `ws` client that records frames, and the hurry
// scenario (two teams, two customers, each application waiting in its design review).
import { afterEach } from 'vitest';
import WebSocket from 'ws';
import type { TestApp } from './app.ts';
import { setAdmin } from '../../server/cli/staff-admin.ts';
import { textSink } from './text-sink.ts';
import { completed, postEvents, putApplication, putHandler, started } from './notices.ts';

// ---- HTTP ---------------------------------------------------------------------------------

/** Listens on an ephemeral port of 127.0.0.1 and returns the base URL. */
export async function listen(t: TestApp): Promise<string> {
  return t.app.listen({ port: 0, host: '127.0.0.1' });
}

export interface ApiReply {
  status: number;
  headers: Headers;
  body: any;
  /** performance.now() when the answer arrived */
  at: number;
}

export async function api(
  base: string,
  method: string,
  path: string,
  options: { token?: string; cookie?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiReply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(base + path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await response.text();
  const at = performance.now();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null, at };
}

export const PASSWORD = 'correct horse battery staple';

/** Sets `handlerId`'s password and signs in over HTTP; returns the session token and the cookie pair. */
export async function signIn(t: TestApp, base: string, handlerId: string): Promise<{ token: string; cookie: string }> {
  await t.app.staff.auth.setPassword(handlerId, PASSWORD);
  const reply = await api(base, 'POST', '/api/v1/staff/login', { body: { handlerId, password: PASSWORD } });
  if (reply.status !== 200) throw new Error(`login ${handlerId}: ${reply.status} ${JSON.stringify(reply.body)}`);
  const cookie = reply.headers.getSetCookie()[0]!.split(';')[0]!;
  return { token: reply.body.token as string, cookie };
}

/**
 * Grants a synced staff member the admin role as `npm run jiedian -- staff:admin` does (admins are made in Jiedian,
 * not synced, and no request makes one), through the app's unit of work: either database.
 */
export async function grantAdmin(t: TestApp, handlerId: string): Promise<void> {
  const stderr = textSink();
  if ((await setAdmin({ handlerId, revoke: false, transact: t.app.transact, stdout: textSink().stream, stderr: stderr.stream })) !== 0) {
    throw new Error(`staff:admin ${handlerId}: ${stderr.text()}`);
  }
}

/** A customer's view token for an account. */
export async function viewToken(base: string, accountNo: string, queryCode: string): Promise<string> {
  const reply = await api(base, 'POST', '/api/v1/progress/query', { body: { accountNo, queryCode } });
  if (reply.status !== 200) throw new Error(`query ${accountNo}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body.viewToken as string;
}

export const hurry = (base: string, token: string, applicationNo: string, message?: string) =>
  api(base, 'POST', `/api/v1/applications/${applicationNo}/hurry`, { token, body: message === undefined ? {} : { message } });

// ---- WebSocket ----------------------------------------------------------------------------

export type Frame = { type: string; [key: string]: any };

export interface ReceivedFrame {
  frame: Frame;
  /** performance.now() on arrival */
  at: number;
}

const clients = new Set<LiveClient>();
afterEach(() => {
  for (const client of clients) client.socket.terminate();
  clients.clear();
});

/** A `ws` client on /ws that keeps every frame it receives, in order. */
export class LiveClient {
  readonly received: ReceivedFrame[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => this.received.push({ frame: JSON.parse(data.toString()) as Frame, at: performance.now() }));
  }

  static async open(base: string, headers: Record<string, string> = {}): Promise<LiveClient> {
    const socket = new WebSocket(base.replace(/^http/, 'ws') + '/ws', { headers });
    const client = new LiveClient(socket);
    clients.add(client);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  get frames(): Frame[] {
    return this.received.map((r) => r.frame);
  }

  send(frame: object | string): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Resolves with the first frame (from `from` on) matching `match`; rejects after `timeoutMs`. */
  async next(match: (frame: Frame) => boolean, what: string, options: { from?: number; timeoutMs?: number } = {}): Promise<ReceivedFrame> {
    const deadline = performance.now() + (options.timeoutMs ?? 2000);
    for (;;) {
      const found = this.received.slice(options.from ?? 0).find((r) => match(r.frame));
      if (found) return found;
      if (performance.now() > deadline) throw new Error(`no ${what} frame within ${options.timeoutMs ?? 2000} ms; got ${JSON.stringify(this.frames)}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /**
   * Waits until the server has handled everything this socket sent and sent everything it owed before: frames on a
   * socket keep their order, so once the pong to a fresh ping is in, nothing published before it is still on its way.
   */
  async settle(): Promise<void> {
    const from = this.received.length;
    this.send({ type: 'ping' });
    await this.next((f) => f.type === 'pong', 'pong', { from });
  }

  async subscribe(viewToken: string): Promise<void> {
    const from = this.received.length;
    this.send({ type: 'subscribe', viewToken });
    await this.next((f) => f.type === 'subscribed' || f.type === 'error', 'subscribed', { from });
  }

  async subscribeStaff(token?: string): Promise<void> {
    const from = this.received.length;
    this.send(token === undefined ? { type: 'subscribe_staff' } : { type: 'subscribe_staff', token });
    await this.next((f) => f.type === 'subscribed' || f.type === 'error', 'subscribed', { from });
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }
}

// ---- the scenario -------------------------------------------------------------------------

export const staffOf = {
  H001: { name: '李明', phone: '13912345678', teamId: 'T01', teamName: '业扩一班', role: 'handler' },
  H002: { name: '王芳', phone: '13912340002', teamId: 'T01', teamName: '业扩一班', role: 'handler' },
  L001: { name: '张强', phone: '13912340009', teamId: 'T01', teamName: '业扩一班', role: 'team_lead' },
  H101: { name: '赵丽', phone: '13922220001', teamId: 'T02', teamName: '业扩二班', role: 'handler' },
  L101: { name: '钱伟', phone: '13922220009', teamId: 'T02', teamName: '业扩二班', role: 'team_lead' },
} as const;

export const customerA = { accountNo: '5300123456', queryCode: '482913', phone: '13800001111', applicationNo: 'YX2026-0001' };
export const customerB = { accountNo: '5300999999', queryCode: '731264', phone: '13800002222', applicationNo: 'YX2026-0002' };

/**
 * Syncs the two teams and both customers' hv_dual applications: accepted, surveyed and answered on `firstDay`, and in
 * design review since `reviewDay` 09:30 — customer A's with H001 (team T01), customer B's with H101 (team T02).
 */
export async function hurryScenario(t: TestApp, days: { firstDay: string; reviewDay: string } = { firstDay: '2026-11-20', reviewDay: '2026-11-24' }) {
  for (const [id, body] of Object.entries(staffOf)) await putHandler(t, id, body);
  const { firstDay, reviewDay } = days;
  for (const [customer, handlerId] of [
    [customerA, 'H001'],
    [customerB, 'H101'],
  ] as const) {
    const no = customer.applicationNo;
    await putApplication(t, no, {
      processCode: 'hv_dual',
      requestedConnectDate: undefined,
      accountNo: customer.accountNo,
      queryCode: customer.queryCode,
      phone: customer.phone,
      acceptedAt: `${firstDay}T09:00:00+08:00`,
    });
    await postEvents(t, [
      started(no, 'accept', `${firstDay}T09:00:00+08:00`, handlerId),
      completed(no, 'accept', `${firstDay}T10:00:00+08:00`, handlerId),
      started(no, 'survey', `${firstDay}T10:30:00+08:00`, handlerId),
      completed(no, 'survey', `${firstDay}T12:00:00+08:00`, handlerId),
      started(no, 'plan_reply', `${firstDay}T14:00:00+08:00`, handlerId),
      completed(no, 'plan_reply', `${firstDay}T16:00:00+08:00`, handlerId),
      started(no, 'design_review', `${reviewDay}T09:30:00+08:00`, handlerId),
    ]);
  }
  await t.app.notices.dispatcher.idle();
}

/** +86 form of a Chinese mobile number, as the SMS channel sends it. */
export const e164 = (phone: string) => `+86${phone}`;
