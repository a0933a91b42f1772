import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChannelError, type OutboundMessage } from '../../channels/channel.ts';
import { TwilioSmsChannel, toE164 } from '../../channels/sms-twilio/channel.ts';
import { mapTwilioStatus } from '../../channels/sms-twilio/callbacks.ts';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio.ts';

const FROM = '+15005550006';
const STATUS_CALLBACK = 'https://jiedian.example.cn/webhooks/twilio/status';

function outbound(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    outboxId: 'obx_01JD0000000000000000000001',
    to: '13800001111',
    text: '【接电助手】您的用电申请 YX2026-0001 已进入“现场勘查”环节，预计 11月28日 完成。回复 TD 退订',
    notice: { kind: 'step-started', variables: { applicationNo: 'YX2026-0001', stepName: '现场勘查' } },
    ...overrides,
  };
}

async function sendError(channel: TwilioSmsChannel, message = outbound()): Promise<ChannelError> {
  const error = await channel.send(message).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ChannelError);
  return error as ChannelError;
}

describe('TwilioSmsChannel against a fake Twilio', () => {
  let twilio: FakeTwilio;
  let channel: TwilioSmsChannel;

  beforeEach(async () => {
    twilio = await startFakeTwilio();
    channel = new TwilioSmsChannel({
      ...twilio.credentials,
      from: FROM,
      apiBaseUrl: twilio.url,
      statusCallbackUrl: STATUS_CALLBACK,
      timeoutMs: 300,
    });
  });

  afterEach(async () => {
    await twilio.close();
  });

  it('creates the message with to (as E.164), from, body and status callback, authenticated as the account', async () => {
    const message = outbound();
    const result = await channel.send(message);

    expect(twilio.requests).toHaveLength(1);
    const request = twilio.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/2010-04-01/Accounts/${twilio.credentials.accountSid}/Messages.json`);
    expect(request.form).toEqual({ To: '+8613800001111', From: FROM, Body: message.text, StatusCallback: STATUS_CALLBACK });
    expect(request.auth).toEqual({ username: twilio.credentials.accountSid, password: twilio.credentials.authToken });
    expect(request.outcome).toBe(201);
    expect(result).toEqual({ providerId: twilio.messages[0]!.sid, status: 'sent' });
    expect(result.providerId).toMatch(/^SM[0-9a-f]{32}$/);
  });

  it('passes the outbox id as the idempotency token, each concurrent send its own', async () => {
    await Promise.all([
      channel.send(outbound({ outboxId: 'obx_a', to: '13800000001' })),
      channel.send(outbound({ outboxId: 'obx_b', to: '13800000002' })),
      channel.send(outbound({ outboxId: 'obx_c', to: '13800000003' })),
    ]);

    const tokenByRecipient = Object.fromEntries(twilio.requests.map((r) => [r.to, r.idempotencyToken]));
    expect(tokenByRecipient).toEqual({ '+8613800000001': 'obx_a', '+8613800000002': 'obx_b', '+8613800000003': 'obx_c' });
  });

  it('leaves the status callback out when none is configured', async () => {
    const withoutCallback = new TwilioSmsChannel({ ...twilio.credentials, from: FROM, apiBaseUrl: twilio.url, statusCallbackUrl: null });
    await withoutCallback.send(outbound());
    expect(twilio.requests[0]!.form).not.toHaveProperty('StatusCallback');
  });

  it('reports a Twilio 500 as temporary', async () => {
    twilio.failNext(1, { status: 500 });
    const error = await sendError(channel);
    expect(error.failure).toBe('temporary');
    expect(error.providerCode).toBe('20500');

    await expect(channel.send(outbound())).resolves.toMatchObject({ status: 'sent' });
  });

  it('reports a 429 (too many requests) as temporary, without retrying inside the SDK', async () => {
    twilio.failNext(1, { status: 429 });
    expect((await sendError(channel)).failure).toBe('temporary');
    expect(twilio.requests).toHaveLength(1);
  });

  it('reports a 400 such as an invalid number (21211) as permanent with the Twilio code', async () => {
    twilio.failNext(1, { status: 400, code: 21211, message: "The 'To' number +8613800001111 is not a valid phone number." });
    const error = await sendError(channel);
    expect(error).toMatchObject({ failure: 'permanent', providerCode: '21211' });
    expect(error.message).not.toContain('13800001111');
  });

  it('reports error 21610 (recipient replied STOP) as opted out', async () => {
    twilio.failNext(1, { status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' });
    expect(await sendError(channel)).toMatchObject({ failure: 'opted_out', providerCode: '21610' });
  });

  it('reports wrong credentials (401) as permanent', async () => {
    const wrongToken = new TwilioSmsChannel({
      accountSid: twilio.credentials.accountSid,
      authToken: 'not-the-token',
      from: FROM,
      apiBaseUrl: twilio.url,
      statusCallbackUrl: null,
    });
    expect(await sendError(wrongToken)).toMatchObject({ failure: 'permanent', providerCode: '20003' });
  });

  it('reports a request that outlives the timeout as temporary', async () => {
    twilio.failNext(1, { delayMs: 1000 });
    const started = Date.now();
    expect((await sendError(channel)).failure).toBe('temporary');
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('reports a dropped connection as temporary', async () => {
    twilio.failNext(1, { disconnect: true });
    expect((await sendError(channel)).failure).toBe('temporary');
  });

  it('reports a refused connection as temporary', async () => {
    const closedPort = await unusedPort();
    const unreachable = new TwilioSmsChannel({
      ...twilio.credentials,
      from: FROM,
      apiBaseUrl: `http://127.0.0.1:${closedPort}`,
      statusCallbackUrl: null,
    });
    const error = await sendError(unreachable);
    expect(error.failure).toBe('temporary');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('keeps a path prefix of the API base URL (a proxy mounted under a path)', async () => {
    const behindPrefix = new TwilioSmsChannel({
      ...twilio.credentials,
      from: FROM,
      apiBaseUrl: `${twilio.url}/twilio-proxy/`,
      statusCallbackUrl: null,
    });
    await sendError(behindPrefix);
    expect(twilio.requests[0]!.path).toBe(`/twilio-proxy/2010-04-01/Accounts/${twilio.credentials.accountSid}/Messages.json`);
  });

  it('says whether an answer may have come after the message was created: a timeout, a reset or a 500 may; a 429 or a refused connection may not', async () => {
    twilio.failNext(1, { delayMs: 1000 });
    expect((await sendError(channel)).outcomeUnknown).toBe(true);
    twilio.failNext(1, { disconnect: true });
    expect((await sendError(channel)).outcomeUnknown).toBe(true);
    twilio.failNext(1, { status: 500 });
    expect((await sendError(channel)).outcomeUnknown).toBe(true);
    twilio.failNext(1, { status: 429 });
    expect((await sendError(channel)).outcomeUnknown).toBe(false);
    twilio.failNext(1, { status: 400, code: 21211 });
    expect((await sendError(channel)).outcomeUnknown).toBe(false);
    const unreachable = new TwilioSmsChannel({ ...twilio.credentials, from: FROM, apiBaseUrl: `http://127.0.0.1:${await unusedPort()}`, statusCallbackUrl: null });
    expect((await sendError(unreachable)).outcomeUnknown).toBe(false);
  });

  describe('findSent: was this message sent since the claim?', () => {
    const claimedAt = () => twilio.now() - 1000;

    it('finds a message Twilio created for a send that timed out, by listing the Messages to the number from our sender since the claim day', async () => {
      const message = outbound();
      twilio.failNext(1, { delayMs: 500 }); // created, but answered after the channel gave up
      await sendError(channel, message);
      await expect.poll(() => twilio.messages.length).toBe(1);

      const since = claimedAt();
      const found = await channel.findSent(message, since);
      expect(found).toEqual({ providerId: twilio.messages[0]!.sid, status: 'sent' });

      const lookups = twilio.requests.filter((r) => r.method === 'GET');
      expect(lookups.length).toBeGreaterThan(0);
      for (const lookup of lookups) {
        const url = new URL(lookup.path, 'http://x');
        expect(url.pathname).toBe(`/2010-04-01/Accounts/${twilio.credentials.accountSid}/Messages.json`);
        expect(url.searchParams.get('To')).toBe('+8613800001111');
        expect(url.searchParams.get('From')).toBe(FROM);
        expect(lookup.auth).toEqual({ username: twilio.credentials.accountSid, password: twilio.credentials.authToken });
        expect(lookup.outcome).toBe(200);
      }
      // Twilio's documented `DateSent>=YYYY-MM-DD`, with the GMT day of the claim (less a few minutes of clock skew)
      const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
      expect(lookups.map((r) => new URL(r.path, 'http://x').searchParams.get('DateSent>'))).toContain(dayOf(since - 5 * 60_000));
    });

    it('answers null for a message Twilio never got, for the same text to another number, and for a text sent before the claim', async () => {
      const message = outbound();
      await channel.send({ ...message, to: '13800002222' });
      expect(await channel.findSent(message, claimedAt())).toBeNull();

      await channel.send(message);
      // the same text to the same number, sent an hour before this row was claimed, is an earlier message
      expect(await channel.findSent(message, twilio.now() + 3_600_000)).toBeNull();
      expect(await channel.findSent({ ...message, text: message.text + '（续）' }, claimedAt())).toBeNull();
      expect(await channel.findSent(message, claimedAt())).toMatchObject({ status: 'sent' });
    });

    it('finds a message still queued at Twilio (no date_sent yet, so no DateSent filter matches it)', async () => {
      twilio.holdQueued(true);
      const message = outbound();
      const sent = await channel.send(message);
      expect(await channel.findSent(message, claimedAt())).toEqual({ providerId: sent.providerId, status: 'sent' });
    });

    it('reads past the first page of a busy number', async () => {
      const message = outbound();
      await channel.send(message);
      for (let i = 0; i < 130; i++) await channel.send({ ...message, outboxId: `obx_${i}`, text: `${message.text} ${i}` });
      const found = await channel.findSent(message, claimedAt());
      expect(found?.providerId).toBe(twilio.messages[0]!.sid);
      expect(twilio.requests.some((r) => r.method === 'GET' && /[?&]Page=1(&|$)/.test(r.path))).toBe(true);
    });

    it('fails the lookup (temporary, so the row waits) when Twilio cannot be asked, and as permanent with wrong credentials', async () => {
      const wrongToken = new TwilioSmsChannel({ accountSid: twilio.credentials.accountSid, authToken: 'not-the-token', from: FROM, apiBaseUrl: twilio.url, statusCallbackUrl: null });
      await expect(wrongToken.findSent(outbound(), claimedAt())).rejects.toMatchObject({ failure: 'permanent', providerCode: '20003' });
      const unreachable = new TwilioSmsChannel({ ...twilio.credentials, from: FROM, apiBaseUrl: `http://127.0.0.1:${await unusedPort()}`, statusCallbackUrl: null });
      await expect(unreachable.findSent(outbound(), claimedAt())).rejects.toMatchObject({ failure: 'temporary' });
    });
  });
});

describe('mapTwilioStatus', () => {
  it.each([
    ['queued', 'sent'],
    ['accepted', 'sent'],
    ['sending', 'sent'],
    ['sent', 'sent'],
    ['delivered', 'delivered'],
    ['undelivered', 'failed'],
    ['failed', 'failed'],
    ['receiving', null],
    ['canceled', null],
  ] as const)('maps Twilio status %s to %s', (status, expected) => {
    expect(mapTwilioStatus(status)).toBe(expected);
  });
});

describe('toE164', () => {
  it.each([
    ['13800001111', '+8613800001111'],
    ['138 0000 1111', '+8613800001111'],
    ['+8613800001111', '+8613800001111'],
    ['008613800001111', '+8613800001111'],
    ['+15005550006', '+15005550006'],
    ['0871-1234567', '08711234567'],
  ])('turns %s into %s', (phone, expected) => {
    expect(toE164(phone)).toBe(expected);
  });
});

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
