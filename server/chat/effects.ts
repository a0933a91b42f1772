// Carrying out what the dialogue decided: one named effect per kind, each given the turn it belongs to. Effects that
// write leave their writes in `turn.work` for the transaction that records the turn.
import { JiedianError } from '../errors.ts';
import { maskName } from '../domain/masking.ts';
import { maskCodes } from '../domain/chat/entities.ts';
import type { Effect, EffectOutcome } from '../domain/chat/dialogue.ts';
import { EVERY_ADDRESS } from '../notices/mute-store.ts';
import type { ServiceContext } from '../shared/context.ts';
import type { Stores } from '../stores.ts';
import type { CustomerStepRefusal, HurryService } from '../hurries/hurries.ts';
import type { RatingOutcome, RatingService } from '../risks/ratings.ts';
import { responsibleFor } from '../applications/responsible.ts';
import type { RiskService } from '../risks/risk-items.ts';
import type { Binding } from './binding.ts';
import type { ConsultService } from './consults.ts';
import { isNoticeChannel, type Turn } from './turn-context.ts';

/** the inbound messages a consult carries to staff */
const CONSULT_CONTEXT_MESSAGES = 5;

export interface EffectsOptions {
  ctx: ServiceContext;
  /** for reads outside a transaction */
  stores: Stores;
  /** one application's notices muted by the customer (免打扰) */
  hurries: HurryService;
  consults: ConsultService;
  binding: Binding;
  /** progress questions, consults and complaints are complaint-risk signals */
  risks: Pick<RiskService, 'record' | 'applicationOfPhone'>;
  /** answers to the satisfaction follow-up */
  ratings: Pick<RatingService, 'pendingAmong' | 'askedOfPhone' | 'rate' | 'ofApplication'>;
}

type EffectOf<K extends Effect['kind']> = Extract<Effect, { kind: K }>;

