// The Wechaty bot's messages to the chat, and the replies said back.
import type { FastifyBaseLogger } from 'fastify';
import type { WechatyWeChatChannel } from '../../channels/wechat-wechaty.ts';
import type { ChatTurns } from './turn.ts';

/**
 * Feeds the Wechaty bot's messages to the chat and says the replies back (in a group, mentioning the sender).
 * Returns a function that detaches the handler.
 */
export function wireWeChatBot(channel: WechatyWeChatChannel, chat: Pick<ChatTurns, 'handle'>, log: Pick<FastifyBaseLogger, 'warn'>): () => void {
  return channel.onMessage(async (message) => {
    const result = await chat.handle({ channel: 'wechat', address: message.contactId, text: message.text, providerMessageId: message.messageId, public: message.inGroup });
    for (const text of result.replies) {
      try {
        await message.reply(text);
      } catch (error) {
        // The turn is recorded; a reply lost to a dropped connection is asked again by the customer.
        log.warn({ channel: 'wechat', messageId: message.messageId, err: error }, 'WeChat reply could not be sent');
        return;
      }
    }
  });
}
