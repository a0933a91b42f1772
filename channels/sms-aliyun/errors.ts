// Aliyun SMS error codes (SendSms `Code`, receipts' `err_code`) as delivery decisions: the one table for Aliyun.
import { carrierLimitRetryAt, type CarrierLimitWindow } from '../../server/domain/sms-limits.ts';
import { ChannelError, type FailureKind } from '../channel.ts';

export interface AliyunErrorClass {
  failure: FailureKind;
  /** the utility's setup is wrong (sign name, template, balance, service): an operator must act */
  operatorAlert: boolean;
  /** Aliyun may have taken the message all the same (its own server error): asked (findSent) before a resend */
  outcomeUnknown?: boolean;
  /**
   * A carrier limit on the number: the message waits for the window's end, not counted as an attempt. `from message`:
   * Aliyun names the window in its Message (触发分钟级流控 / 触发小时级流控 / 触发天级流控).
   */
  limit?: CarrierLimitWindow | 'from message';
}

const temporary: AliyunErrorClass = { failure: 'temporary', operatorAlert: false };
const permanent: AliyunErrorClass = { failure: 'permanent', operatorAlert: false };
const operator: AliyunErrorClass = { failure: 'permanent', operatorAlert: true };
const optedOut: AliyunErrorClass = { failure: 'opted_out', operatorAlert: false };

export const aliyunErrorClasses: Record<string, AliyunErrorClass> = {
  // the carrier's per-number limits: the same message is accepted later
  'isv.BUSINESS_LIMIT_CONTROL': { ...temporary, limit: 'from message' },
  'isv.DAY_LIMIT_CONTROL': { ...temporary, limit: 'day' },
  'isp.SYSTEM_ERROR': { ...temporary, outcomeUnknown: true },
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

/** The window Aliyun's flow-control message names; an hour when it names none (the middle of its three). */
function windowOf(message: string | null): CarrierLimitWindow {
  if (message?.includes('分钟')) return 'minute';
  if (message?.includes('天') || message?.includes('日')) return 'day';
  return 'hour';
}

/**
 * Aliyun's own message text is left out: ChannelError messages end up in logs and the outbox. `message` (Aliyun's
 * Message) only tells which limit window was hit; `now` is when it answered.
 */
export function aliyunChannelError(code: string, message: string | null, now: number): ChannelError {
  const { failure, outcomeUnknown = false, limit } = classifyAliyunCode(code);
  const retryAt = limit === undefined ? null : carrierLimitRetryAt(limit === 'from message' ? windowOf(message) : limit, now);
  return new ChannelError(failure, `Aliyun SMS answered ${code}`, code, outcomeUnknown, retryAt);
}