export function createEffects({ ctx, stores, hurries, consults, binding, risks, ratings }: EffectsOptions) {
  /** A consult for a person (转人工, or a complaint's call back), with the conversation's last messages for context. */
  async function openConsult(about: { accountNo: string | null; applicationNo: string | null }, turn: Turn) {
    const { conversation, conversationId, message, recorded } = turn;
    const earlier = conversation ? (await stores.chats.recentInbound(conversation.id, CONSULT_CONTEXT_MESSAGES - 1)).map((m) => m.text) : [];
    return consults.open({
      conversationId,
      channel: message.channel,
      address: message.address,
      accountNo: about.accountNo,
      applicationNo: about.applicationNo,
      // earlier messages as recorded, masked again: a record kept before every message was masked may hold a code
      text: [...earlier.map(maskCodes), recorded].join('\n'),
    });
  }

  async function hurry(effect: EffectOf<'hurry'>, { message }: Turn): Promise<EffectOutcome> {
    const { channel, address } = message;
    try {
      const { hurry, handlerName } = await hurries.request({
        applicationNo: effect.applicationNo,
        channel,
        replyAddress: isNoticeChannel(channel) ? address : null,
        message: effect.message,
        // SMS and WeChat: this turn's reply (with the reference number) is the receipt. A kiosk/web session
        // keeps the hurry_received SMS to the application's phone: the customer walks away from the kiosk.
        receiptInReply: isNoticeChannel(channel),
      });
      return { kind: 'hurried', reference: hurry.id, stepName: hurry.stepName, handlerName: handlerName ? maskName(handlerName) : null };
    } catch (error) {
      if (error instanceof JiedianError && error.code === 'JD_HURRY_COOLDOWN') {
        const body = error.extra.body as { retryAfterSeconds?: number; hurryId?: string } | undefined;
        return { kind: 'hurry_cooldown', reference: body?.hurryId ?? null, retryAfterSeconds: body?.retryAfterSeconds ?? 3600 };
      }
      if (error instanceof JiedianError && (error.code === 'JD_NOT_ACTIVE' || error.code === 'JD_NOT_FOUND')) return { kind: 'not_active' };
      const refusal = error instanceof JiedianError && error.code === 'JD_CONFLICT' ? (error.extra.body as Partial<CustomerStepRefusal> | undefined) : undefined;
      if (refusal?.side === 'customer') {
        return { kind: 'customer_step', stepName: refusal.stepName ?? '', customerTasks: refusal.customerTasks ?? [], nextStepName: refusal.nextStep?.name ?? null };
      }
      throw error;
    }
  }

  function optOut({ message: { channel, address }, now, work }: Turn): EffectOutcome {
    if (isNoticeChannel(channel)) work.writes.push((stores) => stores.outbox.optOut(channel, address, now, 'chat'));
    return { kind: 'opted_out' };
  }

  function mute(effect: EffectOf<'mute' | 'unmute'>, { message: { channel, address }, now, work }: Turn): EffectOutcome {
    // A kiosk or web session is no notice address: what it says holds for every address of the application.
    const target = isNoticeChannel(channel) ? { channel, address } : EVERY_ADDRESS;
    const { applicationNo } = effect;
    if (effect.kind === 'mute') {
      work.writes.push((stores) => stores.mutes.mute(applicationNo, target.channel, target.address, channel, now));
      return { kind: 'muted', applicationNo };
    }
    work.writes.push(async (stores) => void (await stores.mutes.unmute(applicationNo, target.channel, target.address, now)));
    return { kind: 'unmuted', applicationNo };
  }

  async function consult(effect: EffectOf<'consult'>, turn: Turn): Promise<EffectOutcome> {
    const { consult, existing } = await openConsult(effect, turn);
    if (effect.applicationNo && !existing) await risks.record({ applicationNo: effect.applicationNo, kind: 'consult', source: turn.message.channel, detail: consult.id });
    return { kind: 'consult_opened', reference: consult.id, existing };
  }

  /** A person is asked to call back (a consult in the team lead's queue); the application's risk item goes urgent. */
  async function complaint(effect: EffectOf<'complaint'>, turn: Turn): Promise<EffectOutcome> {
    const { channel, address } = turn.message;
    // An SMS number that never bound is the customer's when it is an application's phone (a reply to a notice).
    const applicationNo = effect.applicationNo ?? (channel === 'sms' ? await risks.applicationOfPhone(address) : null);
    const accountNo = effect.accountNo ?? (applicationNo ? ((await stores.applications.application(applicationNo))?.accountNo ?? null) : null);
    const { consult } = await openConsult({ accountNo, applicationNo }, turn);
    // A score given with the complaint is kept as the rating too ("1分 我要去12345投诉你们").
    if (effect.rating) await rate(effect.rating, turn);
    let contact: { name: string; phone: string } | null = null;
    if (applicationNo) {
      await risks.record({ applicationNo, kind: 'complaint', source: channel, detail: turn.recorded });
      const { handler } = await responsibleFor(stores.applications, applicationNo);
      if (handler) contact = { name: maskName(handler.name), phone: handler.phone };
    }
    return { kind: 'complaint_recorded', reference: consult.id, contact };
  }

  /** An answer to the follow-up, for the latest of the applications asked to rate that the sender may speak for. */
  async function rate(answer: { score: number; comment: string | null; applicationNos: string[] }, { message: { channel, address } }: Turn): Promise<RatingOutcome> {
    // An SMS reply from the number the question went to counts for that application, bound or not.
    const candidates = [...answer.applicationNos, ...(channel === 'sms' ? await ratings.askedOfPhone(address) : [])];
    const applicationNo = await ratings.pendingAmong(candidates);
    if (!applicationNo) {
      let closed: string | undefined;
      for (const no of candidates) if (closed === undefined && (await ratings.ofApplication(no)) !== null) closed = no;
      return closed ? { kind: 'closed', applicationNo: closed } : { kind: 'not_asked' };
    }
    return ratings.rate({ applicationNo, score: answer.score, comment: answer.comment === null ? null : maskCodes(answer.comment), channel });
  }

  async function rating(effect: EffectOf<'rating'>, turn: Turn): Promise<EffectOutcome> {
    const outcome = await rate(effect, turn);
    if (outcome.kind === 'rated') return { kind: 'rated', score: outcome.score, replaced: outcome.replaced, followUp: outcome.followUp };
    return outcome.kind === 'closed' ? { kind: 'rating_closed' } : { kind: 'rating_not_asked' };
  }

  /** Whether a rating question went to this sender (its applications, or an SMS number asked) and is unanswered. */
  async function awaitsRating(applicationNos: string[], message: { channel: string; address: string }): Promise<boolean> {
    const candidates = [...applicationNos, ...(message.channel === 'sms' ? await ratings.askedOfPhone(message.address) : [])];
    const pending = await ratings.pendingAmong(candidates);
    return pending !== null && (await ratings.ofApplication(pending))?.score === null;
  }

  /** Carries out the turn's effect and says how it went, for the dialogue to settle its replies. */
  async function carryOut(effect: Effect, turn: Turn): Promise<EffectOutcome> {
    const lockedUntil = turn.conversation?.bindLockedUntil ?? null;
    if ((effect.kind === 'send_bind_code' || effect.kind === 'check_code') && lockedUntil !== null && lockedUntil > turn.now) {
      return { kind: 'bind_locked', retryAfterSeconds: Math.ceil((lockedUntil - turn.now) / 1000) };
    }
    switch (effect.kind) {
      case 'send_bind_code':
        return binding.requestCode(effect, turn);
      case 'check_code':
        return binding.checkCode(effect, turn);
      case 'unbind':
        return binding.unbind(turn);
      case 'hurry':
        return hurry(effect, turn);
      case 'opt_out':
        return optOut(turn);
      case 'mute':
      case 'unmute':
        return mute(effect, turn);
      case 'consult':
        return consult(effect, turn);
      case 'complaint':
        return complaint(effect, turn);
      case 'rating':
        return rating(effect, turn);
    }
  }

  return { carryOut, awaitsRating };
}

export type Effects = ReturnType<typeof createEffects>;
