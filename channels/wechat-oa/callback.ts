// One Official Account callback, as WeChat sends it: the URL check's echostr, and a posted message — its signature
// checked, decrypted in safe mode, parsed — plus the passive reply to it (encrypted when the message was).
import { randomBytes } from 'node:crypto';
import Type, { type Static } from 'typebox';
import { decryptMessage, encryptMessage, SafeModeError } from './safe-mode.ts';
import { isValidWechatSignature, wechatSignature } from './signature.ts';
import { encryptedOf, encryptedReplyXml, parseInbound, textReplyXml, WechatXmlError, type WechatOaInbound } from './xml.ts';

export interface CallbackSecrets {
  appId: string;
  token: string;
  aesKey: string | null;
}

/** The query string WeChat adds to every callback. */
export const CallbackQuery = Type.Object({
  signature: Type.Optional(Type.String({ maxLength: 64 })),
  timestamp: Type.Optional(Type.String({ maxLength: 20 })),
  nonce: Type.Optional(Type.String({ maxLength: 64 })),
  echostr: Type.Optional(Type.String({ maxLength: 256 })),
  openid: Type.Optional(Type.String({ maxLength: 64 })),
  encrypt_type: Type.Optional(Type.String({ maxLength: 16 })),
  msg_signature: Type.Optional(Type.String({ maxLength: 64 })),
});
export type CallbackQuery = Static<typeof CallbackQuery>;

/** WeChat's callbacks are small; a body over this is not WeChat's. */
export const MAX_CALLBACK_BYTES = 64 * 1024;

/** The content types WeChat posts its XML with. */
export const CALLBACK_CONTENT_TYPES = ['text/xml', 'application/xml', 'text/plain'];

/** A signature that does not check out: the request is refused (401), nothing else happens. */
export class CallbackSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallbackSignatureError';
  }
}

/** A signed request whose body we cannot read (400). */
export class CallbackBodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallbackBodyError';
  }
}

export interface OpenedCallback {
  message: WechatOaInbound;
  /** safe mode: the reply must be encrypted too */
  encrypted: boolean;
}

/** Throws CallbackSignatureError unless `signature` is WeChat's over the token, timestamp and nonce. */
export function checkSignature(secrets: CallbackSecrets, query: CallbackQuery): void {
  if (secrets.token === '' || !isValidWechatSignature([secrets.token, query.timestamp ?? '', query.nonce ?? ''], query.signature)) {
    throw new CallbackSignatureError('missing or invalid WeChat signature');
  }
}

/** The URL check (GET): the echostr to answer with, when the signature is WeChat's. */
export function urlCheckEcho(secrets: CallbackSecrets, query: CallbackQuery): string {
  checkSignature(secrets, query);
  return query.echostr ?? '';
}

/** A posted callback: signatures checked (both in safe mode), decrypted, parsed. */
export function openCallback(secrets: CallbackSecrets, query: CallbackQuery, body: string): OpenedCallback {
  checkSignature(secrets, query);
  if (query.encrypt_type !== 'aes') {
    try {
      return { message: parseInbound(body), encrypted: false };
    } catch (error) {
      throw new CallbackBodyError(error instanceof Error ? error.message : String(error));
    }
  }
  let encrypt: string;
  try {
    encrypt = encryptedOf(body);
  } catch (error) {
    throw new CallbackBodyError(error instanceof Error ? error.message : String(error));
  }
  if (!isValidWechatSignature([secrets.token, query.timestamp ?? '', query.nonce ?? '', encrypt], query.msg_signature)) {
    throw new CallbackSignatureError('missing or invalid msg_signature');
  }
  if (secrets.aesKey === null) throw new CallbackBodyError('a safe-mode message arrived but WECHAT_OA_AES_KEY is not set');
  try {
    return { message: parseInbound(decryptMessage(secrets.aesKey, secrets.appId, encrypt)), encrypted: true };
  } catch (error) {
    if (error instanceof SafeModeError || error instanceof WechatXmlError) throw new CallbackBodyError(error.message);
    throw error;
  }
}

/** The passive text reply's body, encrypted and signed in safe mode. */
export function passiveReply(secrets: CallbackSecrets, opened: OpenedCallback, text: string, nowMs: number): string {
  const createTime = Math.floor(nowMs / 1000);
  const xml = textReplyXml({ toUser: opened.message.openId, fromUser: opened.message.toUser, createTime, text });
  if (!opened.encrypted || secrets.aesKey === null) return xml;
  const encrypt = encryptMessage(secrets.aesKey, secrets.appId, xml);
  const timestamp = String(createTime);
  const nonce = randomBytes(8).toString('hex');
  return encryptedReplyXml({ encrypt, msgSignature: wechatSignature([secrets.token, timestamp, nonce, encrypt]), timestamp, nonce });
}

/** What WeChat takes for "received, the answer follows (or there is none)". */
export const ACKNOWLEDGED = 'success';
