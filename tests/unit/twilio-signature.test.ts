import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { isValidTwilioSignature } from '../../channels/sms-twilio/signature.ts';

const authToken = '12345678901234567890123456789012';
const publicUrl = 'https://jiedian.example.cn';
const path = '/webhooks/twilio/sms';
const params = {
  MessageSid: 'SM' + '0'.repeat(32),
  AccountSid: 'AC' + '1'.repeat(32),
  From: '+8613800001111',
  To: '+15005550006',
  Body: '查询进度',
};
const signedByTwilio = twilio.getExpectedTwilioSignature(authToken, publicUrl + path, params);

describe('isValidTwilioSignature', () => {
  it('accepts the signature Twilio computes for PUBLIC_URL + path', () => {
    expect(isValidTwilioSignature({ authToken, publicUrl, path, params, signature: signedByTwilio })).toBe(true);
  });

  it('accepts it when PUBLIC_URL is written with a trailing slash', () => {
    expect(isValidTwilioSignature({ authToken, publicUrl: publicUrl + '/', path, params, signature: signedByTwilio })).toBe(true);
  });

  it('rejects a signature made with another auth token', () => {
    const forged = twilio.getExpectedTwilioSignature('another-token-another-token-12345', publicUrl + path, params);
    expect(isValidTwilioSignature({ authToken, publicUrl, path, params, signature: forged })).toBe(false);
  });

  it('rejects a genuine signature when a parameter was changed', () => {
    const tampered = { ...params, Body: '退订' };
    expect(isValidTwilioSignature({ authToken, publicUrl, path, params: tampered, signature: signedByTwilio })).toBe(false);
  });

  it('rejects a genuine signature presented for another path', () => {
    expect(isValidTwilioSignature({ authToken, publicUrl, path: '/webhooks/twilio/status', params, signature: signedByTwilio })).toBe(false);
  });

  it('checks against PUBLIC_URL, not the address the request reached behind a proxy', () => {
    const signedForInternalAddress = twilio.getExpectedTwilioSignature(authToken, 'http://127.0.0.1:3000' + path, params);
    expect(isValidTwilioSignature({ authToken, publicUrl, path, params, signature: signedForInternalAddress })).toBe(false);
  });

  it('rejects a missing or empty signature', () => {
    expect(isValidTwilioSignature({ authToken, publicUrl, path, params, signature: undefined })).toBe(false);
    expect(isValidTwilioSignature({ authToken, publicUrl, path, params, signature: '' })).toBe(false);
  });
});
