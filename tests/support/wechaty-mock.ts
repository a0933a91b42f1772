/**
 * A real Wechaty bot on wechaty-puppet-mock, for tests of anything that talks WeChat.
 *
 *   const wx = createMockWechat();
 *   const channel = new WechatyWeChatChannel(wx.bot, logger);
 *   await channel.start();                      // or wx.bot.start()
 *   await wx.login();                           // the mock account scans in
 *   const customer = wx.createContact({ name: '王女士' });
 *   const inbox = wx.inboxOf(customer);         // what the bot sends this contact
 *   await channel.send({ ..., to: customer.id });
 *   expect((await inbox.waitFor(1))[0]?.text).toBe('…');
 *   wx.say(customer, '查询进度');                // the customer writes to the bot
 *   await channel.stop();
 *
 * Each call builds its own mocker, so contacts never leak between tests. Wechaty's own logging is silenced unless
 * WECHATY_LOG is set (e.g. WECHATY_LOG=verbose npx vitest run …).
 */
import { WechatyBuilder, log, type Wechaty } from 'wechaty';
import { PuppetMock, mock } from 'wechaty-puppet-mock';

if (!process.env.WECHATY_LOG) log.level('silent');

type ContactPayload = Parameters<mock.Mocker['createContact']>[0];

export interface ReceivedWeChatMessage {
  id: string;
  /** the sender's contact id (the bot's own id for messages the bot sent) */
  from: string;
  text: string | undefined;
}

export interface Inbox {
  /** messages so far, oldest first; grows as messages arrive */
  readonly messages: ReceivedWeChatMessage[];
  /** resolves with the messages once there are at least `count`; rejects after `timeoutMs` */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWeChatMessage[]>;
}

export interface MockWechat {
  bot: Wechaty;
  puppet: PuppetMock;
  mocker: mock.Mocker;
  /** the WeChat account the bot runs as */
  botUser: mock.ContactMock;
  /** logs the bot in as `botUser`; the bot must have been started. Resolves once `bot.isLoggedIn`. */
  login(timeoutMs?: number): Promise<void>;
  /** logs the bot out, as when the phone ends the session */
  logout(timeoutMs?: number): Promise<void>;
  createContact(payload?: ContactPayload): mock.ContactMock;
  /** collects the messages the bot sends to `contact`, from now on */
  inboxOf(contact: mock.ContactMock): Inbox;
  /** `contact` writes `text` to the bot one-to-one (the bot emits a `message` event) */
  say(contact: mock.ContactMock, text: string): void;
}

export function createMockWechat(options: { botName?: string } = {}): MockWechat {
  const mocker = new mock.Mocker();
  const puppet = new PuppetMock({ mocker });
  const bot = WechatyBuilder.build({ puppet });
  const botUser = mocker.createContact({ name: options.botName ?? '接电助手' });

  return {
    bot,
    puppet,
    mocker,
    botUser,
    async login(timeoutMs = 2000) {
      mocker.login(botUser);
      await until(() => bot.isLoggedIn, timeoutMs, 'the mock bot to log in');
    },
    async logout(timeoutMs = 2000) {
      await puppet.logout();
      await until(() => !bot.isLoggedIn, timeoutMs, 'the mock bot to log out');
    },
    createContact: (payload) => mocker.createContact(payload),
    inboxOf(contact) {
      const messages: ReceivedWeChatMessage[] = [];
      // a mock contact hears every message it is part of; keep those addressed to it
      onContactMessage(contact, (message) => {
        if (message.listener()?.id !== contact.id) return;
        messages.push({ id: message.id, from: message.talker().id, text: message.text() });
      });
      return {
        messages,
        async waitFor(count, timeoutMs = 2000) {
          await until(() => messages.length >= count, timeoutMs, `${count} message(s) to ${contact.id}`);
          return messages;
        },
      };
    },
    say(contact, text) {
      contact.say(text).to(botUser);
    },
  };
}

/**
 * ContactMock is an EventEmitter, but its typings reach it through `typed-emitter`'s default export, which
 * NodeNext resolution does not see through; hence the narrow cast.
 */
function onContactMessage(contact: mock.ContactMock, listener: (message: mock.MessageMock) => void): void {
  (contact as unknown as { on(event: 'message', listener: (message: mock.MessageMock) => void): void }).on('message', listener);
}

/** Polls `condition` every few milliseconds; rejects naming what it waited for. */
export async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Says `text` to the bot and returns the `count` replies (at least) that came after it. */
export async function askWechat(wx: MockWechat, contact: mock.ContactMock, inbox: Inbox, text: string, count = 1): Promise<string[]> {
  const before = inbox.messages.length;
  wx.say(contact, text);
  return (await inbox.waitFor(before + count, 3000)).slice(before).map((m) => m.text ?? '');
}
