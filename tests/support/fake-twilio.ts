/**
 * A fake Twilio REST API on 127.0.0.1 for tests: point the real SDK at it with TWILIO_API_BASE_URL
 * (`config.twilio.apiBaseUrl`) and assert on what arrived.
 *
 *   const twilio = await startFakeTwilio();
 *   const channel = new TwilioSmsChannel({ ...twilio.credentials, from: '+15005550006', apiBaseUrl: twilio.url, statusCallbackUrl: null });
 *   twilio.failNext(1, { status: 500 });           // the next request gets a 500, the one after succeeds
 *   ...
 *   expect(twilio.requests[0]?.form.Body).toBe('…');
 *   await twilio.close();
 *
 * Implemented, with HTTP basic auth checked against the fake's credentials:
 * - `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` (send): 201 with a Message resource (status `queued`);
 *   the message is then `sent` with a date_sent at once, unless `holdQueued(true)` keeps new ones queued;
 * - `GET` of the same path (list), as Twilio documents it: filters `To`, `From`, `DateSent` / `DateSent<=` /
 *   `DateSent>=` (a GMT date `YYYY-MM-DD` or a date-time `YYYY-MM-DDThh:mm:ssZ`; messages without a date_sent never
 *   match a DateSent filter), newest first, pages of `PageSize` (default 50, at most 1000) linked by `next_page_uri`.
 * Errors follow Twilio's shape `{ code, message, more_info, status }`.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAKE_TWILIO_ACCOUNT_SID = 'AC' + 'f'.repeat(32);
export const FAKE_TWILIO_AUTH_TOKEN = 'fake-twilio-auth-token-0123456789';

export interface RecordedTwilioRequest {
  method: string;
  /** path and query as received, e.g. /2010-04-01/Accounts/AC…/Messages.json */
  path: string;
  /** the decoded form body (`To`, `From`, `Body`, `StatusCallback`, …); the last value wins for repeated keys */
  form: Record<string, string>;
  to: string | null;
  from: string | null;
  body: string | null;
  statusCallback: string | null;
  /** the `I-Twilio-Idempotency-Token` header, if sent */
  idempotencyToken: string | null;
  /** decoded HTTP basic auth, if sent */
  auth: { username: string; password: string } | null;
  headers: IncomingHttpHeaders;
  receivedAt: Date;
  /** what the fake did: the HTTP status it answered with, 'disconnected', or null while a delayed answer is pending */
  outcome: number | 'disconnected' | null;
}

/**
 * A scripted misbehaviour for the next requests:
 * - `{ status: 500 }`, `{ status: 429 }`: an error answer (`code` defaults to a plausible Twilio code)
 * - `{ status: 400, code: 21211 }` invalid To, `{ status: 400, code: 21610 }` recipient unsubscribed (replied STOP)
 * - `{ delayMs: 500 }`: answer normally but late, so a client with a shorter timeout gives up (the message is still
 *   created: that is what a real timeout after acceptance looks like); combine with `status` for a late error
 * - `{ disconnect: true }`: close the connection without answering
 * - `created: true` with a status or a disconnect: the message is created all the same (Twilio took it, then the
 *   answer was lost or an error came back)
 */
export interface TwilioFailure {
  status?: number;
  code?: number;
  message?: string;
  delayMs?: number;
  disconnect?: boolean;
  created?: boolean;
}

export interface FakeTwilio {
  /** base URL to give the SDK, e.g. http://127.0.0.1:53121 */
  url: string;
  credentials: { accountSid: string; authToken: string };
  /** every request received, in arrival order, including rejected and failed ones */
  requests: RecordedTwilioRequest[];
  /** messages created (one per successful send), in order, as the send was answered */
  messages: Record<string, unknown>[];
  /** the requests that sent a message (POSTs to the Messages resource), in arrival order; lookups are left out */
  sends(): RecordedTwilioRequest[];
  /** true: messages created from now on stay `queued` without a date_sent, as behind a busy sender */
  holdQueued(hold: boolean): void;
  /** the fake's clock for date_created and date_sent (tests with a manual clock set it to theirs); default Date.now */
  now: () => number;
  /** the next `count` message requests that pass authentication misbehave as described */
  failNext(count: number, failure: TwilioFailure): void;
  close(): Promise<void>;
}

