// Timeliness statistics (时效统计) per step, handler or team: counting step occurrences and alerts into rows, and
// the same rows as CSV for Excel.

export const timelinessGroupings = ['step', 'handler', 'team'] as const;
export type TimelinessGrouping = (typeof timelinessGroupings)[number];

/** One utility step occurrence that started or ended in the range, already assigned to its group. */
export interface OccurrenceFact {
  key: string;
  name: string;
  startedInRange: boolean;
  completedInRange: boolean;
  /** an overdue alert exists for the occurrence (raised live or recorded when it was synced done late) */
  overdue: boolean;
  /** working days taken, start and end day counted; null while running */
  workdays: number | null;
  limitWorkdays: number;
}

/** One step-level alert counted in the range (warnings by when raised, overdue by when due), assigned to its group. */
export interface AlertFact {
  key: string;
  name: string;
  level: 'warning' | 'overdue';
  explained: boolean;
}

export interface TimelinessRow {
  key: string;
  name: string;
  stepsStarted: number;
  stepsCompleted: number;
  /** completed in the range without an overdue alert */
  onTime: number;
  warned: number;
  overdue: number;
  explained: number;
  /** onTime / stepsCompleted, 3 decimals; null when nothing was completed */
  onTimeRate: number | null;
  /** mean working days taken by the steps completed in the range, 2 decimals */
  avgWorkdays: number | null;
  /** mean limit of the same steps (of every counted step when none completed), 2 decimals */
  limitWorkdays: number | null;
}

const round = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;

/**
 * Every step code of the catalog in process order (accept, survey, plan_reply, …, connect): the processes' step lists
 * merged so that each keeps its own order. A code that occurs in several processes keeps the place it was given where
 * it first appears; a code new to a process goes just before the next of that process's steps already placed.
 */
export function catalogStepOrder(processes: readonly { steps: readonly { code: string }[] }[]): string[] {
  const order: string[] = [];
  for (const process of processes) {
    const codes = process.steps.map((step) => step.code);
    codes.forEach((code, i) => {
      if (order.includes(code)) return;
      const next = codes.slice(i + 1).find((later) => order.includes(later));
      if (next === undefined) order.push(code);
      else order.splice(order.indexOf(next), 0, code);
    });
  }
  return order;
}

export type TimelinessOrder = (a: Pick<TimelinessRow, 'key' | 'name'>, b: Pick<TimelinessRow, 'key' | 'name'>) => number;

const byKey: TimelinessOrder = (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
const chinese = new Intl.Collator('zh-CN');

/**
 * How the rows are listed: steps in process order (`stepOrder`, from catalogStepOrder; a code it lacks goes last),
 * handlers by name in Chinese collation (pinyin, as `localeCompare(…, 'zh-CN')`), ties by key; teams by key, as the
 * utility numbers them (pinyin would put 业扩二班 and 业扩三班 before 业扩一班).
 */
export function timelinessOrder(groupBy: TimelinessGrouping, stepOrder: readonly string[]): TimelinessOrder {
  if (groupBy === 'step') {
    const position = new Map(stepOrder.map((code, i) => [code, i]));
    const at = (key: string) => position.get(key) ?? Number.MAX_SAFE_INTEGER;
    return (a, b) => at(a.key) - at(b.key) || byKey(a, b);
  }
  if (groupBy === 'team') return byKey;
  return (a, b) => chinese.compare(a.name, b.name) || byKey(a, b);
}

/** The rows, listed by `order` (by key when not given). */
export function aggregateTimeliness(occurrences: OccurrenceFact[], alerts: AlertFact[], order: TimelinessOrder = byKey): TimelinessRow[] {
  const rows = new Map<string, TimelinessRow & { taken: number; limitsDone: number; limitsAll: number; counted: number }>();
  const rowOf = (key: string, name: string) => {
    let row = rows.get(key);
    if (!row) {
      row = { key, name, stepsStarted: 0, stepsCompleted: 0, onTime: 0, warned: 0, overdue: 0, explained: 0, onTimeRate: null, avgWorkdays: null, limitWorkdays: null, taken: 0, limitsDone: 0, limitsAll: 0, counted: 0 };
      rows.set(key, row);
    }
    return row;
  };
  for (const o of occurrences) {
    if (!o.startedInRange && !o.completedInRange) continue;
    const row = rowOf(o.key, o.name);
    row.counted++;
    row.limitsAll += o.limitWorkdays;
    if (o.startedInRange) row.stepsStarted++;
    if (o.completedInRange) {
      row.stepsCompleted++;
      if (!o.overdue) row.onTime++;
      row.taken += o.workdays ?? 0;
      row.limitsDone += o.limitWorkdays;
    }
  }
  for (const a of alerts) {
    const row = rowOf(a.key, a.name);
    if (a.level === 'warning') row.warned++;
    else {
      row.overdue++;
      if (a.explained) row.explained++;
    }
  }
  return [...rows.values()]
    .sort(order)
    .map(({ taken, limitsDone, limitsAll, counted, ...row }) => ({
      ...row,
      onTimeRate: row.stepsCompleted === 0 ? null : round(row.onTime / row.stepsCompleted, 3),
      avgWorkdays: row.stepsCompleted === 0 ? null : round(taken / row.stepsCompleted, 2),
      limitWorkdays: row.stepsCompleted > 0 ? round(limitsDone / row.stepsCompleted, 2) : counted > 0 ? round(limitsAll / counted, 2) : null,
    }));
}

export const timelinessColumns = ['key', 'name', 'stepsStarted', 'stepsCompleted', 'onTime', 'warned', 'overdue', 'explained', 'onTimeRate', 'avgWorkdays', 'limitWorkdays'] as const;
export type TimelinessColumn = (typeof timelinessColumns)[number];

/** The columns as the statistics page names them (its table, and the header row of the CSV it downloads). */
export const timelinessColumnNames: Record<TimelinessColumn, string> = {
  key: '编码',
  name: '名称',
  stepsStarted: '开始',
  stepsCompleted: '完成',
  onTime: '按时',
  warned: '预警',
  overdue: '超期',
  explained: '已说明',
  onTimeRate: '按时率',
  avgWorkdays: '平均用时（工作日）',
  limitWorkdays: '时限（工作日）',
};

export type CsvHeader = 'keys' | 'names';

function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  // A leading = + - @ would make Excel evaluate a formula: names come from the marketing system, not from us.
  const safe = /^[=+\-@\t\r]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * The rows as CSV: a BOM so Excel reads UTF-8 (Chinese names), a header row, CRLF line ends as RFC 4180 has them.
 * The header row names the columns by their JSON keys (for programs), or as the page shows them (for people).
 */
export function timelinessCsv(rows: TimelinessRow[], header: CsvHeader = 'keys'): string {
  const head = timelinessColumns.map((c) => (header === 'names' ? timelinessColumnNames[c] : c));
  const lines = [head.join(','), ...rows.map((row) => timelinessColumns.map((c) => csvField(row[c])).join(','))];
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}
