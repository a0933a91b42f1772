/**
 * A fake Aliyun SMS API (dysmsapi 2017-05-25) on 127.0.0.1 for tests: point the real SDK at it with
 * ALIYUN_SMS_ENDPOINT and assert on what arrived.
 *
 * Every request must carry a valid ACS3-HMAC-SHA256 signature (Aliyun's V3 request signature, which the SDK uses by
 * default): the fake rebuilds the canonical request (method, path, sorted percent-encoded query, the signed
 * x-acs-*, host and content-type headers, the body's SHA-256) and checks the HMAC with the access key secret;
 * anything else gets 403 SignatureDoesNotMatch, as does a request with an x-acs-* header left unsigned. As Aliyun, it
 * refuses an x-acs-date more than 15 minutes off (InvalidTimeStamp.Expired) and a reused x-acs-signature-nonce
 * (SignatureNonceUsed). Implemented actions: SendSms (records the message, answers a BizId)
 * and QuerySendDetails (the messages sent to a number on a day, with their OutId, a page at a time).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAKE_ALIYUN_ACCESS_KEY_ID = 'LTAI5tFakeAccessKeyId01';
export const FAKE_ALIYUN_ACCESS_KEY_SECRET = 'fake-aliyun-access-key-secret-0123';
/** the longest template variable Aliyun takes, in UTF-16 units */
export const ALIYUN_MAX_PARAM_LENGTH = 35;

export interface AliyunSentMessage {
  bizId: string;
  phoneNumbers: string;
  signName: string;
  templateCode: string;
  /** TemplateParam, parsed */
  templateParam: Record<string, string>;
  outId: string | null;
  /** yyyyMMdd in Beijing time */
  sendDate: string;
}

export interface AliyunRequest {
  action: string;
  query: Record<string, string>;
  /** whether the signature checked out */
  signed: boolean;
  /** the HTTP status answered, 'timeout' for a request left unanswered on purpose */
  outcome: number | 'timeout' | null;
}

/**
 * The next SendSms requests misbehave: `{ code }` answers that error code (HTTP 200, as Aliyun does) with `message`
 * as its Message (Aliyun names a flow control's window there), after sending the message all the same when `taken`
 * (Aliyun's own failure after it took it);
 * `{ timeout: true }` takes the message (it is sent) but never answers, so the client times out; with `lost: true` the
 * request is lost before the provider takes the message (nothing is sent), and never answered either.
 */
export type AliyunFailure = { code: string; message?: string; taken?: boolean } | { timeout: true; lost?: boolean };

export interface FakeAliyunSms {
  /** the endpoint to configure, e.g. http://127.0.0.1:53121 */
  url: string;
  credentials: { accessKeyId: string; accessKeySecret: string };
  requests: AliyunRequest[];
  /** messages accepted, in order (a timed-out one included) */
  sent: AliyunSentMessage[];
  /** the clock sends are stamped with (the app's clock in tests that move it); the wall clock until set */
  useClock(now: () => number): void;
  failNext(count: number, failure: AliyunFailure): void;
  close(): Promise<void>;
}

