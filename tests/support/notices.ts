// Scenario helpers for notice tests: the app wired to a fake Twilio, sync calls, and waiting without sleeping.
import { afterEach } from 'vitest';
import twilio from 'twilio';
import type { OutboxRow } from '../../server/notices/outbox.ts';
import { applicationBody, buildTestApp, handlerBody, type TestApp, type TestDatabase } from './app.ts';
import { startFakeTwilio, type FakeTwilio } from './fake-twilio.ts';
import type { AppDeps } from '../../server/app.ts';
import type { OpenOptions } from '../../db/client.ts';

export const TWILIO_FROM = '+15005550006';
export const PUBLIC_URL = 'https://jiedian.example.cn';
export const STATUS_PATH = '/webhooks/twilio/status';

/** A fake Twilio for this test, closed after it. */
export async function fakeTwilioForTest(): Promise<FakeTwilio> {
  const fake = await startFakeTwilio();
  afterEach(() => fake.close());
  return fake;
}

/** Environment that sends SMS through the real twilio SDK to `fake`; quiet hours on, pacing out of the way. */
export function twilioEnv(fake: FakeTwilio, over: Record<string, string> = {}): Record<string, string> {
  return {
    TWILIO_ACCOUNT_SID: fake.credentials.accountSid,
    TWILIO_AUTH_TOKEN: fake.credentials.authToken,
    TWILIO_FROM,
    TWILIO_API_BASE_URL: fake.url,
    PUBLIC_URL,
    QUIET_HOURS: '22:00-08:00',
    SMS_SEGMENTS_PER_SECOND: '1000',
    WECHAT_MESSAGES_PER_SECOND: '1000',
    ...over,
  };
}

export async function buildNoticeApp(
  fake: FakeTwilio,
  options: { env?: Record<string, string>; now?: number; databasePath?: string; open?: OpenOptions; deps?: Partial<AppDeps> } = {},
): Promise<TestApp> {
  // random 0: retries wait exactly the minimum backoff, so tests can advance the clock to them
  return buildTestApp({ ...options, env: twilioEnv(fake, options.env), deps: { random: () => 0, ...options.deps } });
}

/** buildNoticeApp on a database that outlives the app (sharedTestDatabase()): a restart, or another process, on the same data. */
export async function buildNoticeAppOn(
  database: TestDatabase,
  fake: FakeTwilio,
  options: { env?: Record<string, string>; now?: number; deps?: Partial<AppDeps> } = {},
): Promise<TestApp> {
  return database.build({ ...options, env: twilioEnv(fake, options.env), deps: { random: () => 0, ...options.deps } });
}

export async function putHandler(t: TestApp, handlerId = 'H001', over: Record<string, unknown> = {}): Promise<void> {
  const reply = await t.app.inject({ method: 'PUT', url: `/api/v1/sync/handlers/${handlerId}`, headers: t.sync, payload: handlerBody(over) });
  if (reply.statusCode !== 200) throw new Error(`PUT handler: ${reply.statusCode} ${reply.body}`);
}

export async function putApplication(t: TestApp, applicationNo: string, over: Record<string, unknown> = {}) {
  const reply = await t.app.inject({
    method: 'PUT',
    url: `/api/v1/sync/applications/${applicationNo}`,
    headers: t.sync,
    payload: applicationBody(over),
  });
  if (reply.statusCode !== 200 && reply.statusCode !== 201) throw new Error(`PUT application: ${reply.statusCode} ${reply.body}`);
  return reply.json().application as { expectedConnectDate: string | null };
}

export interface StepEvent {
  eventId: string;
  applicationNo: string;
  stepCode: string;
  type: 'step_started' | 'step_completed';
  at: string;
  handlerId?: string;
}

let eventSeq = 0;
export function started(applicationNo: string, stepCode: string, at: string, handlerId = 'H001'): StepEvent {
  return { eventId: `EV-${++eventSeq}`, applicationNo, stepCode, type: 'step_started', at, handlerId };
}
export function completed(applicationNo: string, stepCode: string, at: string, handlerId = 'H001'): StepEvent {
  return { eventId: `EV-${++eventSeq}`, applicationNo, stepCode, type: 'step_completed', at, handlerId };
}

export async function postEvents(t: TestApp, events: StepEvent[]) {
  const reply = await t.app.inject({ method: 'POST', url: '/api/v1/sync/events', headers: t.sync, payload: { events } });
  if (reply.statusCode !== 200) throw new Error(`POST events: ${reply.statusCode} ${reply.body}`);
  const result = reply.json() as { accepted: number; rejected: unknown[] };
  if (result.rejected.length > 0) throw new Error(`events rejected: ${JSON.stringify(result.rejected)}`);
  return result;
}

