// The Official Account's callback XML: what WeChat posts (messages and events), parsed into our words, and the
// passive replies we answer with. fast-xml-parser reads it; every value is kept as text (a MsgId has 19 digits).
import { XMLBuilder, XMLParser } from 'fast-xml-parser';

export type WechatOaInbound =
  | { type: 'text'; openId: string; toUser: string; createTime: number; msgId: string; text: string }
  | { type: 'subscribe' | 'unsubscribe'; openId: string; toUser: string; createTime: number }
  /** TEMPLATESENDJOBFINISH: a template message's delivery result */
  | { type: 'template_result'; openId: string; toUser: string; createTime: number; msgId: string; status: string }
  /** subscribe_msg_sent_event: subscription notices' delivery results */
  | { type: 'subscribe_results'; openId: string; toUser: string; createTime: number; results: { msgId: string; errorCode: string; errorStatus: string }[] }
  /** subscribe_msg_popup_event / subscribe_msg_change_event: the user accepted or refused templates */
  | { type: 'subscribe_choice'; openId: string; toUser: string; createTime: number; refused: string[] }
  /** anything else WeChat sends (images, voice, menu clicks, location…): acknowledged, not handled */
  | { type: 'other'; openId: string; toUser: string; createTime: number; msgId: string | null; msgType: string; event: string | null };

export class WechatXmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WechatXmlError';
  }
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  // List is the only element WeChat repeats
  isArray: (name) => name === 'List',
});

/** The `<xml>` root's children, as text; throws WechatXmlError for anything that is not WeChat's shape. */
export function parseXmlRoot(body: string): Record<string, unknown> {
  // WeChat never sends a DOCTYPE; refusing one keeps entity expansion out entirely
  if (/<!DOCTYPE|<!ENTITY/i.test(body)) throw new WechatXmlError('DOCTYPE is not accepted');
  let parsed: unknown;
  try {
    parsed = parser.parse(body, true);
  } catch (error) {
    throw new WechatXmlError(`not XML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  const root = (parsed as { xml?: unknown }).xml;
  if (!root || typeof root !== 'object') throw new WechatXmlError('the root element must be <xml>');
  return root as Record<string, unknown>;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));

function listOf(value: unknown): Record<string, unknown>[] {
  if (!value || typeof value !== 'object') return [];
  const list = (value as { List?: unknown }).List;
  return Array.isArray(list) ? (list.filter((x) => x && typeof x === 'object') as Record<string, unknown>[]) : [];
}

/** A decrypted (or plain) message, in our words. */
export function parseInbound(body: string): WechatOaInbound {
  const root = parseXmlRoot(body);
  const openId = str(root.FromUserName);
  const toUser = str(root.ToUserName);
  const createTime = Number(str(root.CreateTime));
  const msgType = str(root.MsgType);
  if (!openId || !msgType || !Number.isInteger(createTime)) throw new WechatXmlError('FromUserName, CreateTime and MsgType are required');
  const base = { openId, toUser, createTime };
  if (msgType === 'text') {
    const msgId = str(root.MsgId);
    if (!msgId) throw new WechatXmlError('a text message needs its MsgId');
    return { type: 'text', ...base, msgId, text: str(root.Content) };
  }
  if (msgType === 'event') {
    const event = str(root.Event);
    switch (event) {
      case 'subscribe':
      case 'unsubscribe':
        return { type: event, ...base };
      case 'TEMPLATESENDJOBFINISH':
        return { type: 'template_result', ...base, msgId: str(root.MsgID ?? root.MsgId), status: str(root.Status) };
      case 'subscribe_msg_sent_event':
        return {
          type: 'subscribe_results',
          ...base,
          results: listOf(root.SubscribeMsgSentEvent).map((item) => ({ msgId: str(item.MsgID), errorCode: str(item.ErrorCode), errorStatus: str(item.ErrorStatus) })),
        };
      case 'subscribe_msg_popup_event':
      case 'subscribe_msg_change_event': {
        const holder = event === 'subscribe_msg_popup_event' ? root.SubscribeMsgPopupEvent : root.SubscribeMsgChangeEvent;
        const refused = listOf(holder)
          .filter((item) => str(item.SubscribeStatusString) === 'reject')
          .map((item) => str(item.TemplateId));
        return { type: 'subscribe_choice', ...base, refused };
      }
      default:
        return { type: 'other', ...base, msgId: null, msgType, event };
    }
  }
  return { type: 'other', ...base, msgId: str(root.MsgId) || null, msgType, event: null };
}

const builder = new XMLBuilder({ cdataPropName: '__cdata', suppressEmptyNode: false });

const cdata = (value: string) => ({ __cdata: value });

/** A passive text reply (被动回复) from the account to the user who wrote. */
export function textReplyXml(input: { toUser: string; fromUser: string; createTime: number; text: string }): string {
  return builder.build({
    xml: {
      ToUserName: cdata(input.toUser),
      FromUserName: cdata(input.fromUser),
      CreateTime: input.createTime,
      MsgType: cdata('text'),
      Content: cdata(input.text),
    },
  }) as string;
}

/** Safe mode's envelope around an encrypted reply. */
export function encryptedReplyXml(input: { encrypt: string; msgSignature: string; timestamp: string; nonce: string }): string {
  return builder.build({
    xml: { Encrypt: cdata(input.encrypt), MsgSignature: cdata(input.msgSignature), TimeStamp: input.timestamp, Nonce: cdata(input.nonce) },
  }) as string;
}

/** Safe mode's posted envelope: the encrypted message (and the account it went to). */
export function encryptedOf(body: string): string {
  const encrypt = str(parseXmlRoot(body).Encrypt);
  if (!encrypt) throw new WechatXmlError('safe mode: <Encrypt> is missing');
  return encrypt;
}
