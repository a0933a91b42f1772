import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  exposureTier,
  highestTier,
  judgeSignal,
  limitDaysBeforeRisk,
  monthlyBreaches,
  validateRiskRules,
  type RiskRules,
  type RiskSignalFacts,
} from '../../server/domain/risk.ts';

const rulesJson = () => JSON.parse(readFileSync(new URL('../../catalog/risk-rules.json', import.meta.url), 'utf8'));
const rules: RiskRules = validateRiskRules(rulesJson());
const DAY = 24 * 60 * 60 * 1000;
const t0 = Date.parse('2026-11-24T10:00:00+08:00');
const signal = (over: Partial<RiskSignalFacts>): RiskSignalFacts => ({ kind: 'progress_question', at: t0, stepCode: 'plan_reply', stepOverdue: false, ...over });
const fired = (s: RiskSignalFacts, history: RiskSignalFacts[] = [], r = rules) => judgeSignal(s, history, r).map((f) => `${f.rule}:${f.tier}`);

describe('risk rules over signal histories', () => {
  it('a second hurry on the same step is a repeat contact at 预警; a first hurry, or one on another step, is not', () => {
    const first = signal({ kind: 'hurry', at: t0 - 10 * DAY });
    expect(fired(signal({ kind: 'hurry' }))).toEqual([]);
    expect(fired(signal({ kind: 'hurry' }), [first])).toEqual(['repeat_hurry:warning']);
    expect(fired(signal({ kind: 'hurry', stepCode: 'design_review' }), [first])).toEqual([]);
  });

  it('three contacts of any kind within 7 days are a repeat contact; spread over more than 7 days they are not', () => {
    const history = [signal({ kind: 'consult', at: t0 - 6 * DAY }), signal({ kind: 'progress_question', at: t0 - 2 * DAY })];
    expect(fired(signal({ kind: 'progress_question' }), history)).toEqual(['repeat_contact:warning']);
    const spread = [signal({ kind: 'consult', at: t0 - 8 * DAY }), signal({ kind: 'progress_question', at: t0 - 2 * DAY })];
    expect(fired(signal({ kind: 'progress_question' }), spread)).toEqual([]);
    // a rating or a limit is not the customer contacting us
    const notContacts = [signal({ kind: 'rating', at: t0 - DAY, score: 5 }), signal({ kind: 'limit', at: t0 - DAY })];
    expect(fired(signal({ kind: 'progress_question' }), notContacts)).toEqual([]);
  });

  it('a hurry or a question while the step is overdue is a signal at its configured tier', () => {
    expect(fired(signal({ kind: 'progress_question', stepOverdue: true }))).toEqual(['contact_while_overdue:watch']);
    expect(fired(signal({ kind: 'hurry', stepOverdue: true }))).toEqual(['contact_while_overdue:watch']);
    const json = rulesJson();
    json.rules.contact_while_overdue.tier = 'urgent';
    expect(fired(signal({ kind: 'hurry', stepOverdue: true }), [], validateRiskRules(json))).toEqual(['contact_while_overdue:urgent']);
  });

  it('complaint language is 紧急, a nearly used-up limit with an infeasible date 预警', () => {
    expect(fired(signal({ kind: 'complaint' }))).toEqual(['complaint_language:urgent']);
    expect(fired(signal({ kind: 'limit', stepCode: null }))).toEqual(['limit_nearly_used:warning']);
  });

  it('a rating of 1–2 or with an unhappy comment is low; 3–5 without one is not', () => {
    expect(fired(signal({ kind: 'rating', score: 2 }))).toEqual(['low_rating:warning']);
    expect(fired(signal({ kind: 'rating', score: 1 }))).toEqual(['low_rating:warning']);
    expect(fired(signal({ kind: 'rating', score: 4, negativeComment: true }))).toEqual(['low_rating:warning']);
    expect(fired(signal({ kind: 'rating', score: 3 }))).toEqual([]);
    expect(fired(signal({ kind: 'rating', score: 5 }))).toEqual([]);
  });

  it('one signal may set off several rules; the item takes the highest tier', () => {
    const history = [signal({ kind: 'hurry', at: t0 - DAY }), signal({ kind: 'complaint', at: t0 - DAY / 2 })];
    const findings = judgeSignal(signal({ kind: 'hurry', stepOverdue: true }), history, rules);
    expect(findings.map((f) => f.rule).sort()).toEqual(['contact_while_overdue', 'repeat_contact', 'repeat_hurry']);
    expect(highestTier(findings.map((f) => f.tier))).toBe('warning');
    expect(highestTier(['watch', 'urgent', 'warning'])).toBe('urgent');
    expect(highestTier([])).toBeNull();
  });

  it('signals after the one judged do not count (history arrives in any order)', () => {
    expect(fired(signal({ kind: 'hurry' }), [signal({ kind: 'hurry', at: t0 + DAY })])).toEqual([]);
  });

  it('an application is at risk once less than 20% of its total limit is left', () => {
    expect(limitDaysBeforeRisk({ days: 22, unit: 'workdays' }, 0.2)).toBe(18);
    expect(limitDaysBeforeRisk({ days: 70, unit: 'calendar' }, 0.2)).toBe(57);
    expect(limitDaysBeforeRisk({ days: 5, unit: 'workdays' }, 0.2)).toBe(5);
  });
});

describe('the monthly exposure tiers', () => {
  it('breach the bound on urgent items or on satisfaction with enough ratings', () => {
    expect(monthlyBreaches({ urgentItems: 3, ratings: 0, satisfaction: null }, rules)).toEqual(['urgent_items']);
    expect(monthlyBreaches({ urgentItems: 2, ratings: 5, satisfaction: 3.2 }, rules)).toEqual(['satisfaction']);
    expect(monthlyBreaches({ urgentItems: 0, ratings: 2, satisfaction: 1 }, rules)).toEqual([]);
    expect(monthlyBreaches({ urgentItems: 2, ratings: 5, satisfaction: 4 }, rules)).toEqual([]);
  });

  it('点名 the first month, 约谈 the second in a row, 现场办公会 from the third; a month within bounds starts over', () => {
    expect(exposureTier([true])).toBe('named');
    expect(exposureTier([true, true])).toBe('interview');
    expect(exposureTier([true, true, true])).toBe('on_site_meeting');
    expect(exposureTier([true, true, true, true])).toBe('on_site_meeting');
    expect(exposureTier([true, false, true])).toBe('named');
    expect(exposureTier([false, true, true])).toBeNull();
    expect(exposureTier([])).toBeNull();
  });
});

describe('the rules file', () => {
  it('is validated at start, naming the field that is wrong', () => {
    const json = rulesJson();
    json.rules.repeat_hurry.tier = 'red';
    expect(() => validateRiskRules(json)).toThrow(/rules\.repeat_hurry\.tier must be one of watch, warning, urgent/);
    const missing = rulesJson();
    delete missing.rules.low_rating;
    expect(() => validateRiskRules(missing)).toThrow(/rules\.low_rating is required/);
    const window = rulesJson();
    window.rules.repeat_contact.windowDays = 0;
    expect(() => validateRiskRules(window)).toThrow(/rules\.repeat_contact\.windowDays/);
  });
});