const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;

const defaultCodes: Record<number, number> = { 400: 21211, 401: 20003, 403: 20003, 404: 20404, 429: 20429, 500: 20500, 503: 20503 };

export async function startFakeTwilio(
  credentials: { accountSid: string; authToken: string } = {
    accountSid: FAKE_TWILIO_ACCOUNT_SID,
    authToken: FAKE_TWILIO_AUTH_TOKEN,
  },
): Promise<FakeTwilio> {
  const requests: RecordedTwilioRequest[] = [];
  const messages: Record<string, unknown>[] = [];
  /** what a list shows: each message as it is now, with its times in ms for filtering */
  const stored: { resource: Record<string, unknown>; createdMs: number; sentMs: number | null }[] = [];
  let holding = false;
  const script: TwilioFailure[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    readBody(req)
      .then((raw) => handle(req, res, raw))
      .catch(() => res.destroy());
  });

  function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const path = req.url ?? '/';
    const form = Object.fromEntries(new URLSearchParams(raw));
    const auth = basicAuth(req.headers.authorization);
    const record: RecordedTwilioRequest = {
      method: req.method ?? 'GET',
      path,
      form,
      to: form.To ?? null,
      from: form.From ?? null,
      body: form.Body ?? null,
      statusCallback: form.StatusCallback ?? null,
      idempotencyToken: header(req.headers, 'i-twilio-idempotency-token'),
      auth,
      headers: req.headers,
      receivedAt: new Date(),
      outcome: null,
    };
    requests.push(record);

    const answer = (status: number, payload: unknown): void => {
      record.outcome = status;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(payload));
    };

    const match = MESSAGES_PATH.exec(path.split('?')[0] ?? '');
    if (!match || (req.method !== 'POST' && req.method !== 'GET')) {
      answer(404, twilioError(404, 20404, `The requested resource ${path} was not found`));
      return;
    }
    if (!auth || auth.username !== credentials.accountSid || auth.password !== credentials.authToken) {
      answer(401, twilioError(401, 20003, 'Authenticate'));
      return;
    }
    if (match[1] !== credentials.accountSid) {
      answer(403, twilioError(403, 20003, 'Resource not accessible with this Account'));
      return;
    }

    if (req.method === 'GET') {
      const listed = listMessages(credentials.accountSid, stored, new URL(path, 'http://fake').searchParams);
      if (typeof listed.error === 'string') answer(400, twilioError(400, 20001, listed.error));
      else answer(200, listed);
      return;
    }

    const failure = script.shift();
    const create = (): Record<string, unknown> => {
      const createdMs = fake.now();
      const message = messageResource(credentials.accountSid, form, createdMs);
      messages.push(message);
      stored.push(
        holding
          ? { resource: { ...message }, createdMs, sentMs: null }
          : { resource: { ...message, status: 'sent', date_sent: rfc2822(createdMs) }, createdMs, sentMs: createdMs },
      );
      return message;
    };
    const respond = (): void => {
      if (failure?.created && form.To) create();
      if (failure?.disconnect) {
        record.outcome = 'disconnected';
        res.socket?.destroy();
        return;
      }
      if (failure?.status !== undefined) {
        const code = failure.code ?? defaultCodes[failure.status] ?? failure.status * 100;
        answer(failure.status, twilioError(failure.status, code, failure.message ?? `Scripted failure ${code}`));
        return;
      }
      if (!form.To) {
        answer(400, twilioError(400, 21604, "A 'To' phone number is required."));
        return;
      }
      answer(201, create());
    };

    if (failure?.delayMs) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        respond();
      }, failure.delayMs);
      timers.add(timer);
    } else {
      respond();
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeTwilio = {
    url: `http://127.0.0.1:${port}`,
    credentials,
    requests,
    messages,
    sends: () => requests.filter((r) => r.method === 'POST'),
    holdQueued(hold) {
      holding = hold;
    },
    now: () => Date.now(),
    failNext(count, failure) {
      for (let i = 0; i < count; i++) script.push({ ...failure });
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      // the SDK keeps connections alive; without this close() would wait for them to idle out
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
  return fake;
}

const DAY_MS = 86_400_000;

/** A DateSent value as an instant range [from, to): a GMT day, or one second. */
function dateSentRange(value: string): [number, number] | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const from = Date.parse(`${value}T00:00:00Z`);
    return Number.isNaN(from) ? null : [from, from + DAY_MS];
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(value)) {
    const from = Date.parse(value);
    return Number.isNaN(from) ? null : [from, from + 1000];
  }
  return null;
}

