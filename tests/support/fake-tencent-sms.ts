/**
 * A fake Tencent Cloud SMS API (2021-01-11) on 127.0.0.1 for tests: point the real SDK at it with
 * TENCENT_SMS_ENDPOINT and assert on what arrived.
 *
 * Every request must carry a valid TC3-HMAC-SHA256 signature: the fake rebuilds the canonical request (method, path,
 * query, the signed content-type and host headers, the body's SHA-256), derives the signing key from the secret key
 * through the credential scope's date and service (the date must be X-TC-Timestamp's UTC date, the service the
 * host's first label, as Tencent derives it from the endpoint) and checks the HMAC; anything else gets
 * AuthFailure.SignatureFailure; a timestamp more than 5 minutes off gets AuthFailure.SignatureExpire. Implemented actions: SendSms and PullSmsSendStatusByPhoneNumber. SendSms refuses a
 * variable longer than Tencent takes (InvalidParameterValue.TemplateParameterLengthLimit).
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAKE_TENCENT_SECRET_ID = 'AKIDfakeTencentSecretId0123456789';
export const FAKE_TENCENT_SECRET_KEY = 'fake-tencent-secret-key-0123456789';
export const FAKE_TENCENT_SDK_APP_ID = '1400000001';
/** the longest template variable Tencent takes, in UTF-16 units */
export const TENCENT_MAX_PARAM_LENGTH = 12;

export interface TencentSentMessage {
  serialNo: string;
  phoneNumber: string;
  signName: string;
  templateId: string;
  templateParamSet: string[];
  sessionContext: string | null;
  sentAt: number;
  /** the carrier has reported on it: PullSmsSendStatusByPhoneNumber lists it */
  reported: boolean;
}

export interface TencentRequest {
  action: string;
  body: Record<string, unknown>;
  signed: boolean;
  outcome: number | 'timeout' | null;
}

/**
 * The next SendSms requests misbehave: `{ statusCode }` answers the send with that SendStatus code (how Tencent
 * reports a number's failure: blacklist, frequency limit, bad number); `{ errorCode }` fails the whole request with
 * that Error code (a template or signature not approved), after sending the message all the same when `taken`
 * (Tencent's internal error after it took it); `{ timeout: true }` sends but never answers; with
 * `lost: true` the request is lost before Tencent takes the message (nothing is sent), and never answered either.
 */
export type TencentFailure = { statusCode: string } | { errorCode: string; taken?: boolean } | { timeout: true; lost?: boolean };

