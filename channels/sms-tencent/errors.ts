// Tencent Cloud SMS error codes (an API error's Code, a SendStatus's Code) as delivery decisions: the one table for Tencent.
import { carrierLimitRetryAt, type CarrierLimitWindow } from '../../server/domain/sms-limits.ts';
import { ChannelError, type FailureKind } from '../channel.ts';

export interface TencentErrorClass {
  failure: FailureKind;
  /** the utility's setup is wrong (signature, template, balance): an operator must act */
  operatorAlert: boolean;
  /** Tencent may have taken the message all the same (its own internal error): asked (findSent) before a resend */
  outcomeUnknown?: boolean;
  /** a carrier limit on the number: the message waits for the window's end, not counted as an attempt */
  limit?: CarrierLimitWindow;
}

const temporary: TencentErrorClass = { failure: 'temporary', operatorAlert: false };
const permanent: TencentErrorClass = { failure: 'permanent', operatorAlert: false };
const operator: TencentErrorClass = { failure: 'permanent', operatorAlert: true };
const limit = (window: CarrierLimitWindow): TencentErrorClass => ({ ...temporary, limit: window });
const internal: TencentErrorClass = { ...temporary, outcomeUnknown: true };

export const tencentErrorClasses: Record<string, TencentErrorClass> = {
  // the carrier's per-number frequency limits: accepted later
  // Tencent's default frequency policy is 1 per 30 s, 5 per hour and 10 per day for one number; the general code
  // names no window: an hour, the middle one
  'LimitExceeded.DeliveryFrequencyLimit': limit('hour'),
  'LimitExceeded.PhoneNumberDailyLimit': limit('day'),
  'LimitExceeded.PhoneNumberThirtySecondLimit': limit('thirty_seconds'),
  'LimitExceeded.PhoneNumberOneHourLimit': limit('hour'),
  'LimitExceeded.PhoneNumberSameContentDailyLimit': limit('day'),
  'LimitExceeded.AppDailyLimit': limit('day'),
  RequestLimitExceeded: temporary,
  InternalError: internal,
  'InternalError.Timeout': internal,
  'InternalError.RequestTimeException': internal,
  'InternalError.OtherError': internal,
  'InternalError.SendAndRecvFail': internal,
  // the customer replied 退订 (or the number is on the carrier's blacklist): never text it again
  'FailedOperation.PhoneNumberInBlacklist': { failure: 'opted_out', operatorAlert: false },
  'FailedOperation.TemplateIncorrectOrUnapproved': operator,
  'FailedOperation.SignatureIncorrectOrUnapproved': operator,
  'FailedOperation.InsufficientBalanceInSmsPackage': operator,
  'UnauthorizedOperation.SmsSdkAppIdVerifyFail': operator,
  'AuthFailure.SignatureFailure': operator,
  'AuthFailure.SecretIdNotFound': operator,
  'InvalidParameterValue.IncorrectPhoneNumber': permanent,
  'InvalidParameterValue.TemplateParameterLengthLimit': permanent,
  'InvalidParameterValue.TemplateParameterFormatError': permanent,
  'InvalidParameterValue.ProhibitedUseUrlInTemplateParameter': permanent,
  'FailedOperation.ContainSensitiveWord': permanent,
};

/** Unknown codes are permanent and raise an alert: guessing "retry" could repeat a text the carrier took. */
export function classifyTencentCode(code: string): TencentErrorClass {
  // any InternalError.* is Tencent's own failure, after which it may have sent the message
  return tencentErrorClasses[code] ?? (code.startsWith('InternalError.') ? internal : operator);
}

/** Tencent's own message text is left out: ChannelError messages end up in logs and the outbox. `now`: when it answered. */
export function tencentChannelError(code: string, now: number): ChannelError {
  const { failure, outcomeUnknown = false, limit } = classifyTencentCode(code);
  return new ChannelError(failure, `Tencent Cloud SMS answered ${code}`, code, outcomeUnknown, limit === undefined ? null : carrierLimitRetryAt(limit, now));
}
