// Complaint risk (投诉风险预警): the rules that turn what customers do about an application into a risk tier, and the
// monthly exposure tiers (曝光台) of teams that stay at risk. Pure: the rules are data (catalog/risk-rules.json),
// signal histories and time are passed in.
import type { TotalLimit } from './catalog.ts';

/** 关注 (watch) < 预警 (warning) < 紧急 (urgent) */
export const riskTiers = ['watch', 'warning', 'urgent'] as const;
export type RiskTier = (typeof riskTiers)[number];
export const riskTierNames: Record<RiskTier, string> = { watch: '关注', warning: '预警', urgent: '紧急' };

export const riskRuleNames = ['repeat_hurry', 'repeat_contact', 'contact_while_overdue', 'limit_nearly_used', 'complaint_language', 'low_rating'] as const;
export type RiskRuleName = (typeof riskRuleNames)[number];
export const riskRuleLabels: Record<RiskRuleName, string> = {
  repeat_hurry: '同一环节再次催办',
  repeat_contact: '7天内反复诉求',
  contact_while_overdue: '环节超时期间来询',
  limit_nearly_used: '总时限将尽且要求接电日期无法满足',
  complaint_language: '投诉/升级言辞',
  low_rating: '满意度低',
};

/** What a customer did (or what happened) that a rule looks at. */
export const riskSignalKinds = ['hurry', 'consult', 'progress_question', 'complaint', 'rating', 'limit'] as const;
export type RiskSignalKind = (typeof riskSignalKinds)[number];
/** The kinds that are a customer contacting us about the application (重复致电 counts these, on every channel). */
const contactKinds: readonly RiskSignalKind[] = ['hurry', 'consult', 'progress_question', 'complaint'];

export interface RiskSignalFacts {
  kind: RiskSignalKind;
  /** epoch ms */
  at: number;
  /** the step the contact was about (a hurry's step; the current step otherwise), or null */
  stepCode: string | null;
  /** whether that step was past its due time at `at` */
  stepOverdue: boolean;
  /** a rating's score 1–5 */
  score?: number | null;
  /** a rating's comment reads as unhappy */
  negativeComment?: boolean;
}

export interface RiskRules {
  rules: {
    repeat_hurry: { tier: RiskTier };
    repeat_contact: { tier: RiskTier; contacts: number; windowDays: number };
    contact_while_overdue: { tier: RiskTier };
    limit_nearly_used: { tier: RiskTier; remainingShare: number };
    complaint_language: { tier: RiskTier };
    low_rating: { tier: RiskTier; maxScore: number; handleWithinWorkdays: number };
  };
  monthly: {
    /** a team breaches the bound with more urgent items than this in a month */
    maxUrgentItems: number;
    /** … or an average rating below this, over at least `minRatings` ratings */
    minSatisfaction: number;
    minRatings: number;
    /** how many of the month's worst items the report lists */
    worstCases: number;
  };
}

export function tierRank(tier: RiskTier): number {
  return riskTiers.indexOf(tier);
}

export function highestTier(tiers: Iterable<RiskTier>): RiskTier | null {
  let best: RiskTier | null = null;
  for (const tier of tiers) if (best === null || tierRank(tier) > tierRank(best)) best = tier;
  return best;
}