export interface FakeTencentSms {
  url: string;
  credentials: { secretId: string; secretKey: string; sdkAppId: string };
  requests: TencentRequest[];
  sent: TencentSentMessage[];
  /** the clock sends are stamped with (the app's clock in tests that move it); the wall clock until set */
  useClock(now: () => number): void;
  failNext(count: number, failure: TencentFailure): void;
  /**
   * While held, messages are sent but the carrier has not reported on them yet (Tencent has no status to pull);
   * releasing reports every message sent so far.
   */
  holdReports(held: boolean): void;
  close(): Promise<void>;
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** Checks a TC3-HMAC-SHA256 signature as https://cloud.tencent.com/document/api/382/52071 describes it. */
export function isValidTc3Signature(request: { method: string; path: string; query: string; headers: Record<string, string | string[] | undefined>; body: Buffer }, secretId: string, secretKey: string): boolean {
  const authorization = String(request.headers.authorization ?? '');
  const match = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(authorization);
  if (!match) return false;
  const [, id, date, service, signedHeaderList, signature] = match as unknown as [string, string, string, string, string, string];
  if (id !== secretId) return false;
  const timestamp = Number(request.headers['x-tc-timestamp']);
  if (!Number.isFinite(timestamp) || new Date(timestamp * 1000).toISOString().slice(0, 10) !== date) return false;
  const hostname = String(request.headers.host ?? '').replace(/:\d+$/, '');
  if (service !== hostname.split('.')[0]) return false;
  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host') || !signedHeaders.includes('content-type')) return false;
  return tc3Signature(request, signedHeaders, timestamp, secretKey) === signature;
}

/** The TC3-HMAC-SHA256 signature (hex) of a request over `signedHeaders` at `timestamp` (seconds). */
export function tc3Signature(request: { method: string; path: string; query: string; headers: Record<string, string | string[] | undefined>; body: Buffer }, signedHeaders: string[], timestamp: number, secretKey: string): string {
  const hostname = String(request.headers.host ?? '').replace(/:\d+$/, '');
  const service = hostname.split('.')[0]!;
  const date = new Date(timestamp * 1000).toISOString().slice(0, 10);
  // the host is signed without its port
  const value = (h: string) => (h === 'host' ? hostname : String(request.headers[h] ?? '').trim());
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${value(h)}\n`).join('');
  const canonicalRequest = [request.method, request.path, request.query, canonicalHeaders, signedHeaders.join(';'), sha256Hex(request.body)].join('\n');
  const stringToSign = ['TC3-HMAC-SHA256', String(timestamp), `${date}/${service}/tc3_request`, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(`TC3${secretKey}`, date), service), 'tc3_request');
  return createHmac('sha256', signingKey).update(stringToSign).digest('hex');
}

/** Tencent refuses a request whose X-TC-Timestamp is further than this from its own time. */
export const TC3_MAX_SKEW_MS = 5 * 60 * 1000;

export async function startFakeTencentSms(
  credentials = { secretId: FAKE_TENCENT_SECRET_ID, secretKey: FAKE_TENCENT_SECRET_KEY, sdkAppId: FAKE_TENCENT_SDK_APP_ID },
): Promise<FakeTencentSms> {
  const requests: TencentRequest[] = [];
  const sent: TencentSentMessage[] = [];
  const failures: TencentFailure[] = [];
  const hanging = new Set<ServerResponse>();
  let now = () => Date.now();
  let holding = false;

  const answer = (res: ServerResponse, response: Record<string, unknown>, record: TencentRequest) => {
    record.outcome = 200;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Response: { ...response, RequestId: randomUUID() } }));
  };
  const error = (res: ServerResponse, code: string, message: string, record: TencentRequest) => answer(res, { Error: { Code: code, Message: message } }, record);

  const handle = (req: IncomingMessage, res: ServerResponse, raw: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const action = String(req.headers['x-tc-action'] ?? '');
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      body = {};
    }
    const signed = isValidTc3Signature({ method: req.method ?? 'POST', path: url.pathname, query: url.search.slice(1), headers: req.headers, body: raw }, credentials.secretId, credentials.secretKey);
    const record: TencentRequest = { action, body, signed, outcome: null };
    requests.push(record);
    if (!signed) return error(res, 'AuthFailure.SignatureFailure', 'The provided credentials could not be validated.', record);
    // as Tencent: a signature made more than 5 minutes from its time has expired (the SDK signs with the wall clock)
    if (Math.abs(Date.now() - Number(req.headers['x-tc-timestamp']) * 1000) > TC3_MAX_SKEW_MS) {
      record.signed = false;
      return error(res, 'AuthFailure.SignatureExpire', 'Signature expired. Timestamp and server time cannot differ by more than 5 minutes.', record);
    }
    if (req.headers['x-tc-version'] !== '2021-01-11') return error(res, 'InvalidParameter', 'Version is not valid.', record);
    if (body.SmsSdkAppId !== credentials.sdkAppId) return error(res, 'UnauthorizedOperation.SmsSdkAppIdVerifyFail', 'SmsSdkAppId verify fail.', record);

    if (action === 'SendSms') {
      const phones = body.PhoneNumberSet as string[] | undefined;
      if (!Array.isArray(phones) || phones.length !== 1 || typeof body.TemplateId !== 'string' || typeof body.SignName !== 'string') {
        return error(res, 'MissingParameter', 'PhoneNumberSet, TemplateId and SignName are required.', record);
      }
      // as Tencent: a variable of a notification template holds at most 12 characters, a character outside the BMP
      // (rare CJK, emoji) counting as two
      const params = (body.TemplateParamSet as unknown[] | undefined) ?? [];
      if (params.some((p) => typeof p !== 'string' || p.length > TENCENT_MAX_PARAM_LENGTH)) {
        return error(res, 'InvalidParameterValue.TemplateParameterLengthLimit', '单个模板变量字符数超过12个。', record);
      }
      const failure = failures.shift();
      if (failure && 'errorCode' in failure && !failure.taken) return error(res, failure.errorCode, failure.errorCode, record);
      const sessionContext = typeof body.SessionContext === 'string' ? body.SessionContext : null;
      if (failure && 'statusCode' in failure) {
        return answer(res, { SendStatusSet: [{ SerialNo: '', PhoneNumber: phones[0], Fee: 0, SessionContext: sessionContext ?? '', Code: failure.statusCode, Message: failure.statusCode, IsoCode: 'CN' }] }, record);
      }
      if (failure && 'lost' in failure && failure.lost) {
        record.outcome = 'timeout';
        hanging.add(res);
        return;
      }
      const message: TencentSentMessage = {
        serialNo: `2433:${randomBytes(10).toString('hex')}`,
        phoneNumber: phones[0]!,
        signName: body.SignName,
        templateId: body.TemplateId,
        templateParamSet: (body.TemplateParamSet as string[] | undefined) ?? [],
        sessionContext,
        sentAt: now(),
        reported: !holding,
      };
      sent.push(message);
      if (failure && 'errorCode' in failure) return error(res, failure.errorCode, failure.errorCode, record);
      if (failure && 'timeout' in failure) {
        record.outcome = 'timeout';
        hanging.add(res);
        return;
      }
      return answer(res, { SendStatusSet: [{ SerialNo: message.serialNo, PhoneNumber: message.phoneNumber, Fee: 1, SessionContext: sessionContext ?? '', Code: 'Ok', Message: 'send success', IsoCode: 'CN' }] }, record);
    }
    if (action === 'PullSmsSendStatusByPhoneNumber') {
      const since = Number(body.BeginTime) * 1000;
      const statuses = sent
        .filter((m) => m.reported && m.phoneNumber === body.PhoneNumber && m.sentAt >= since)
        .map((m) => ({
          UserReceiveTime: Math.floor(m.sentAt / 1000) + 1,
          CountryCode: '86',
          SubscriberNumber: m.phoneNumber.replace(/^\+86/, ''),
          PhoneNumber: m.phoneNumber,
          SerialNo: m.serialNo,
          ReportStatus: 'SUCCESS',
          Description: 'DELIVRD',
          SessionContext: m.sessionContext ?? '',
        }));
      return answer(res, { PullSmsSendStatusSet: statuses }, record);
    }
    return error(res, 'InvalidAction', `The action ${action} is not found.`, record);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    credentials,
    requests,
    sent,
    useClock(clock) {
      now = clock;
    },
    failNext(count, failure) {
      for (let i = 0; i < count; i++) failures.push(failure);
    },
    holdReports(held) {
      holding = held;
      if (!held) for (const m of sent) m.reported = true;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
