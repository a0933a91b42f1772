// Risk items (投诉风险预警): every signal about an application is judged by the risk rules; one open item per
// application gathers the signals that set a rule off and rises to the highest tier they reach. Shown live in the
// team lead's queue, an urgent item texts the team lead once in working time, closing needs a handling note.
import type { FastifyBaseLogger } from 'fastify';
import { JiedianError } from '../errors.ts';
import { findProcess, findStep, type Process } from '../domain/catalog.ts';
import { calendarDateOf, formatInstant, startOfDay } from '../domain/dates.ts';
import { currentStepIndex } from '../domain/progress-view.ts';
import {
  highestTier,
  isDoublePress,
  judgeSignal,
  riskRuleLabels,
  riskTierNames,
  tierRank,
  type RiskRuleName,
  type RiskRules,
  type RiskSignalFacts,
  type RiskSignalKind,
  type RiskTier,
} from '../domain/risk.ts';
import { isBlankText } from '../domain/text-input.ts';
import { addWorkingMinutes, firstWorkdayOf, isWorkingTime, nextWorkingTime, workingMinutesOfDay, type WorkingHours } from '../domain/working-time.ts';
import type { RiskItem, RiskSignal } from './risk-store.ts';
import type { Stores, Transact } from '../stores.ts';
import type { RealtimeHub } from '../realtime/hub.ts';
import type { ServiceContext } from '../shared/context.ts';
import type { NoticeWriter } from '../notices/writer.ts';
import { responsibleFor } from '../applications/responsible.ts';
import type { StaffPrincipal } from '../staff/staff-accounts.ts';
import { publishToStaff, staffSees } from '../staff/staff-topics.ts';

/** an item reopened this soon after it was closed is the same episode: its urgent text is not sent again */
const REOPEN_SAME_EPISODE_MS = 24 * 60 * 60 * 1000;
/** closed items stay visible in the queue this long */
const CLOSED_VISIBLE_MS = 24 * 60 * 60 * 1000;
export const MAX_HANDLING_NOTE = 1000;

export interface RiskSignalView {
  kind: RiskSignalKind;
  at: string;
  /** sms, wechat, kiosk, web or system */
  source: string;
  stepCode: string | null;
  stepName: string | null;
  stepOverdue: boolean;
  score: number | null;
  detail: string | null;
  rules: RiskRuleName[];
  /** the rules in Chinese, as the staff pages show them */
  ruleNames: string[];
  tier: RiskTier | null;
}

export interface RiskItemView {
  id: string;
  applicationNo: string;
  customerName: string | null;
  teamId: string | null;
  handlerId: string | null;
  handlerName: string | null;
  tier: RiskTier;
  tierName: string;
  status: 'open' | 'closed';
  openedAt: string;
  raisedAt: string;
  lastSignalAt: string;
  handleBy: string | null;
  /** open past its handling limit (handleBy): the sweep has raised it to 紧急 */
  overdue: boolean;
  textedAt: string | null;
  closedAt: string | null;
  closedBy: string | null;
  note: string | null;
  signals: RiskSignalView[];
}

export interface RiskSignalInput {
  applicationNo: string;
  kind: RiskSignalKind;
  source: string;
  /** the step the signal is about; the application's current step when left out */
  stepCode?: string | null;
  detail?: string | null;
  score?: number | null;
  negativeComment?: boolean;
}

export interface RiskRecord {
  /** the item the signal raised or joined; null when it set off no rule and found no open item */
  item: RiskItem | null;
  /** the rules it set off */
  rules: RiskRuleName[];
}

export interface RiskServiceOptions {
  ctx: ServiceContext;
  /** for reads outside a transaction */
  stores: Stores;
  transact: Transact;
  notices: NoticeWriter;
  hub: RealtimeHub;
  rules: RiskRules;
  workingHours: WorkingHours;
  log: FastifyBaseLogger;
  wakeDispatcher: () => void;
}

