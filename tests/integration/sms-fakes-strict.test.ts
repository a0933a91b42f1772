// The fake Aliyun and Tencent Cloud APIs refuse what the vendors refuse, so a test through them can fail: Aliyun an
// x-acs-* header left unsigned, an x-acs-date more than 15 minutes off and a reused x-acs-signature-nonce; Tencent a
// timestamp more than 5 minutes off. Each request here is signed correctly otherwise; a control one is accepted.
import { createHash, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { acs3Signature, startFakeAliyunSms, type FakeAliyunSms } from '../support/fake-aliyun-sms.ts';
import { startFakeTencentSms, tc3Signature, type FakeTencentSms } from '../support/fake-tencent-sms.ts';

const sha256Hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const MINUTE = 60_000;

const fakes: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const fake of fakes.splice(0)) await fake.close();
});

function post(base: string, path: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; json: Record<string, any> }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, any> }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A SendSms request signed as Aliyun's V3 signature says, with what a test changes about it. */
async function aliyunSend(fake: FakeAliyunSms, change: { dateOffsetMs?: number; nonce?: string; unsignedHeader?: boolean } = {}) {
  const query: [string, string][] = [
    ['PhoneNumbers', '13800001111'],
    ['SignName', '接电助手'],
    ['TemplateCode', 'SMS_487000017'],
    ['TemplateParam', '{}'],
  ];
  const body = Buffer.alloc(0);
  const headers: Record<string, string> = {
    host: new URL(fake.url).host,
    'x-acs-action': 'SendSms',
    'x-acs-version': '2017-05-25',
    'x-acs-date': new Date(Date.now() + (change.dateOffsetMs ?? 0)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'x-acs-signature-nonce': change.nonce ?? randomUUID(),
    'x-acs-content-sha256': sha256Hex(body),
  };
  const signedHeaders = Object.keys(headers).sort();
  const signature = acs3Signature({ method: 'POST', path: '/', query, headers, body }, signedHeaders, fake.credentials.accessKeySecret);
  if (change.unsignedHeader) headers['x-acs-security-token'] = 'added-after-signing';
  headers.authorization = `ACS3-HMAC-SHA256 Credential=${fake.credentials.accessKeyId},SignedHeaders=${signedHeaders.join(';')},Signature=${signature}`;
  const search = query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return post(fake.url, `/?${search}`, headers, body);
}

/** A SendSms request signed as Tencent's TC3-HMAC-SHA256 says, `offsetMs` from now. */
async function tencentSend(fake: FakeTencentSms, offsetMs = 0) {
  const body = Buffer.from(
    JSON.stringify({ PhoneNumberSet: ['+8613800001111'], SmsSdkAppId: fake.credentials.sdkAppId, SignName: '接电助手', TemplateId: '1856017', TemplateParamSet: [] }),
  );
  const timestamp = Math.floor((Date.now() + offsetMs) / 1000);
  const headers: Record<string, string> = {
    host: new URL(fake.url).host,
    'content-type': 'application/json; charset=utf-8',
    'x-tc-action': 'SendSms',
    'x-tc-version': '2021-01-11',
    'x-tc-timestamp': String(timestamp),
  };
  const signedHeaders = ['content-type', 'host'];
  const signature = tc3Signature({ method: 'POST', path: '/', query: '', headers, body }, signedHeaders, timestamp, fake.credentials.secretKey);
  const date = new Date(timestamp * 1000).toISOString().slice(0, 10);
  headers.authorization = `TC3-HMAC-SHA256 Credential=${fake.credentials.secretId}/${date}/127/tc3_request, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  return post(fake.url, '/', headers, body);
}

describe('the fake Aliyun SMS API', () => {
  it('takes a correctly signed SendSms, and refuses an unsigned x-acs-* header, a date 16 minutes off either way, and a nonce used before', async () => {
    const fake = await startFakeAliyunSms();
    fakes.push(fake);

    const nonce = randomUUID();
    expect((await aliyunSend(fake, { nonce })).json).toMatchObject({ Code: 'OK' });
    expect(fake.sent).toHaveLength(1);

    expect(await aliyunSend(fake, { nonce })).toMatchObject({ status: 400, json: { Code: 'SignatureNonceUsed' } });
    expect(await aliyunSend(fake, { unsignedHeader: true })).toMatchObject({ status: 403, json: { Code: 'SignatureDoesNotMatch' } });
    expect(await aliyunSend(fake, { dateOffsetMs: -16 * MINUTE })).toMatchObject({ status: 400, json: { Code: 'InvalidTimeStamp.Expired' } });
    expect(await aliyunSend(fake, { dateOffsetMs: 16 * MINUTE })).toMatchObject({ status: 400, json: { Code: 'InvalidTimeStamp.Expired' } });
    expect((await aliyunSend(fake, { dateOffsetMs: -14 * MINUTE })).json).toMatchObject({ Code: 'OK' });
    expect(fake.sent).toHaveLength(2);
  });
});

describe('the fake Tencent Cloud SMS API', () => {
  it('takes a correctly signed SendSms, and refuses one signed 6 minutes off either way', async () => {
    const fake = await startFakeTencentSms();
    fakes.push(fake);

    expect((await tencentSend(fake)).json.Response).toMatchObject({ SendStatusSet: [{ Code: 'Ok' }] });
    expect((await tencentSend(fake, -6 * MINUTE)).json.Response).toMatchObject({ Error: { Code: 'AuthFailure.SignatureExpire' } });
    expect((await tencentSend(fake, 6 * MINUTE)).json.Response).toMatchObject({ Error: { Code: 'AuthFailure.SignatureExpire' } });
    expect((await tencentSend(fake, -4 * MINUTE)).json.Response).toMatchObject({ SendStatusSet: [{ Code: 'Ok' }] });
    expect(fake.sent).toHaveLength(2);
  });
});