/** The application's outbox rows, oldest first, read through the app's store (either database). */
export async function outboxOf(t: TestApp, applicationNo: string): Promise<OutboxRow[]> {
  return (await t.app.stores.outbox.ofApplication(applicationNo)).reverse();
}

export async function rowsOfKind(t: TestApp, applicationNo: string, kind: string, channel = 'sms'): Promise<OutboxRow[]> {
  return (await outboxOf(t, applicationNo)).filter((r) => r.noticeKind === kind && r.channel === channel);
}

/**
 * The outbox rows to one address (on any channel, about any application or none), in the order they were written,
 * read with SQL on either database: for rows no port lists, such as the chat's replies to an unbound number.
 */
export async function outboxTo(t: TestApp, address: string): Promise<Pick<OutboxRow, 'id' | 'channel' | 'noticeKind' | 'variables' | 'text' | 'status' | 'nextAttemptAt'>[]> {
  const rows = await t.sql(
    `SELECT id, channel, notice_kind, variables, text, status, next_attempt_at FROM outbox WHERE address = ? ORDER BY ${t.config.postgres ? 'seq' : 'rowid'}`,
    address,
  );
  return rows.map((r) => ({
    id: r.id as string,
    channel: r.channel as OutboxRow['channel'],
    noticeKind: r.notice_kind as string,
    // SQLite keeps JSON text, PostgreSQL jsonb; PostgreSQL's bigint comes as text
    variables: typeof r.variables === 'string' ? (JSON.parse(r.variables) as unknown) : r.variables,
    text: r.text as string,
    status: r.status as OutboxRow['status'],
    nextAttemptAt: Number(r.next_attempt_at),
  }));
}

/** The requests the fake Twilio got for one outbox row (the row id travels as the idempotency token). */
export function requestsFor(fake: FakeTwilio, outboxId: string) {
  return fake.requests.filter((r) => r.idempotencyToken === outboxId);
}

/** A Twilio status callback as Twilio would post it, signed over the app's PUBLIC_URL + path unless `signature` is given. */
export async function postStatusCallback(
  t: TestApp,
  params: Record<string, string>,
  options: { signature?: string | null; authToken?: string } = {},
) {
  const authToken = options.authToken ?? t.config.twilio!.authToken;
  const signature =
    options.signature === undefined ? twilio.getExpectedTwilioSignature(authToken, t.config.publicUrl + STATUS_PATH, params) : options.signature;
  return t.app.inject({
    method: 'POST',
    url: STATUS_PATH,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(signature === null ? {} : { 'x-twilio-signature': signature }),
    },
    payload: new URLSearchParams(params).toString(),
  });
}

/** Signs `handlerId` in as staff (setting a password first) and returns an Authorization header. */
export async function staffHeaders(t: TestApp, handlerId = 'H001'): Promise<{ authorization: string }> {
  const password = 'correct horse battery staple';
  await t.app.staff.auth.setPassword(handlerId, password);
  const reply = await t.app.inject({ method: 'POST', url: '/api/v1/staff/login', payload: { handlerId, password } });
  if (reply.statusCode !== 200) throw new Error(`staff login: ${reply.statusCode} ${reply.body}`);
  return { authorization: `Bearer ${reply.json().token as string}` };
}

/** Polls until `condition` holds; rejects naming what it waited for. */
export async function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Brings an hv_dual application (no requested date, handler H001) to the point where design_review is the next
 * step: accepted 11-20, surveyed 11-20, plan replied 11-21 → 11-23. Plan notices are sent and waited for.
 */
export async function hvDualBeforeDesignReview(t: TestApp, applicationNo = 'YX2026-0001', over: Record<string, unknown> = {}) {
  await putHandler(t);
  await putApplication(t, applicationNo, { processCode: 'hv_dual', requestedConnectDate: undefined, ...over });
  await postEvents(t, [
    started(applicationNo, 'accept', '2026-11-20T09:00:00+08:00'),
    completed(applicationNo, 'accept', '2026-11-20T11:00:00+08:00'),
    started(applicationNo, 'survey', '2026-11-20T14:00:00+08:00'),
    completed(applicationNo, 'survey', '2026-11-20T16:00:00+08:00'),
    started(applicationNo, 'plan_reply', '2026-11-21T09:00:00+08:00'),
    completed(applicationNo, 'plan_reply', '2026-11-23T16:00:00+08:00'),
  ]);
  await t.app.notices.dispatcher.idle();
}