export function createRiskService(options: RiskServiceOptions) {
  const { ctx, stores, transact, notices, hub, rules } = options;
  const instant = (ms: number | null) => (ms === null ? null : formatInstant(ms, ctx.timeZone));

  function stepName(process: Process | undefined, stepCode: string | null): string | null {
    if (stepCode === null) return null;
    return (process && findStep(process, stepCode)?.name) ?? stepCode;
  }

  function signalView(row: RiskSignal, process: Process | undefined): RiskSignalView {
    return {
      kind: row.kind,
      at: instant(row.at)!,
      source: row.source,
      stepCode: row.stepCode,
      stepName: stepName(process, row.stepCode),
      stepOverdue: row.stepOverdue,
      score: row.score,
      detail: row.detail,
      rules: row.rules,
      ruleNames: row.rules.map((r) => riskRuleLabels[r]),
      tier: row.tier,
    };
  }

  async function view(row: RiskItem): Promise<RiskItemView> {
    const handler = row.handlerId ? await stores.applications.handler(row.handlerId) : undefined;
    const application = await stores.applications.application(row.applicationNo);
    const process = application && findProcess(ctx.catalog, application.processCode);
    return {
      id: row.id,
      applicationNo: row.applicationNo,
      customerName: application?.customerName ?? null,
      teamId: row.teamId,
      handlerId: row.handlerId,
      handlerName: handler?.name ?? null,
      tier: row.tier,
      tierName: riskTierNames[row.tier],
      status: row.status,
      openedAt: instant(row.openedAt)!,
      raisedAt: instant(row.raisedAt)!,
      lastSignalAt: instant(row.lastSignalAt)!,
      handleBy: instant(row.handleBy),
      overdue: row.status === 'open' && row.handleBy !== null && ctx.clock.now() > row.handleBy,
      textedAt: instant(row.textedAt),
      closedAt: instant(row.closedAt),
      closedBy: row.closedBy,
      note: row.note,
      signals: (await stores.risks.signalsOfItem(row.id)).map((signal) => signalView(signal, process)),
    };
  }

  /** After the commit that changed them, the items as committed go live and the texts queued go out. */
  async function publish(ids: string[]): Promise<void> {
    options.wakeDispatcher();
    for (const id of ids) {
      const row = await stores.risks.item(id);
      if (!row) continue;
      const everyTeam = row.teamId === null ? await stores.staff.leads(null) : [];
      publishToStaff(hub, JSON.stringify({ type: 'risk', risk: await view(row) }), row, { allTeamLeads: () => everyTeam });
    }
  }

  async function nextReference(risks: Stores['risks'], now: number): Promise<string> {
    const today = calendarDateOf(now, ctx.timeZone);
    const sequence = (await risks.countItemsSince(startOfDay(today, ctx.timeZone))) + 1;
    return `FX${today.slice(2).replaceAll('-', '')}${String(sequence).padStart(4, '0')}`;
  }

  /** Texts the item's team leads that it is urgent, and records it; inside the caller's unit of work. */
  async function textLeads(all: Stores, row: RiskItem, now: number): Promise<void> {
    const { risks, staff } = all;
    const leads = await staff.leads(row.teamId);
    if (leads.length === 0) options.log.warn({ risk: row.id, teamId: row.teamId }, 'urgent risk item, but no team lead to text');
    const application = await all.applications.application(row.applicationNo);
    const fired = new Set((await risks.signalsOfItem(row.id)).flatMap((s) => s.rules));
    for (const lead of leads) {
      await notices.queue(all, 'risk_urgent', { kind: 'handler', handlerId: lead.handlerId, phone: lead.phone, applicationNo: row.applicationNo }, {
        applicationNo: row.applicationNo,
        customerName: application?.customerName ?? '',
        reference: row.id,
        reasons: [...fired].map((r) => riskRuleLabels[r]),
      });
    }
    await risks.updateItem(row.id, { textAt: null, textedAt: now });
    await risks.audit(row.id, 'texted', 'system', now, leads.map((l) => l.handlerId).join(','));
  }

  /** An urgent item owes one text: at once in working time, else at the start of the next working period. */
  async function oweText(all: Stores, id: string, now: number): Promise<void> {
    const row = (await all.risks.item(id))!;
    if (row.tier !== 'urgent' || row.textedAt !== null || row.textAt !== null) return;
    if (isWorkingTime(now, ctx.calendar, options.workingHours, ctx.timeZone)) await textLeads(all, row, now);
    else await all.risks.updateItem(id, { textAt: nextWorkingTime(now, ctx.calendar, options.workingHours, ctx.timeZone) });
  }

  function facts(row: RiskSignal): RiskSignalFacts {
    return { kind: row.kind, at: row.at, stepCode: row.stepCode, stepOverdue: row.stepOverdue, score: row.score, negativeComment: false };
  }

  /**
   * Records a signal and judges it in a unit of work of its own (`recordWithin`: in the caller's). Returns the item
   * it raised or joined and the rules it set off.
   */
  async function record(input: RiskSignalInput): Promise<RiskRecord> {
    const recorded = await transact((all) => recordWithin(all, input));
    await announce(recorded);
    return recorded;
  }

  /** After the commit of the unit of work that recorded it, the item it raised or joined goes live. */
  async function announce(recorded: RiskRecord): Promise<void> {
    if (recorded.item) await publish([recorded.item.id]);
  }

  /** Records a signal and judges it in the caller's unit of work (a hurry), which calls `announce` after it commits. */
  async function recordWithin(all: Stores, input: RiskSignalInput): Promise<RiskRecord> {
    const { risks } = all;
    const now = ctx.clock.now();
    const application = await all.applications.application(input.applicationNo);
    if (!application) return { item: null, rules: [] };
    await risks.lockApplication(application.applicationNo);
    const process = findProcess(ctx.catalog, application.processCode);
    const steps = await all.applications.steps(application.applicationNo);
    let stepCode = input.stepCode ?? null;
    if (input.stepCode === undefined && process) {
      const byCode = new Map(steps.map((s) => [s.stepCode, s.status]));
      const current = currentStepIndex(process.steps.map((s) => byCode.get(s.code) ?? 'pending'));
      stepCode = current >= 0 ? process.steps[current]!.code : null;
    }
    const stepRow = stepCode === null ? undefined : steps.find((s) => s.stepCode === stepCode);
    const stepOverdue = stepRow?.status === 'in_progress' && stepRow.dueAt !== null && now > stepRow.dueAt;
    const signal: RiskSignalFacts = { kind: input.kind, at: now, stepCode, stepOverdue, score: input.score ?? null, negativeComment: input.negativeComment === true };
    const history = await risks.signalsOfApplication(application.applicationNo);
    const historyFacts = history.map(facts);
    // a double click on the hurry button is one press (the hurry itself is refused in its cooldown)
    if (isDoublePress(signal, historyFacts)) {
      const open = await risks.itemOfApplication(application.applicationNo);
      return { item: open?.status === 'open' ? open : null, rules: [] };
    }
    const findings = judgeSignal(signal, historyFacts, rules);
    const tier = highestTier(findings.map((f) => f.tier));
    let item = await risks.itemOfApplication(application.applicationNo);
    const { handler, teamId } = await responsibleFor(all.applications, application.applicationNo);
    if (tier !== null) {
      const handleBy =
        findings.some((f) => f.rule === 'low_rating')
          ? addWorkingMinutes(
              now,
              // a working day as long as the first one the item can be worked on (seasonal hours differ)
              rules.rules.low_rating.handleWithinWorkdays * workingMinutesOfDay(firstWorkdayOf(now, ctx.calendar, options.workingHours, ctx.timeZone), options.workingHours),
              ctx.calendar,
              options.workingHours,
              ctx.timeZone,
            )
          : null;
      if (!item) {
        const id = await nextReference(risks, now);
        await risks.insertItem({
          id,
          applicationNo: application.applicationNo,
          teamId,
          handlerId: handler?.id ?? null,
          tier,
          status: 'open',
          openedAt: now,
          raisedAt: now,
          lastSignalAt: now,
          handleBy,
        });
        await risks.audit(id, 'opened', 'system', now, `${tier} ${findings.map((f) => f.rule).join(',')}`);
      } else if (item.status === 'closed') {
        // A new episode texts the lead again when urgent; one closed within the day is the same episode, texted once.
        const sameEpisode = item.closedAt !== null && now - item.closedAt <= REOPEN_SAME_EPISODE_MS;
        await risks.updateItem(item.id, {
          status: 'open',
          tier,
          raisedAt: now,
          lastSignalAt: now,
          teamId,
          handlerId: handler?.id ?? null,
          handleBy,
          textAt: null,
          textedAt: sameEpisode ? item.textedAt : null,
        });
        await risks.audit(item.id, 'reopened', 'system', now, `${tier} ${findings.map((f) => f.rule).join(',')}`);
      } else {
        const rises = tierRank(tier) > tierRank(item.tier);
        await risks.updateItem(item.id, {
          tier: rises ? tier : item.tier,
          raisedAt: rises ? now : item.raisedAt,
          lastSignalAt: now,
          teamId,
          handlerId: handler?.id ?? null,
          handleBy: handleBy === null ? item.handleBy : Math.min(handleBy, item.handleBy ?? handleBy),
        });
        if (rises) await risks.audit(item.id, 'raised', 'system', now, `${item.tier} → ${tier}`);
      }
      item = (await risks.itemOfApplication(application.applicationNo))!;
    }
    const itemId = item && item.status === 'open' ? item.id : null;
    // the earlier signals a rule counted (the first hurry of a repeat hurry, the earlier contacts of a repeat contact)
    // join the item, with their own times and sources
    if (itemId !== null) {
      const behind = new Set(findings.flatMap((f) => f.because));
      for (const index of behind) if (history[index]!.itemId === null) await risks.attachSignal(history[index]!.id, itemId);
    }
    const fired = findings.map((f) => f.rule);
    await risks.insertSignal({
      applicationNo: application.applicationNo,
      itemId,
      teamId,
      handlerId: handler?.id ?? null,
      kind: input.kind,
      at: now,
      source: input.source,
      stepCode,
      stepOverdue,
      score: input.score ?? null,
      detail: input.detail ?? null,
      rules: fired,
      tier,
    });
    if (itemId === null) return { item: null, rules: fired };
    await risks.audit(itemId, 'signal', input.source === 'system' ? 'system' : 'customer', now, `${input.kind}${fired.length ? ` ${fired.join(',')}` : ''}`);
    await oweText(all, itemId, now);
    return { item: (await risks.item(itemId))!, rules: fired };
  }

  return {
    view,
    record,
    recordWithin,
    announce,

    /** Closes an item with its handling note (回访/处理说明). */
    async close(principal: StaffPrincipal, id: string, note: string): Promise<RiskItemView> {
      const now = ctx.clock.now();
      const text = note.trim();
      const row = await transact(async ({ risks }) => {
        const found = await risks.item(id);
        if (!found || !staffSees(principal, found)) throw new JiedianError('JD_NOT_FOUND', `no risk item ${id} in your queue`);
        if (isBlankText(text)) throw new JiedianError('JD_INVALID_REQUEST', 'body.note must say who called the customer and what was agreed');
        await risks.lockApplication(found.applicationNo);
        const current = (await risks.item(id))!;
        if (current.status === 'closed') throw new JiedianError('JD_CONFLICT', `risk item ${id} is already closed`);
        await risks.updateItem(id, { status: 'closed', closedAt: now, closedBy: principal.handlerId, note: text, textAt: null });
        await risks.audit(id, 'closed', principal.handlerId, now, text);
        return (await risks.item(id))!;
      });
      await publish([id]);
      return view(row);
    },

    async queue(principal: StaffPrincipal): Promise<RiskItemView[]> {
      const rows = await stores.risks.queue(principal, ctx.clock.now() - CLOSED_VISIBLE_MS);
      return Promise.all(rows.map(view));
    },

    async ofApplication(applicationNo: string): Promise<RiskItemView | null> {
      const row = await stores.risks.itemOfApplication(applicationNo);
      return row ? view(row) : null;
    },

    item: (id: string) => stores.risks.item(id),
    /** The application a message from an SMS number that never bound is about: one registered with that phone. */
    applicationOfPhone: (phone: string) => stores.risks.applicationOfPhone(phone),
    auditOf: (id: string) => stores.risks.auditOf(id),

    /** The sweeper's task: urgent items raised outside working time text their team leads once it has come. */
    async sendDueTexts(): Promise<number> {
      const now = ctx.clock.now();
      const sent = await transact(async (all) => {
        const due = (await all.risks.textsDue(now)).filter((row) => row.status === 'open' && row.textedAt === null);
        for (const row of due) await textLeads(all, row, now);
        return due.length;
      });
      if (sent > 0) options.wakeDispatcher();
      return sent;
    },

    /**
     * The sweeper's task: an item not handled within its limit (a low rating's 1 working day) rises to 紧急, so it is
     * at the top of the queue, flagged overdue, and its team lead is texted once (in working time) as for any urgent item.
     */
    async raiseOverdue(): Promise<number> {
      const now = ctx.clock.now();
      const raised = await transact(async (all) => {
        const { risks } = all;
        const raisedIds: string[] = [];
        for (const due of await risks.overdueBelowUrgent(now)) {
          // read again under the application's lock: another instance's sweep or a signal may have raised or closed it
          await risks.lockApplication(due.applicationNo);
          const row = await risks.item(due.id);
          if (!row || row.status !== 'open' || row.tier === 'urgent') continue;
          await risks.updateItem(row.id, { tier: 'urgent', raisedAt: now });
          await risks.audit(row.id, 'raised', 'system', now, `${row.tier} → urgent: not handled by ${instant(row.handleBy)}`);
          await oweText(all, row.id, now);
          raisedIds.push(row.id);
        }
        return raisedIds;
      });
      if (raised.length > 0) await publish(raised);
      return raised.length;
    },

    /** The sweeper's task: applications whose total limit is nearly used while their requested date is infeasible. */
    async raiseLimitRisks(): Promise<number> {
      const now = ctx.clock.now();
      const due = await stores.risks.limitRisksDue(now);
      for (const applicationNo of due) {
        const recorded = await transact(async (all) => {
          await all.risks.clearLimitRisk(applicationNo);
          return recordWithin(all, { applicationNo, kind: 'limit', source: 'system', stepCode: null });
        });
        await announce(recorded);
      }
      return due.length;
    },
  };
}

export type RiskService = ReturnType<typeof createRiskService>;
