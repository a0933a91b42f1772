// The chat module (the chatbot): turns from every channel, binding senders to accounts, consults for a person
// (转人工) and the knowledge base; the Wechaty bot wired to the turns.
import fp from 'fastify-plugin';
import type { WechatyWeChatChannel } from '../../channels/wechat-wechaty.ts';
import type { KnowledgeEntry } from '../domain/chat/knowledge-base.ts';
import type { RealtimeHub } from '../realtime/hub.ts';
import { createBinding, type BindingOptions } from './binding.ts';
import { createConsultService, type ConsultService } from './consults.ts';
import { createEffects, type EffectsOptions } from './effects.ts';
import { createKnowledgeBase, type KnowledgeBase } from './knowledge-base.ts';
import { createChatRecord } from './messages.ts';
import { createBindingLimits } from './rate-limits.ts';
import type { AttemptLog } from '../limits/attempt-log.ts';
import { createChatTurns, type ChatTurns } from './turn.ts';
import { wireWeChatBot } from './wechat-bot.ts';

export interface ChatModule {
  turns: ChatTurns;
  consults: ConsultService;
  knowledge: KnowledgeBase;
}

declare module 'fastify' {
  interface FastifyInstance {
    chat: ChatModule;
  }
}

export interface ChatPluginOptions extends Omit<EffectsOptions, 'stores' | 'consults' | 'binding' | 'risks' | 'ratings'>, Pick<BindingOptions, 'views' | 'notices' | 'queryCodeGuesses'> {
  /** where binding-code requests and wrong codes are counted (shared by every instance on one database) */
  attempts: AttemptLog;
  hub: RealtimeHub;
  /** the knowledge base's data file (KNOWLEDGE_BASE_PATH), loaded */
  knowledgeFile: KnowledgeEntry[];
  /** the Wechaty bot, when WeChat is configured */
  wechat: WechatyWeChatChannel | null;
  wakeDispatcher: () => void;
}

export const chatPlugin = fp<ChatPluginOptions>(
  async (app, options) => {
    const { stores, transact } = app;
    const { ctx, notices, hurries, wakeDispatcher } = options;
    const { items: risks, ratings } = app.risks;
    const knowledge = createKnowledgeBase({ stores, transact, clock: ctx.clock, timeZone: ctx.timeZone, fileEntries: options.knowledgeFile });
    await knowledge.syncFromFile();
    const consults = createConsultService({ ctx, stores, transact, hub: options.hub });
    const binding = createBinding({ ctx, stores, views: options.views, notices, limits: createBindingLimits(options.attempts), queryCodeGuesses: options.queryCodeGuesses });
    const effects = createEffects({ ctx, stores, hurries, consults, binding, risks, ratings });
    const turns = createChatTurns({ ctx, record: createChatRecord({ stores, transact }), binding, effects, knowledge, risks, wakeDispatcher });
    const detachWeChat = options.wechat ? wireWeChatBot(options.wechat, turns, app.log) : () => {};
    app.addHook('onClose', async () => detachWeChat());
    app.decorate('chat', { turns, consults, knowledge } satisfies ChatModule);
  },
  { name: 'chat', dependencies: ['stores', 'risks'] },
);