/** RFC 3986 percent-encoding, as Aliyun's signature documents it. */
function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** The V3 signature (hex) of a request over `signedHeaders`, as https://help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature describes it. */
export function acs3Signature(request: { method: string; path: string; query: [string, string][]; headers: Record<string, string | string[] | undefined>; body: Buffer }, signedHeaders: string[], secret: string): string {
  const canonicalQuery = [...request.query]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&');
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${String(request.headers[h] ?? '').trim()}\n`).join('');
  const canonicalRequest = [request.method, request.path, canonicalQuery, canonicalHeaders, signedHeaders.join(';'), sha256Hex(request.body)].join('\n');
  return createHmac('sha256', secret).update(`ACS3-HMAC-SHA256\n${sha256Hex(canonicalRequest)}`).digest('hex');
}

/** Checks the V3 signature of a request: host, content-type if sent and every x-acs-* header signed, the body's hash. */
export function isValidAcs3Signature(request: { method: string; path: string; query: [string, string][]; headers: Record<string, string | string[] | undefined>; body: Buffer }, secret: string): boolean {
  const authorization = String(request.headers.authorization ?? '');
  const match = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(authorization);
  if (!match) return false;
  const signedHeaders = match[2]!.split(';');
  // as Aliyun: host, and every x-acs-* header the request carries, must be signed
  const mustSign = ['host', ...Object.keys(request.headers).filter((h) => h.startsWith('x-acs-'))];
  if (!mustSign.every((h) => signedHeaders.includes(h)) || !signedHeaders.includes('x-acs-date') || !signedHeaders.includes('x-acs-signature-nonce')) return false;
  if (request.headers['x-acs-content-sha256'] !== sha256Hex(request.body)) return false;
  return acs3Signature(request, signedHeaders, secret) === match[3];
}

/** Aliyun refuses a request whose x-acs-date is further than this from its own time. */
export const ACS3_MAX_SKEW_MS = 15 * 60 * 1000;

function beijingDate(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
}

export async function startFakeAliyunSms(
  credentials = { accessKeyId: FAKE_ALIYUN_ACCESS_KEY_ID, accessKeySecret: FAKE_ALIYUN_ACCESS_KEY_SECRET },
): Promise<FakeAliyunSms> {
  const requests: AliyunRequest[] = [];
  const sent: AliyunSentMessage[] = [];
  const failures: AliyunFailure[] = [];
  const hanging = new Set<ServerResponse>();
  const nonces = new Set<string>();
  let now = () => Date.now();

  const json = (res: ServerResponse, status: number, body: unknown, record: AliyunRequest) => {
    record.outcome = status;
    res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' }).end(JSON.stringify(body));
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const queryPairs = [...url.searchParams.entries()];
    // a form body carries parameters too (the SDK puts SendSms's in the query)
    const formPairs = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') ? [...new URLSearchParams(body.toString('utf8')).entries()] : [];
    const query = Object.fromEntries([...queryPairs, ...formPairs]);
    const action = String(req.headers['x-acs-action'] ?? '');
    const signed = isValidAcs3Signature({ method: req.method ?? 'GET', path: url.pathname, query: queryPairs, headers: req.headers, body }, credentials.accessKeySecret);
    const credential = /Credential=([^,]+)/.exec(String(req.headers.authorization ?? ''))?.[1];
    const record: AliyunRequest = { action, query, signed: signed && credential === credentials.accessKeyId, outcome: null };
    requests.push(record);
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    if (!record.signed) {
      return json(res, 403, { Code: 'SignatureDoesNotMatch', Message: 'Specified signature does not match our calculation.', RequestId: requestId }, record);
    }
    // as Aliyun: a stale or future x-acs-date, or a nonce already seen, is a replay (the SDK signs with the wall clock)
    const signedAt = Date.parse(String(req.headers['x-acs-date'] ?? ''));
    if (!Number.isFinite(signedAt) || Math.abs(Date.now() - signedAt) > ACS3_MAX_SKEW_MS) {
      record.signed = false;
      return json(res, 400, { Code: 'InvalidTimeStamp.Expired', Message: 'Specified time stamp or date value is expired.', RequestId: requestId }, record);
    }
    const nonce = String(req.headers['x-acs-signature-nonce']);
    if (nonces.has(nonce)) {
      record.signed = false;
      return json(res, 400, { Code: 'SignatureNonceUsed', Message: 'Specified signature nonce was used already.', RequestId: requestId }, record);
    }
    nonces.add(nonce);
    if (req.headers['x-acs-version'] !== '2017-05-25') return json(res, 400, { Code: 'InvalidVersion', Message: 'Specified parameter Version is not valid.', RequestId: requestId }, record);

    if (action === 'SendSms') {
      for (const name of ['PhoneNumbers', 'SignName', 'TemplateCode'] as const) {
        if (!query[name]) return json(res, 400, { Code: 'MissingParameter', Message: `${name} is mandatory for this action.`, RequestId: requestId }, record);
      }
      // as Aliyun: a variable holds at most 35 characters, a character outside the BMP (rare CJK, emoji) counting as two
      const values = Object.values(query.TemplateParam ? (JSON.parse(query.TemplateParam) as Record<string, unknown>) : {});
      if (values.some((v) => String(v).length > ALIYUN_MAX_PARAM_LENGTH)) return json(res, 200, { Code: 'isv.PARAM_LENGTH_LIMIT', Message: '参数超出长度限制', RequestId: requestId }, record);
      const failure = failures.shift();
      const refusal = failure && 'code' in failure ? { Code: failure.code, Message: failure.message ?? failure.code, RequestId: requestId } : null;
      if (refusal && !(failure as { taken?: boolean }).taken) return json(res, 200, refusal, record);
      if (failure && 'lost' in failure && failure.lost) {
        record.outcome = 'timeout';
        hanging.add(res);
        return;
      }
      const message: AliyunSentMessage = {
        bizId: `${now()}${randomBytes(4).toString('hex')}`,
        phoneNumbers: query.PhoneNumbers!,
        signName: query.SignName!,
        templateCode: query.TemplateCode!,
        templateParam: query.TemplateParam ? (JSON.parse(query.TemplateParam) as Record<string, string>) : {},
        outId: query.OutId ?? null,
        sendDate: beijingDate(now()),
      };
      sent.push(message);
      if (refusal) return json(res, 200, refusal, record);
      if (failure && 'timeout' in failure) {
        record.outcome = 'timeout';
        hanging.add(res);
        return;
      }
      return json(res, 200, { Code: 'OK', Message: 'OK', BizId: message.bizId, RequestId: requestId }, record);
    }
    if (action === 'QuerySendDetails') {
      // as Aliyun: PageSize (1-50) and CurrentPage are required; one page of the day's messages, TotalCount of all
      const pageSize = Number(query.PageSize);
      const currentPage = Number(query.CurrentPage);
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 50 || !Number.isInteger(currentPage) || currentPage < 1) {
        return json(res, 400, { Code: 'isv.INVALID_PARAMETERS', Message: 'PageSize must be 1-50 and CurrentPage at least 1.', RequestId: requestId }, record);
      }
      const all = sent
        .filter((m) => m.phoneNumbers.split(',').includes(query.PhoneNumber ?? '') && m.sendDate === query.SendDate)
        .map((m) => ({
          PhoneNum: query.PhoneNumber,
          SendStatus: 3,
          ErrCode: 'DELIVERED',
          TemplateCode: m.templateCode,
          Content: `【${m.signName}】…`,
          SendDate: m.sendDate,
          ReceiveDate: m.sendDate,
          OutId: m.outId ?? '',
        }));
      const details = all.slice((currentPage - 1) * pageSize, currentPage * pageSize);
      return json(res, 200, { Code: 'OK', Message: 'OK', RequestId: requestId, TotalCount: all.length, SmsSendDetailDTOs: { SmsSendDetailDTO: details } }, record);
    }
    return json(res, 404, { Code: 'InvalidAction.NotFound', Message: `Specified api is not found: ${action}`, RequestId: requestId }, record);
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
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