/** Twilio's Messages list: filters, newest first, one page with the link to the next. */
function listMessages(
  accountSid: string,
  stored: { resource: Record<string, unknown>; createdMs: number; sentMs: number | null }[],
  query: URLSearchParams,
): Record<string, unknown> {
  const to = query.get('To');
  const from = query.get('From');
  // `DateSent>=2026-11-24` in a URL is the parameter `DateSent>` with the value 2026-11-24
  const bounds: ((ms: number) => boolean)[] = [];
  for (const [name, test] of [
    ['DateSent', (r: [number, number]) => (ms: number) => ms >= r[0] && ms < r[1]],
    ['DateSent>', (r: [number, number]) => (ms: number) => ms >= r[0]],
    ['DateSent<', (r: [number, number]) => (ms: number) => ms < r[1]],
  ] as const) {
    const value = query.get(name);
    if (value === null) continue;
    const range = dateSentRange(value);
    if (!range) return { error: `Invalid ${name} value ${value}` };
    bounds.push(test(range));
  }
  const pageSize = Math.min(1000, Math.max(1, Number(query.get('PageSize') ?? 50) || 50));
  const page = Math.max(0, Number(query.get('Page') ?? 0) || 0);
  const matching = stored
    .filter((m) => (to === null || m.resource.to === to) && (from === null || m.resource.from === from))
    .filter((m) => bounds.length === 0 || (m.sentMs !== null && bounds.every((inRange) => inRange(m.sentMs!))))
    .sort((a, b) => (b.sentMs ?? b.createdMs) - (a.sentMs ?? a.createdMs));
  const start = page * pageSize;
  const items = matching.slice(start, start + pageSize);
  const base = `/2010-04-01/Accounts/${accountSid}/Messages.json`;
  const pageUri = (n: number) => {
    const params = new URLSearchParams(query);
    params.set('PageSize', String(pageSize));
    params.set('Page', String(n));
    if (n > 0) params.set('PageToken', `PA${n}`);
    else params.delete('PageToken');
    return `${base}?${params.toString()}`;
  };
  return {
    messages: items.map((m) => m.resource),
    end: start + Math.max(0, items.length - 1),
    first_page_uri: pageUri(0),
    next_page_uri: start + pageSize < matching.length ? pageUri(page + 1) : null,
    page,
    page_size: pageSize,
    previous_page_uri: page > 0 ? pageUri(page - 1) : null,
    start,
    uri: pageUri(page),
  };
}

const rfc2822 = (ms: number) => new Date(ms).toUTCString().replace('GMT', '+0000');

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

function basicAuth(authorization: string | undefined): { username: string; password: string } | null {
  const match = /^Basic (.+)$/i.exec(authorization ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function twilioError(status: number, code: number, message: string) {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

function messageResource(accountSid: string, form: Record<string, string>, createdMs: number): Record<string, unknown> {
  const sid = 'SM' + randomBytes(16).toString('hex');
  const now = rfc2822(createdMs);
  const body = form.Body ?? '';
  const uri = `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`;
  return {
    account_sid: accountSid,
    api_version: '2010-04-01',
    body,
    date_created: now,
    date_sent: null,
    date_updated: now,
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: form.From ?? null,
    messaging_service_sid: form.MessagingServiceSid ?? null,
    num_media: '0',
    num_segments: String(smsSegments(body)),
    price: null,
    price_unit: 'USD',
    sid,
    status: 'queued',
    subresource_uris: { media: uri.replace(/\.json$/, '/Media.json') },
    to: form.To,
    uri,
  };
}

/** UCS-2 (any non-GSM character, e.g. Chinese) fits 70 characters in one segment, 67 per part when split. */
function smsSegments(body: string): number {
  const length = Array.from(body).length;
  const ucs2 = /[^\x20-\x7e\n\r]/.test(body);
  const single = ucs2 ? 70 : 160;
  const part = ucs2 ? 67 : 153;
  return length <= single ? 1 : Math.ceil(length / part);
}
