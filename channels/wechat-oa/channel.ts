// The Official Account as a delivery channel: customer notices as template messages or subscription notices (per
// config) from templates/wechat-oa.json, each linking to the customer's progress page; chat answers that did not
// fit a passive reply as customer-service text.
import { ChannelError, type Channel, type OutboundMessage, type SendResult } from '../channel.ts';
import { WechatApiError, WechatTransportError, type WechatOaApi } from './api.ts';
import { failureOf } from './errcodes.ts';
import { TemplateMapError, templateData, type TemplateMap } from './template-map.ts';

/** The outbox kind of a chat answer sent after a `success` reply (not a notice: no template, its text as is). */
export const CHAT_REPLY_KIND = 'chat_reply';

export interface WechatOaChannelOptions {
  api: WechatOaApi;
  map: TemplateMap;
  messageKind: 'template' | 'subscribe';
  /** the customer's progress page for an application (the message's link) */
  progressUrl: (applicationNo: string | null) => string;
  timeZone: string;
}

export class WechatOaChannel implements Channel {
  readonly kind = 'wechat_oa' as const;
  readonly provider = 'wechat-oa';

  constructor(private readonly options: WechatOaChannelOptions) {}

  async send(message: OutboundMessage): Promise<SendResult> {
    const { api } = this.options;
    try {
      if (message.notice.kind === CHAT_REPLY_KIND) {
        await api.sendText(message.to, message.text);
        return { providerId: `custom-${message.outboxId}`, status: 'delivered' };
      }
      const variables = message.notice.variables;
      const { mapping, data } = templateData(this.options.map, message.notice.kind, variables, this.options.timeZone);
      const applicationNo = typeof variables.applicationNo === 'string' ? variables.applicationNo : null;
      const url = this.options.progressUrl(applicationNo);
      if (this.options.messageKind === 'subscribe') {
        const msgId = await api.sendSubscribe({ toUser: message.to, templateId: mapping.subscribeTemplateId, page: url, data });
        // the delivery result (subscribe_msg_sent_event) names the msgid, when WeChat gave one
        return { providerId: msgId || `subscribe-${message.outboxId}`, status: 'sent' };
      }
      const msgId = await api.sendTemplate({ toUser: message.to, templateId: mapping.templateId, url, data, clientMsgId: message.outboxId });
      return { providerId: msgId || `template-${message.outboxId}`, status: 'sent' };
    } catch (error) {
      if (error instanceof TemplateMapError) throw new ChannelError('permanent', error.message);
      if (error instanceof WechatApiError) throw new ChannelError(failureOf(error.errcode).failure, error.message, String(error.errcode));
      if (error instanceof WechatTransportError) throw new ChannelError('temporary', error.message);
      throw error;
    }
  }
}
