// Picks each channel's adapter from config; a channel without credentials falls back to the log.
import type { Wechaty } from 'wechaty';
import type { Config } from '../server/config.ts';
import { loadSmsTemplateMap } from './sms-template-maps.ts';
import type { TemplateParams } from '../server/domain/sms-template-maps.ts';
import type { Channel, ChannelKind, ChannelLogger, SendResult } from './channel.ts';
import { EmailChannel } from './email/email-channel.ts';
import { AliyunSmsChannel } from './sms-aliyun/channel.ts';
import { TencentSmsChannel } from './sms-tencent/channel.ts';
import { LogChannel } from './log.ts';
import { TwilioSmsChannel } from './sms-twilio/channel.ts';
import { WechatyWeChatChannel, createWechatyBot } from './wechat-wechaty.ts';
import { WechatOaApi, type AccessTokenStore } from './wechat-oa/api.ts';
import { WechatOaChannel } from './wechat-oa/channel.ts';
import { loadTemplateMap } from './wechat-oa/template-map.ts';
import { WecomChannel } from './wecom/wecom-channel.ts';

export interface CreateChannelsOptions {
  config: Pick<Config, 'publicUrl' | 'twilio' | 'wechaty' | 'wechatOa' | 'timeZone' | 'wecom' | 'email'> & Partial<Pick<Config, 'smsProvider' | 'aliyunSms' | 'tencentSms' | 'smsRequestTimeoutMs'>>;
  logger: ChannelLogger;
  /** the templates directory holding sms-aliyun.json / sms-tencent.json (needed for those providers) */
  templatesDir?: string;
  /** the server's clock: template values write dates relative to its today */
  now?: () => number;
  /** an error code of a template SMS provider that needs an operator (metrics) */
  onOperatorAlert?: (provider: string, code: string) => void;
  /** a status report already received for an outbox id (Tencent's findSent asks it first) */
  receiptFor?: (provider: string, outboxId: string) => Promise<SendResult | null>;
  /** a ready-built bot (tests: one on wechaty-puppet-mock); takes precedence over `config.wechaty` */
  wechaty?: Wechaty;
  /** the Official Account's shared access token (the database) and the clock its expiry is judged by */
  wechatOa?: { tokens: AccessTokenStore; now: () => number; templateMapPath: string };
}

export interface Channels {
  channels: Record<ChannelKind, Channel>;
  /** the Wechaty-backed WeChat channel, for the chat service's `onMessage`; null when WeChat goes to the log */
  wechat: WechatyWeChatChannel | null;
  /** the Official Account's API (webhook answers, web authorization); null when it goes to the log */
  wechatOa: WechatOaApi | null;
  /** one line per channel saying what it uses, for the start-up log */
  announce: string[];
  /** the channels that fell back to the log for want of credentials: customers get nothing on them */
  fallbacks: ChannelKind[];
  /** Aliyun, Tencent: the template a notice goes out as by SMS (the carrier limits count it); null for other providers */
  smsTemplateOf: ((notice: { kind: string; variables: Record<string, unknown> }) => TemplateParams | null) | null;
}

/** The customer's mobile progress page, where every Official Account message links to. */
export function progressPageUrl(publicUrl: string, applicationNo: string | null): string {
  return `${publicUrl}/m/progress${applicationNo ? `?applicationNo=${encodeURIComponent(applicationNo)}` : ''}`;
}