export interface RiskFinding {
  rule: RiskRuleName;
  tier: RiskTier;
  /** the earlier signals the rule counted (indexes into the history it was judged on): they join the item too */
  because: number[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A rating that needs a person: a score at or below the bound, or an unhappy comment. */
export function isLowRating(rules: RiskRules, score: number, negativeComment: boolean): boolean {
  return score <= rules.rules.low_rating.maxScore || negativeComment;
}

/**
 * The rules `signal` sets off, given the application's earlier signals (`history`, any order; the signal itself not
 * in it). Each rule is judged on its own; the item takes the highest tier any of them reaches.
 */
export function judgeSignal(signal: RiskSignalFacts, history: readonly RiskSignalFacts[], rules: RiskRules): RiskFinding[] {
  const findings: RiskFinding[] = [];
  const fire = (rule: RiskRuleName, because: number[] = []) => findings.push({ rule, tier: rules.rules[rule].tier, because });
  const isContact = contactKinds.includes(signal.kind);
  const earlier = history.map((h, index) => ({ ...h, index })).filter((h) => h.at <= signal.at);

  const hurriesBefore = earlier.filter((h) => signal.kind === 'hurry' && signal.stepCode !== null && h.kind === 'hurry' && h.stepCode === signal.stepCode);
  if (hurriesBefore.length > 0) fire('repeat_hurry', hurriesBefore.map((h) => h.index));
  if (isContact) {
    const { contacts, windowDays } = rules.rules.repeat_contact;
    const since = signal.at - windowDays * DAY_MS;
    const inWindow = earlier.filter((h) => contactKinds.includes(h.kind) && h.at > since);
    if (inWindow.length + 1 >= contacts) fire('repeat_contact', inWindow.map((h) => h.index));
    if (signal.stepOverdue) fire('contact_while_overdue');
  }
  if (signal.kind === 'complaint') fire('complaint_language');
  if (signal.kind === 'limit') fire('limit_nearly_used');
  if (signal.kind === 'rating' && signal.score != null && isLowRating(rules, signal.score, signal.negativeComment === true)) fire('low_rating');
  return findings;
}

/** A press of the hurry button this soon after the last on the same step is the same press (a double click), no signal. */
export const DOUBLE_PRESS_MS = 5 * 60 * 1000;

export function isDoublePress(signal: RiskSignalFacts, history: readonly RiskSignalFacts[]): boolean {
  return (
    signal.kind === 'hurry' &&
    history.some((h) => h.kind === 'hurry' && h.stepCode === signal.stepCode && h.at <= signal.at && signal.at - h.at < DOUBLE_PRESS_MS)
  );
}

/**
 * How many days of `limit` may be used before less than `remainingShare` of it is left: the application is at risk
 * from the end of that many days (22 workdays, 20%: after 18, when 4 — 18% — are left).
 */
export function limitDaysBeforeRisk(limit: TotalLimit, remainingShare: number): number {
  return Math.min(limit.days, Math.floor(limit.days * (1 - remainingShare) + 1e-9) + 1);
}

// --- the monthly exposure report (曝光台) -----------------------------------------------------------------------

/** 点名预警 → 约谈整改 → 现场办公会: one, two, three or more months in a row over the bound. */
export const exposureTiers = ['named', 'interview', 'on_site_meeting'] as const;
export type ExposureTier = (typeof exposureTiers)[number];
export const exposureTierNames: Record<ExposureTier, string> = { named: '点名预警', interview: '约谈整改', on_site_meeting: '现场办公会' };

export interface TeamMonth {
  urgentItems: number;
  ratings: number;
  /** average score, null without ratings */
  satisfaction: number | null;
}

/** Which bounds a team's month breaches (empty: none). */
export function monthlyBreaches(month: TeamMonth, rules: RiskRules): ('urgent_items' | 'satisfaction')[] {
  const breaches: ('urgent_items' | 'satisfaction')[] = [];
  if (month.urgentItems > rules.monthly.maxUrgentItems) breaches.push('urgent_items');
  if (month.satisfaction !== null && month.ratings >= rules.monthly.minRatings && month.satisfaction < rules.monthly.minSatisfaction) breaches.push('satisfaction');
  return breaches;
}

/**
 * The team's tier this month, from whether it breached the bound this month and the months before it (newest first).
 * Null when this month is within bounds.
 */
export function exposureTier(breachedNewestFirst: readonly boolean[]): ExposureTier | null {
  let run = 0;
  for (const breached of breachedNewestFirst) {
    if (!breached) break;
    run++;
  }
  if (run === 0) return null;
  return exposureTiers[Math.min(run, exposureTiers.length) - 1]!;
}

// --- the rules file ---------------------------------------------------------------------------------------------

export class RiskRulesError extends Error {}

function fail(path: string, message: string): never {
  throw new RiskRulesError(`${path} ${message}`);
}

function obj(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'must be an object');
  return v as Record<string, unknown>;
}

function keys(o: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(o)) if (!allowed.includes(key)) fail(`${path}.${key}`, 'is not a known field');
  for (const key of allowed) if (o[key] === undefined) fail(`${path}.${key}`, 'is required');
}

function tier(v: unknown, path: string): RiskTier {
  if (!(riskTiers as readonly unknown[]).includes(v)) fail(path, `must be one of ${riskTiers.join(', ')}`);
  return v as RiskTier;
}

function num(v: unknown, path: string, min: number, max: number, integer = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    fail(path, `must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return v;
}

/** Checks the rules file; throws RiskRulesError naming the field. */
export function validateRiskRules(v: unknown): RiskRules {
  const root = obj(v, 'risk rules');
  keys(root, ['rules', 'monthly'], 'risk rules');
  const r = obj(root['rules'], 'rules');
  keys(r, riskRuleNames, 'rules');
  const rule = (name: RiskRuleName, extra: readonly string[]) => {
    const o = obj(r[name], `rules.${name}`);
    keys(o, ['tier', ...extra], `rules.${name}`);
    return { o, tier: tier(o['tier'], `rules.${name}.tier`) };
  };
  const repeatContact = rule('repeat_contact', ['contacts', 'windowDays']);
  const limit = rule('limit_nearly_used', ['remainingShare']);
  const low = rule('low_rating', ['maxScore', 'handleWithinWorkdays']);
  const m = obj(root['monthly'], 'monthly');
  keys(m, ['maxUrgentItems', 'minSatisfaction', 'minRatings', 'worstCases'], 'monthly');
  return {
    rules: {
      repeat_hurry: { tier: rule('repeat_hurry', []).tier },
      repeat_contact: {
        tier: repeatContact.tier,
        contacts: num(repeatContact.o['contacts'], 'rules.repeat_contact.contacts', 2, 100, true),
        windowDays: num(repeatContact.o['windowDays'], 'rules.repeat_contact.windowDays', 1, 365, true),
      },
      contact_while_overdue: { tier: rule('contact_while_overdue', []).tier },
      limit_nearly_used: { tier: limit.tier, remainingShare: num(limit.o['remainingShare'], 'rules.limit_nearly_used.remainingShare', 0.01, 0.99) },
      complaint_language: { tier: rule('complaint_language', []).tier },
      low_rating: {
        tier: low.tier,
        maxScore: num(low.o['maxScore'], 'rules.low_rating.maxScore', 1, 4, true),
        handleWithinWorkdays: num(low.o['handleWithinWorkdays'], 'rules.low_rating.handleWithinWorkdays', 1, 30, true),
      },
    },
    monthly: {
      maxUrgentItems: num(m['maxUrgentItems'], 'monthly.maxUrgentItems', 0, 10_000, true),
      minSatisfaction: num(m['minSatisfaction'], 'monthly.minSatisfaction', 1, 5),
      minRatings: num(m['minRatings'], 'monthly.minRatings', 1, 10_000, true),
      worstCases: num(m['worstCases'], 'monthly.worstCases', 1, 100, true),
    },
  };
}
