// WeChat through an in-process Wechaty bot; the puppet (the WeChat protocol provider) comes from config.
import { WechatyBuilder, types, type Message, type OfficialPuppetNpmName, type Wechaty } from 'wechaty';
import { ChannelError, type Channel, type ChannelLogger, type OutboundMessage, type SendResult } from './channel.ts';

/** A customer's text message to the bot, in our words, for the chat service. */
export interface IncomingWeChatMessage {
  /** the sender's contact id: what the chat service stores and later sends to */
  contactId: string;
  text: string;
  messageId: string;
  receivedAt: Date;
  /** said in a group chat that mentioned the bot (`text` is then without the mention): answer nothing private */
  inGroup: boolean;
  /** answers the message: to the contact, or in the group mentioning them */
  reply(text: string): Promise<void>;
}

export type IncomingWeChatHandler = (message: IncomingWeChatMessage) => void | Promise<void>;

/**
 * Connection loss is handled below us: the puppet's watchdog resets a puppet whose heartbeat stops, and
 * wechaty-puppet-service reconnects its gRPC stream itself; the bot then emits `logout`/`login`. Meanwhile
 * `send` fails as `temporary`, so the outbox retries later.
 */
export class WechatyWeChatChannel implements Channel {
  readonly kind = 'wechat' as const;
  readonly provider = 'wechaty';

  constructor(
    readonly bot: Wechaty,
    private readonly logger: ChannelLogger,
  ) {
    bot.on('login', (user) => logger.info({ channel: 'wechat', botId: user.id }, 'WeChat bot logged in'));
    bot.on('logout', (user, reason) =>
      logger.warn({ channel: 'wechat', botId: user.id, reason }, 'WeChat bot logged out; sends fail until it logs in again'),
    );
    bot.on('scan', (qrcode, status) =>
      logger.info({ channel: 'wechat', scanStatus: types.ScanStatus[status], qrcode }, 'WeChat bot is waiting for a QR-code scan to log in'),
    );
    // Wechaty reports recoverable trouble (a contact it cannot load, a puppet hiccup) as `error` events; an
    // EventEmitter without an `error` listener would throw them into whoever happened to trigger them.
    bot.on('error', (error) => logger.warn({ channel: 'wechat', err: error }, 'WeChat bot reported an error'));
  }

  async start(): Promise<void> {
    await this.bot.start();
  }

  async stop(): Promise<void> {
    await this.bot.stop();
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    if (!this.bot.isLoggedIn) throw new ChannelError('temporary', 'WeChat bot is not logged in');
    const contact = await this.bot.Contact.find({ id: message.to }).catch((error: unknown) => {
      throw new ChannelError('temporary', `WeChat contact lookup failed: ${describe(error)}`);
    });
    if (!contact) {
      // Wechaty answers "not found" for any lookup failure; a logout in the meantime is not the contact's fault.
      if (!this.bot.isLoggedIn) throw new ChannelError('temporary', 'WeChat bot logged out during the send');
      throw new ChannelError('permanent', 'WeChat contact not found');
    }
    try {
      const sent = await contact.say(message.text);
      // Not every puppet returns the id of the message it sent (the mock puppet does not).
      return { providerId: sent ? sent.id : message.outboxId, status: 'delivered' };
    } catch (error) {
      throw new ChannelError('temporary', `WeChat send failed: ${describe(error)}`);
    }
  }

  /**
   * Feeds customers' text messages to `handler`: one-to-one ones, and group messages that mention the bot. The bot's
   * own messages, other group chatter and non-text messages are skipped. Returns a function that removes the handler.
   */
  onMessage(handler: IncomingWeChatHandler): () => void {
    const listener = async (message: Message): Promise<void> => {
      if (message.self() || message.type() !== types.Message.Text) return;
      try {
        const room = message.room();
        if (room && !(await message.mentionSelf())) return;
        const talker = message.talker();
        await handler({
          contactId: talker.id,
          // mentionText() looks the mentioned members' names up; if that fails, strip any leading @name
          text: room ? await message.mentionText().catch(() => message.text().replace(/^(?:@\S+[\u2005 ]?)+/u, '').trim()) : message.text(),
          messageId: message.id,
          receivedAt: message.date(),
          inGroup: room !== undefined,
          reply: async (text) => {
            if (room) await room.say(text, talker);
            else await talker.say(text);
          },
        });
      } catch (error) {
        this.logger.error({ channel: 'wechat', messageId: message.id, err: error }, 'WeChat message handler failed');
      }
    };
    this.bot.on('message', listener);
    return () => {
      this.bot.off('message', listener);
    };
  }
}

export interface WechatyBotOptions {
  /** the puppet's npm name, e.g. 'wechaty-puppet-service' (must be installed) */
  puppet: string;
  /** the puppet service token, if the puppet needs one */
  puppetToken: string | null;
  /** also the name of the `<name>.memory-card.json` file (in the working directory) that keeps the login session */
  name: string;
}

/** Builds (does not start) the bot from config; an unknown or missing puppet fails at `start()`. */
export function createWechatyBot(options: WechatyBotOptions): Wechaty {
  return WechatyBuilder.build({
    name: options.name,
    // Any installed `wechaty-puppet-*` module works at run time; the type only lists the official ones.
    puppet: options.puppet as OfficialPuppetNpmName,
    puppetOptions: options.puppetToken === null ? {} : { token: options.puppetToken },
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