export function createChannels({ config, logger, wechaty, wechatOa: oaDeps, templatesDir, now, onOperatorAlert, receiptFor }: CreateChannelsOptions): Channels {
  const announce: string[] = [];
  const fallbacks: ChannelKind[] = [];
  const timeZone = config.timeZone ?? 'Asia/Shanghai';
  const mapOf = (provider: 'aliyun' | 'tencent', signName: string) => {
    if (!templatesDir) throw new Error(`SMS_PROVIDER=${provider} needs the templates directory`);
    return loadSmsTemplateMap(templatesDir, provider, signName, timeZone);
  };

  let sms: Channel;
  if (config.smsProvider === 'aliyun' && config.aliyunSms) {
    const aliyun = config.aliyunSms;
    sms = new AliyunSmsChannel({ ...aliyun, templates: mapOf('aliyun', aliyun.signName), timeZone, now, logger, timeoutMs: config.smsRequestTimeoutMs, onOperatorAlert: (code) => onOperatorAlert?.('aliyun', code) });
    announce.push(`SMS channel: aliyun (sign name ${aliyun.signName} via ${aliyun.endpoint}; templates/sms-aliyun.json; receipts and replies at /webhooks/aliyun/sms-report and /webhooks/aliyun/sms-up)`);
  } else if (config.smsProvider === 'tencent' && config.tencentSms) {
    const tencent = config.tencentSms;
    sms = new TencentSmsChannel({
      ...tencent,
      templates: mapOf('tencent', tencent.signName),
      timeoutMs: config.smsRequestTimeoutMs,
      timeZone,
      now,
      logger,
      onOperatorAlert: (code) => onOperatorAlert?.('tencent', code),
      receiptFor: receiptFor ? (outboxId) => receiptFor('tencent', outboxId) : undefined,
    });
    announce.push(`SMS channel: tencent (SDK AppID ${tencent.sdkAppId}, sign name ${tencent.signName} via ${tencent.endpoint}; templates/sms-tencent.json; statuses and replies at /webhooks/tencent/sms-status and /webhooks/tencent/sms-reply)`);
  } else if (config.twilio) {
    const statusCallbackUrl = `${config.publicUrl}/webhooks/twilio/status`;
    sms = new TwilioSmsChannel({ ...config.twilio, statusCallbackUrl });
    announce.push(
      `SMS channel: twilio (from ${config.twilio.from} via ${config.twilio.apiBaseUrl ?? 'https://api.twilio.com'}; ` +
        `delivery statuses to ${statusCallbackUrl})`,
    );
  } else {
    sms = new LogChannel('sms', logger);
    fallbacks.push('sms');
    announce.push('SMS channel: log (no TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN/TWILIO_FROM; messages are written to the log)');
  }

  let wechat: WechatyWeChatChannel | null = null;
  if (wechaty) {
    wechat = new WechatyWeChatChannel(wechaty, logger);
    announce.push('WeChat channel: wechaty (injected bot)');
  } else if (config.wechaty) {
    const bot = createWechatyBot({ puppet: config.wechaty.puppet, puppetToken: config.wechaty.puppetToken, name: 'jiedian' });
    wechat = new WechatyWeChatChannel(bot, logger);
    const token = config.wechaty.puppetToken ? ' with WECHATY_PUPPET_SERVICE_TOKEN' : '';
    announce.push(`WeChat channel: wechaty (puppet ${config.wechaty.puppet}${token}; starts with the server)`);
  } else {
    fallbacks.push('wechat');
    announce.push('WeChat channel: log (no WECHATY_PUPPET; messages are written to the log)');
  }

  let wechatOaApi: WechatOaApi | null = null;
  let wechatOa: Channel;
  if (config.wechatOa && oaDeps) {
    const oa = config.wechatOa;
    wechatOaApi = new WechatOaApi({ appId: oa.appId, appSecret: oa.appSecret, apiBaseUrl: oa.apiBaseUrl, tokens: oaDeps.tokens, now: oaDeps.now });
    wechatOa = new WechatOaChannel({
      api: wechatOaApi,
      map: loadTemplateMap(oaDeps.templateMapPath),
      messageKind: oa.messageKind,
      progressUrl: (applicationNo) => progressPageUrl(config.publicUrl, applicationNo),
      timeZone: config.timeZone,
    });
    const mode = oa.aesKey ? 'safe mode (WECHAT_OA_AES_KEY) or plain' : 'plain mode';
    announce.push(
      `WeChat Official Account channel: ${oa.messageKind === 'template' ? 'template messages' : 'subscription notices'} via ${oa.apiBaseUrl} ` +
        `(AppID ${oa.appId}; callbacks at ${config.publicUrl}/webhooks/wechat-oa in ${mode})`,
    );
  } else {
    wechatOa = new LogChannel('wechat_oa', logger);
    fallbacks.push('wechat_oa');
    announce.push('WeChat Official Account channel: log (no WECHAT_OA_APP_ID/WECHAT_OA_APP_SECRET/WECHAT_OA_TOKEN; messages are written to the log)');
  }

  let wecom: Channel;
  if (config.wecom) {
    wecom = new WecomChannel(config.wecom);
    announce.push(`WeCom channel: wecom (corp ${config.wecom.corpId}, agent ${config.wecom.agentId} via ${config.wecom.apiBaseUrl})`);
  } else {
    wecom = new LogChannel('wecom', logger);
    fallbacks.push('wecom');
    announce.push('WeCom channel: log (no WECOM_CORP_ID/WECOM_AGENT_ID/WECOM_SECRET; messages are written to the log)');
  }

  let email: Channel;
  if (config.email) {
    email = new EmailChannel(config.email);
    // SMTP_URL may carry a password: only its host is named
    announce.push(`E-mail channel: smtp (from ${config.email.from} via ${new URL(config.email.smtpUrl).host})`);
  } else {
    email = new LogChannel('email', logger);
    fallbacks.push('email');
    announce.push('E-mail channel: log (no SMTP_URL; messages are written to the log)');
  }

  return {
    channels: { sms, wechat: wechat ?? new LogChannel('wechat', logger), wechat_oa: wechatOa, wecom, email },
    wechat,
    wechatOa: wechatOaApi,
    announce,
    fallbacks,
    smsTemplateOf: sms instanceof AliyunSmsChannel || sms instanceof TencentSmsChannel ? (notice) => sms.templateOf(notice) : null,
  };
}
