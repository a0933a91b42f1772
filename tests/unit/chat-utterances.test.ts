// The labelled utterances (tests/fixtures/utterances.jsonl): intent accuracy must stay at or above 95%. The held-out
// sets are not tuned on; their floors are set below what they score, to catch a change that generalises worse.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildKnowledgeIndex } from '../../server/domain/chat/knowledge-base.ts';
import { intentNames, understand } from '../../server/domain/chat/intents.ts';
import { evaluateIntents, formatEvaluation, parseUtterances } from '../../server/domain/chat/evaluation.ts';
import { loadKnowledgeFile } from '../../server/chat/knowledge-base.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures');
const knowledge = buildKnowledgeIndex(loadKnowledgeFile(path.resolve(import.meta.dirname, '../../catalog/knowledge-base.json')));
const load = (file: string) => parseUtterances(fs.readFileSync(path.join(fixtures, file), 'utf8'));
const samples = load('utterances.jsonl');
const holdout = load('utterances-holdout.jsonl');
const holdout2 = load('utterances-holdout-2.jsonl');
const holdout3 = load('utterances-holdout-3.jsonl');
const holdoutRisk = load('utterances-holdout-risk.jsonl');
const holdoutRiskfix = load('utterances-holdout-riskfix.jsonl');
const intentOf = (text: string) => understand(text, { knowledge, today: '2026-11-24' }).intent;

describe('the utterance fixture', () => {
  it('has at least 300 labelled utterances covering every intent, traditional characters and numbers among them', () => {
    expect(samples.length).toBeGreaterThanOrEqual(300);
    for (const intent of intentNames) expect(samples.filter((s) => s.intent === intent).length, intent).toBeGreaterThanOrEqual(10);
    expect(samples.filter((s) => /[們裝電錶辦進詢種戶綁訂]/.test(s.text)).length).toBeGreaterThanOrEqual(15);
    expect(samples.filter((s) => /\d/.test(s.text)).length).toBeGreaterThanOrEqual(20);
    expect(new Set(samples.map((s) => s.text)).size).toBe(samples.length);
  });

  it('has at least 60 complaints and 60 ratings, traditional forms among them', () => {
    for (const intent of ['complaint', 'rating'] as const) {
      const of = samples.filter((s) => s.intent === intent);
      expect(of.length, intent).toBeGreaterThanOrEqual(60);
      expect(of.filter((s) => /[訴們領導記電視滿評價給謝]/.test(s.text)).length, intent).toBeGreaterThanOrEqual(3);
    }
  });

  it('is recognised with at least 95% accuracy', () => {
    const result = evaluateIntents(samples, intentOf);
    expect(result.accuracy, formatEvaluation(result)).toBeGreaterThanOrEqual(0.95);
  });
});

