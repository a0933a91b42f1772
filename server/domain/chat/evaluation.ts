// Scoring the intent recogniser against labelled utterances: accuracy per intent and a confusion table.
import { intentNames, type Intent } from './intents.ts';

export interface LabelledUtterance {
  text: string;
  intent: Intent;
}

export interface IntentEvaluation {
  total: number;
  correct: number;
  accuracy: number;
  perIntent: { intent: Intent; total: number; correct: number; accuracy: number }[];
  /** confusion[expected][predicted] = count */
  confusion: Record<Intent, Record<Intent, number>>;
  misses: { text: string; expected: Intent; predicted: Intent }[];
}

/** Parses JSON lines `{ "text": …, "intent": … }`; blank lines and lines starting with `//` are skipped. */
export function parseUtterances(jsonl: string): LabelledUtterance[] {
  const out: LabelledUtterance[] = [];
  jsonl.split('\n').forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('//')) return;
    const parsed = JSON.parse(trimmed) as { text?: unknown; intent?: unknown };
    if (typeof parsed.text !== 'string' || !(intentNames as readonly unknown[]).includes(parsed.intent)) {
      throw new Error(`line ${i + 1}: expected { "text": string, "intent": one of ${intentNames.join(', ')} }`);
    }
    out.push({ text: parsed.text, intent: parsed.intent as Intent });
  });
  return out;
}

export function evaluateIntents(samples: LabelledUtterance[], predict: (text: string) => Intent): IntentEvaluation {
  const confusion = Object.fromEntries(intentNames.map((a) => [a, Object.fromEntries(intentNames.map((b) => [b, 0]))])) as IntentEvaluation['confusion'];
  const misses: IntentEvaluation['misses'] = [];
  for (const sample of samples) {
    const predicted = predict(sample.text);
    confusion[sample.intent][predicted] += 1;
    if (predicted !== sample.intent) misses.push({ text: sample.text, expected: sample.intent, predicted });
  }
  const perIntent = intentNames
    .map((intent) => {
      const total = Object.values(confusion[intent]).reduce((s, n) => s + n, 0);
      const correct = confusion[intent][intent];
      return { intent, total, correct, accuracy: total === 0 ? 1 : correct / total };
    })
    .filter((row) => row.total > 0);
  const correct = samples.length - misses.length;
  return { total: samples.length, correct, accuracy: samples.length === 0 ? 1 : correct / samples.length, perIntent, confusion, misses };
}

/** Nearest-rank percentile of durations (ms). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

const SHORT: Record<Intent, string> = {
  bind_account: 'bind',
  query_progress: 'progr',
  hurry: 'hurry',
  customer_tasks: 'tasks',
  handler_contact: 'handl',
  expected_date: 'date',
  faq: 'faq',
  unsubscribe: 'unsub',
  human: 'human',
  complaint: 'compl',
  rating: 'rate',
  greeting: 'greet',
  unknown: 'unkn',
};

/** The report chat:eval prints. */
export function formatEvaluation(result: IntentEvaluation, options: { misses?: number } = {}): string {
  const lines: string[] = [];
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  lines.push(`overall: ${result.correct}/${result.total} = ${pct(result.accuracy)}`, '', 'per intent:');
  for (const row of result.perIntent) lines.push(`  ${row.intent.padEnd(16)} ${String(row.correct).padStart(4)}/${String(row.total).padEnd(4)} ${pct(row.accuracy).padStart(6)}`);
  const present = intentNames.filter((i) => result.perIntent.some((r) => r.intent === i) || intentNames.some((e) => result.confusion[e][i] > 0));
  lines.push('', 'confusion (rows: labelled, columns: recognised):');
  lines.push(`  ${''.padEnd(16)}${present.map((i) => SHORT[i].padStart(6)).join('')}`);
  for (const expected of present) {
    const cells = present.map((predicted) => {
      const n = result.confusion[expected][predicted];
      return (n === 0 ? '·' : String(n)).padStart(6);
    });
    lines.push(`  ${expected.padEnd(16)}${cells.join('')}`);
  }
  const limit = options.misses ?? 30;
  if (result.misses.length > 0 && limit > 0) {
    lines.push('', `misses (${Math.min(limit, result.misses.length)} of ${result.misses.length}):`);
    for (const m of result.misses.slice(0, limit)) lines.push(`  ${m.expected} → ${m.predicted}: ${m.text}`);
  }
  return lines.join('\n') + '\n';
}
