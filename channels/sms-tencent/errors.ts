// Tencent Cloud SMS error codes (an API error's Code, a SendStatus's Code) as delivery decisions: the one table for Tencent.
import { ChannelError, type FailureKind } from '../channel.ts';

export interface TencentErrorClass {
  failure: FailureKind;
  /** the utility's setup is wrong (signature, template, balance): an operator must act */
  operatorAlert: boolean;
}

const temporary: TencentErrorClass = { failure: 'temporary', operatorAlert: false };
const permanent: TencentErrorClass = { failure: 'permanent', operatorAlert: false };
const operator: TencentErrorClass = { failure: 'permanent', operatorAlert: true };

export const tencentErrorClasses: Record<string, TencentErrorClass> = {
  // the carrier's per-number frequency limits: accepted later
  'LimitExceeded.DeliveryFrequencyLimit': temporary,
  'LimitExceeded.PhoneNumberDailyLimit': temporary,
  'LimitExceeded.PhoneNumberThirtySecondLimit': temporary,
  'LimitExceeded.PhoneNumberOneHourLimit': temporary,
  'LimitExceeded.PhoneNumberSameContentDailyLimit': temporary,
  'LimitExceeded.AppDailyLimit': temporary,
  RequestLimitExceeded: temporary,
  InternalError: temporary,
  'InternalError.Timeout': temporary,
  'InternalError.RequestTimeException': temporary,
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
  return tencentErrorClasses[code] ?? operator;
}

/** Tencent's own message text is left out: ChannelError messages end up in logs and the outbox. */
export function tencentChannelError(code: string): ChannelError {
  return new ChannelError(classifyTencentCode(code).failure, `Tencent Cloud SMS answered ${code}`, code);
}
