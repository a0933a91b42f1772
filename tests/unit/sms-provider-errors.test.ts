// The Aliyun and Tencent error tables: every code issue 15 names, as the class the outbox acts on and whether an
// operator is alerted; carrier limits wait for their window, server errors are asked about before a resend.
import { describe, expect, it } from 'vitest';
import { aliyunChannelError, classifyAliyunCode } from '../../channels/sms-aliyun/errors.ts';
import { classifyTencentCode, tencentChannelError } from '../../channels/sms-tencent/errors.ts';

const NOW = Date.parse('2026-11-24T10:00:00+08:00');
const NEXT_BEIJING_MIDNIGHT = Date.parse('2026-11-25T00:00:00+08:00');

describe('Aliyun error codes', () => {
  it.each([
    ['isv.BUSINESS_LIMIT_CONTROL', 'temporary', false],
    ['isv.DAY_LIMIT_CONTROL', 'temporary', false],
    ['isv.SMS_SIGNATURE_ILLEGAL', 'permanent', true],
    ['isv.SMS_TEMPLATE_ILLEGAL', 'permanent', true],
    ['isv.AMOUNT_NOT_ENOUGH', 'permanent', true],
    ['isv.MOBILE_NUMBER_ILLEGAL', 'permanent', true],
    ['isv.OUT_OF_SERVICE', 'permanent', true],
    ['isp.SYSTEM_ERROR', 'temporary', false],
    ['MOBILE_IN_BLACK', 'opted_out', false],
    ['isv.SOMETHING_NEW', 'permanent', true],
  ] as const)('%s is %s, operator alert %s', (code, failure, operatorAlert) => {
    expect(classifyAliyunCode(code)).toMatchObject({ failure, operatorAlert });
    expect(aliyunChannelError(code, null, NOW)).toMatchObject({ failure, providerCode: code });
  });

  it.each([
    ['isv.DAY_LIMIT_CONTROL', '触发日发送限额', NEXT_BEIJING_MIDNIGHT],
    ['isv.BUSINESS_LIMIT_CONTROL', '触发天级流控Permits:10', NEXT_BEIJING_MIDNIGHT],
    ['isv.BUSINESS_LIMIT_CONTROL', '触发小时级流控Permits:5', NOW + 3600_000],
    ['isv.BUSINESS_LIMIT_CONTROL', '触发分钟级流控Permits:1', NOW + 60_000],
    ['isv.BUSINESS_LIMIT_CONTROL', null, NOW + 3600_000],
  ] as const)('%s (%s) waits until the window ends', (code, message, retryAt) => {
    expect(aliyunChannelError(code, message, NOW)).toMatchObject({ failure: 'temporary', retryAt, outcomeUnknown: false });
  });

  it('takes isp.SYSTEM_ERROR as a send that may have gone (asked before a resend), and no other refusal', () => {
    expect(aliyunChannelError('isp.SYSTEM_ERROR', null, NOW)).toMatchObject({ outcomeUnknown: true, retryAt: null });
    expect(aliyunChannelError('Throttling.User', null, NOW)).toMatchObject({ failure: 'temporary', outcomeUnknown: false, retryAt: null });
    expect(aliyunChannelError('isv.AMOUNT_NOT_ENOUGH', null, NOW)).toMatchObject({ outcomeUnknown: false, retryAt: null });
  });
});

describe('Tencent error codes', () => {
  it.each([
    ['LimitExceeded.DeliveryFrequencyLimit', 'temporary', false],
    ['FailedOperation.PhoneNumberInBlacklist', 'opted_out', false],
    ['FailedOperation.TemplateIncorrectOrUnapproved', 'permanent', true],
    ['FailedOperation.SignatureIncorrectOrUnapproved', 'permanent', true],
    ['InvalidParameterValue.IncorrectPhoneNumber', 'permanent', false],
    ['InternalError.Timeout', 'temporary', false],
    ['FailedOperation.SomethingNew', 'permanent', true],
  ] as const)('%s is %s, operator alert %s', (code, failure, operatorAlert) => {
    expect(classifyTencentCode(code)).toMatchObject({ failure, operatorAlert });
    expect(tencentChannelError(code, NOW)).toMatchObject({ failure, providerCode: code });
  });

  it.each([
    ['LimitExceeded.PhoneNumberThirtySecondLimit', NOW + 30_000],
    ['LimitExceeded.PhoneNumberOneHourLimit', NOW + 3600_000],
    ['LimitExceeded.DeliveryFrequencyLimit', NOW + 3600_000],
    ['LimitExceeded.PhoneNumberDailyLimit', NEXT_BEIJING_MIDNIGHT],
    ['LimitExceeded.PhoneNumberSameContentDailyLimit', NEXT_BEIJING_MIDNIGHT],
  ] as const)('%s waits until the window ends', (code, retryAt) => {
    expect(tencentChannelError(code, NOW)).toMatchObject({ failure: 'temporary', retryAt });
  });

  it('takes every InternalError as a send that may have gone (asked before a resend)', () => {
    for (const code of ['InternalError', 'InternalError.Timeout', 'InternalError.RequestTimeException', 'InternalError.SomethingElse']) {
      expect(tencentChannelError(code, NOW)).toMatchObject({ failure: 'temporary', outcomeUnknown: true, retryAt: null });
    }
    expect(tencentChannelError('RequestLimitExceeded', NOW)).toMatchObject({ failure: 'temporary', outcomeUnknown: false, retryAt: null });
  });
});