describe('the held-out sets', () => {
  it('holdout-2 has at least 80 utterances none of which is in the fixture or the first held-out set', () => {
    expect(holdout2.length).toBeGreaterThanOrEqual(80);
    const seen = new Set([...samples, ...holdout].map((s) => s.text));
    expect(holdout2.filter((s) => seen.has(s.text))).toEqual([]);
  });

  it('are recognised with at least 90% accuracy (holdout 65/68, holdout-2 96/102 when this was written)', () => {
    for (const set of [holdout, holdout2]) {
      const result = evaluateIntents(set, intentOf);
      expect(result.accuracy, formatEvaluation(result)).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('holdout-3 (short and colloquial customer wording, written before that widening) is new and recognised with at least 95% (55/80 = 68.8% before, 78/80 = 97.5% after)', () => {
    expect(holdout3.length).toBeGreaterThanOrEqual(80);
    const seen = new Set([...samples, ...holdout, ...holdout2].map((s) => s.text));
    expect(holdout3.filter((s) => seen.has(s.text))).toEqual([]);
    const result = evaluateIntents(holdout3, intentOf);
    expect(result.accuracy, formatEvaluation(result)).toBeGreaterThanOrEqual(0.95);
  });

  it('understands the issue\'s own examples: the most natural ways to ask when the power comes, whom to call, how far it is', () => {
    expect(intentOf('我的电什么时候能通')).toBe('expected_date');
    expect(intentOf('电什么时候通')).toBe('expected_date');
    expect(intentOf('什么时候通电')).toBe('expected_date');
    expect(intentOf('啥时候通电')).toBe('expected_date');
    expect(intentOf('找谁')).toBe('handler_contact');
    expect(intentOf('咋样了')).toBe('query_progress');
  });

  it('the complaint/rating held-out set has at least 150 utterances over every intent, none of them in the fixture', () => {
    expect(holdoutRisk.length).toBeGreaterThanOrEqual(150);
    for (const intent of intentNames) expect(holdoutRisk.filter((s) => s.intent === intent).length, intent).toBeGreaterThanOrEqual(10);
    const seen = new Set(samples.map((s) => s.text));
    expect(holdoutRisk.filter((s) => seen.has(s.text))).toEqual([]);
  });

  it('the complaint/rating held-out set is recognised with at least 92% accuracy (101/150 = 67.3% before the intents, 139/150 = 92.7% after)', () => {
    const result = evaluateIntents(holdoutRisk, intentOf);
    expect(result.accuracy, formatEvaluation(result)).toBeGreaterThanOrEqual(0.92);
  });

  it('the riskfix held-out set (mixed opt-out/complaint, score/complaint, negated praise; written before those fixes) has at least 150 new utterances and is recognised with at least 92% (140/166 = 84.3% before, 157/166 = 94.6% after)', () => {
    expect(holdoutRiskfix.length).toBeGreaterThanOrEqual(150);
    for (const intent of intentNames) expect(holdoutRiskfix.filter((s) => s.intent === intent).length, intent).toBeGreaterThanOrEqual(10);
    const seen = new Set([...samples, ...holdout, ...holdout2, ...holdout3, ...holdoutRisk].map((s) => s.text));
    expect(holdoutRiskfix.filter((s) => seen.has(s.text))).toEqual([]);
    const result = evaluateIntents(holdoutRiskfix, intentOf);
    expect(result.accuracy, formatEvaluation(result)).toBeGreaterThanOrEqual(0.92);
  });

  it('never takes a complaint for a rating, a greeting or nothing, in any set', () => {
    for (const set of [samples, holdout, holdout2, holdout3, holdoutRisk, holdoutRiskfix]) {
      const wrong = set.filter((s) => s.intent === 'complaint' && ['rating', 'greeting', 'unknown'].includes(intentOf(s.text)));
      expect(wrong).toEqual([]);
    }
  });

  it('miss no opt-out and make none up, in any set: a missed one keeps texting a customer who said stop', () => {
    for (const set of [samples, holdout, holdout2, holdout3, holdoutRisk, holdoutRiskfix]) {
      const wrong = set.filter((s) => (s.intent === 'unsubscribe') !== (intentOf(s.text) === 'unsubscribe'));
      expect(wrong).toEqual([]);
    }
  });
});

describe('evaluateIntents', () => {
  it('counts per intent and fills the confusion table', () => {
    const result = evaluateIntents(
      [
        { text: 'a', intent: 'hurry' },
        { text: 'b', intent: 'hurry' },
        { text: 'c', intent: 'faq' },
      ],
      (text) => (text === 'b' ? 'faq' : text === 'a' ? 'hurry' : 'faq'),
    );
    expect(result.accuracy).toBeCloseTo(2 / 3);
    expect(result.confusion.hurry.faq).toBe(1);
    expect(result.perIntent.find((r) => r.intent === 'hurry')).toEqual({ intent: 'hurry', total: 2, correct: 1, accuracy: 0.5 });
    expect(result.misses).toEqual([{ text: 'b', expected: 'hurry', predicted: 'faq' }]);
    expect(formatEvaluation(result)).toContain('overall: 2/3 = 66.7%');
  });

  it('rejects a line with an unknown intent, naming the line', () => {
    expect(() => parseUtterances('{"text":"x","intent":"query_progress"}\n{"text":"y","intent":"nonsense"}')).toThrow(/line 2/);
  });
});
