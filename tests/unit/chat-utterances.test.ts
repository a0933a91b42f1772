// The labelled utterances (tests/fixtures/utterances.jsonl): intent accuracy must stay at or above 95%.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildKnowledgeIndex } from '../../server/domain/chat/knowledge-base.ts';
import { intentNames, understand } from '../../server/domain/chat/intents.ts';
import { evaluateIntents, formatEvaluation, parseUtterances } from '../../server/domain/chat/evaluation.ts';
import { loadKnowledgeFile } from '../../server/services/knowledge-base.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures');
const knowledge = buildKnowledgeIndex(loadKnowledgeFile(path.resolve(import.meta.dirname, '../../catalog/knowledge-base.json')));
const samples = parseUtterances(fs.readFileSync(path.join(fixtures, 'utterances.jsonl'), 'utf8'));

describe('the utterance fixture', () => {
  it('has at least 300 labelled utterances covering every intent, traditional characters and numbers among them', () => {
    expect(samples.length).toBeGreaterThanOrEqual(300);
    for (const intent of intentNames) expect(samples.filter((s) => s.intent === intent).length, intent).toBeGreaterThanOrEqual(10);
    expect(samples.filter((s) => /[們裝電錶辦進詢種戶綁訂]/.test(s.text)).length).toBeGreaterThanOrEqual(15);
    expect(samples.filter((s) => /\d/.test(s.text)).length).toBeGreaterThanOrEqual(20);
    expect(new Set(samples.map((s) => s.text)).size).toBe(samples.length);
  });

  it('is recognised with at least 95% accuracy', () => {
    const result = evaluateIntents(samples, (text) => understand(text, { knowledge, today: '2026-11-24' }).intent);
    expect(result.accuracy, formatEvaluation(result)).toBeGreaterThanOrEqual(0.95);
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
