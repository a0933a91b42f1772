// Aliyun SMS error codes (SendSms `Code`, receipts' `err_code`) as delivery decisions: the one table for Aliyun.
import { ChannelError, type FailureKind } from '../channel.ts';

export interface AliyunErrorClass {
  failure: FailureKind;
  /** the utility's setup is wrong (sign name, template, balance, service): an operator must act */
  operatorAlert: boolean;
}

const temporary: AliyunErrorClass = { failure: 'temporary', operatorAlert: false };
const permanent: AliyunErrorClass = { failure: 'permanent', operatorAlert: false };
const operator: AliyunErrorClass = { failure: 'permanent', operatorAlert: true };
const optedOut: AliyunErrorClass = { failure: 'opted_out', operatorAlert: false };

export const aliyunErrorClasses: Record<string, AliyunErrorClass> = {
  // the carrier's per-number limits: the same message is accepted later
  'isv.BUSINESS_LIMIT_CONTROL': temporary,
  'isv.DAY_LIMIT_CONTROL': temporary,
  'isp.SYSTEM_ERROR': temporary,
  'isp.RAM_PERMISSION_DENY': operator,
  Throttling: temporary,
  'Throttling.User': temporary,
  'isv.SMS_SIGNATURE_ILLEGAL': operator,
  'isv.SMS_TEMPLATE_ILLEGAL': operator,
  'isv.AMOUNT_NOT_ENOUGH': operator,
  'isv.OUT_OF_SERVICE': operator,
  'isv.MOBILE_NUMBER_ILLEGAL': operator,
  'isv.TEMPLATE_MISSING_PARAMETERS': operator,
  'isv.INVALID_PARAMETERS': permanent,
  'isv.PARAM_LENGTH_LIMIT': permanent,
  'isv.BLACK_KEY_CONTROL_LIMIT': permanent,
  // receipts: the number is on the carrier's or the signature's blacklist, or the customer refused our texts
  MOBILE_IN_BLACK: optedOut,
  USER_REJECT: optedOut,
  'isv.MOBILE_IN_BLACK': optedOut,
};

/** Unknown codes are permanent and raise an alert: guessing "retry" could repeat a text the carrier took. */
export function classifyAliyunCode(code: string): AliyunErrorClass {
  return aliyunErrorClasses[code] ?? operator;
}

/** Aliyun's own message text is left out: ChannelError messages end up in logs and the outbox. */
export function aliyunChannelError(code: string): ChannelError {
  return new ChannelError(classifyAliyunCode(code).failure, `Aliyun SMS answered ${code}`, code);
}
