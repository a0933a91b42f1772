// Risk statistics per team or handler: risk items by tier and by signal, median time to close, satisfaction
// (average, share of 4–5, response rate) and the repeat-contact rate. Pure: facts in, rows out.
import { riskRuleLabels, riskRuleNames, riskTierNames, type RiskRuleName, type RiskTier } from './risk.ts';

export const riskStatsGroupings = ['team', 'handler'] as const;
export type RiskStatsGrouping = (typeof riskStatsGroupings)[number];

interface Group {
  key: string;
  name: string;
}

export interface RiskItemFact extends Group {
  tier: RiskTier;
  openedAt: number;
  /** closed (in the range or later), or null while open */
  closedAt: number | null;
}

export interface RiskSignalFact extends Group {
  rules: RiskRuleName[];
  /** a customer contacting us (hurry, consult, progress question, complaint) */
  contact: boolean;
}

export interface RatingFact extends Group {
  /** the question went out in the range */
  asked: boolean;
  /** the score given in the range, or null */
  score: number | null;
  /** asked in the range and answered (whenever): what the response rate counts */
  answered: boolean;
}

export interface RiskStatsRow {
  key: string;
  name: string;
  /** risk items opened in the range, by their tier now */
  items: number;
  watch: number;
  warning: number;
  urgent: number;
  /** signals in the range that set off each rule */
  bySignal: Record<RiskRuleName, number>;
  closed: number;
  /** median hours from opening to closing of the items opened in the range and closed */
  medianHoursToClose: number | null;
  ratingsAsked: number;
  ratings: number;
  satisfaction: number | null;
  /** share of ratings of 4–5 */
  satisfiedShare: number | null;
  /** of the ratings asked in the range, the share answered (never above 1) */
  responseRate: number | null;
  contacts: number;
  /** contacts that were repeats (a second hurry on a step, or the third or later contact within the window) */
  repeatContacts: number;
  repeatContactRate: number | null;
}

const HOUR_MS = 60 * 60 * 1000;
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
const ratio = (a: number, b: number) => (b === 0 ? null : round(a / b, 4));
const chinese = new Intl.Collator('zh-CN');

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function aggregateRiskStats(input: { items: RiskItemFact[]; signals: RiskSignalFact[]; ratings: RatingFact[]; groupBy: RiskStatsGrouping }): RiskStatsRow[] {
  const rows = new Map<string, RiskStatsRow & { hours: number[]; scores: number[]; answered: number }>();
  const rowOf = (g: Group) => {
    let row = rows.get(g.key);
    if (!row) {
      row = {
        key: g.key,
        name: g.name,
        items: 0,
        watch: 0,
        warning: 0,
        urgent: 0,
        bySignal: Object.fromEntries(riskRuleNames.map((r) => [r, 0])) as Record<RiskRuleName, number>,
        closed: 0,
        medianHoursToClose: null,
        ratingsAsked: 0,
        ratings: 0,
        satisfaction: null,
        satisfiedShare: null,
        responseRate: null,
        contacts: 0,
        repeatContacts: 0,
        repeatContactRate: null,
        hours: [],
        scores: [],
        answered: 0,
      };
      rows.set(g.key, row);
    }
    return row;
  };
  for (const item of input.items) {
    const row = rowOf(item);
    row.items++;
    row[item.tier]++;
    if (item.closedAt !== null) {
      row.closed++;
      row.hours.push((item.closedAt - item.openedAt) / HOUR_MS);
    }
  }
  for (const signal of input.signals) {
    const row = rowOf(signal);
    for (const rule of signal.rules) row.bySignal[rule]++;
    if (signal.contact) {
      row.contacts++;
      if (signal.rules.includes('repeat_hurry') || signal.rules.includes('repeat_contact')) row.repeatContacts++;
    }
  }
  for (const rating of input.ratings) {
    const row = rowOf(rating);
    if (rating.asked) row.ratingsAsked++;
    if (rating.asked && rating.answered) row.answered++;
    if (rating.score !== null) {
      row.ratings++;
      row.scores.push(rating.score);
    }
  }
  const out: RiskStatsRow[] = [];
  for (const { hours, scores, answered, ...row } of rows.values()) {
    const med = median(hours);
    out.push({
      ...row,
      medianHoursToClose: med === null ? null : round(med, 1),
      satisfaction: scores.length === 0 ? null : round(scores.reduce((a, b) => a + b, 0) / scores.length, 2),
      satisfiedShare: ratio(scores.filter((s) => s >= 4).length, scores.length),
      responseRate: ratio(answered, row.ratingsAsked),
      repeatContactRate: ratio(row.repeatContacts, row.contacts),
    });
  }
  // teams by their number (T01 before T02), handlers by name in Chinese collation, as the timeliness statistics
  return out.sort((a, b) => (input.groupBy === 'team' ? a.key.localeCompare(b.key) : chinese.compare(a.name, b.name) || a.key.localeCompare(b.key)));
}

/** The CSV columns: the JSON fields flattened (one column per signal rule), with the names the staff page shows. */
const columns: [string, (row: RiskStatsRow) => string | number | null][] = [
  ['编号', (r) => r.key],
  ['名称', (r) => r.name],
  ['风险工单', (r) => r.items],
  [riskTierNames.watch, (r) => r.watch],
  [riskTierNames.warning, (r) => r.warning],
  [riskTierNames.urgent, (r) => r.urgent],
  ...riskRuleNames.map((rule): [string, (row: RiskStatsRow) => number] => [riskRuleLabels[rule], (r) => r.bySignal[rule]]),
  ['已关闭', (r) => r.closed],
  ['关闭用时中位数（小时）', (r) => r.medianHoursToClose],
  ['回访发出', (r) => r.ratingsAsked],
  ['评价数', (r) => r.ratings],
  ['平均满意度', (r) => r.satisfaction],
  ['4-5分占比', (r) => r.satisfiedShare],
  ['评价率', (r) => r.responseRate],
  ['来访次数', (r) => r.contacts],
  ['重复来访', (r) => r.repeatContacts],
  ['重复来访率', (r) => r.repeatContactRate],
];

function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** UTF-8 with a BOM (Excel) and a header row. */
export function riskStatsCsv(rows: RiskStatsRow[]): string {
  const lines = [columns.map(([name]) => csvField(name)).join(','), ...rows.map((row) => columns.map(([, get]) => csvField(get(row))).join(','))];
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}
