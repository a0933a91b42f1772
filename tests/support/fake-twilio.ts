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
 * Only `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` is implemented, with HTTP basic auth checked against
 * the fake's credentials. Answers follow Twilio's shapes: 201 with a Message resource (status `queued`), errors as
 * `{ code, message, more_info, status }`.
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
 */
export interface TwilioFailure {
  status?: number;
  code?: number;
  message?: string;
  delayMs?: number;
  disconnect?: boolean;
}

export interface FakeTwilio {
  /** base URL to give the SDK, e.g. http://127.0.0.1:53121 */
  url: string;
  credentials: { accountSid: string; authToken: string };
  /** every request received, in arrival order, including rejected and failed ones */
  requests: RecordedTwilioRequest[];
  /** messages created (one per successful send), in order */
  messages: Record<string, unknown>[];
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
    if (!match || req.method !== 'POST') {
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

    const failure = script.shift();
    const respond = (): void => {
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
      const message = messageResource(credentials.accountSid, form);
      messages.push(message);
      answer(201, message);
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

  return {
    url: `http://127.0.0.1:${port}`,
    credentials,
    requests,
    messages,
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
}

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

function messageResource(accountSid: string, form: Record<string, string>): Record<string, unknown> {
  const sid = 'SM' + randomBytes(16).toString('hex');
  const now = new Date().toUTCString().replace('GMT', '+0000');
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
