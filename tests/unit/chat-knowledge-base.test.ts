import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildKnowledgeIndex, knowledgeWords, KNOWLEDGE_CONFIDENCE_THRESHOLD } from '../../server/domain/chat/knowledge-base.ts';
import { normalize } from '../../server/domain/chat/normalize.ts';
import { loadKnowledgeFile } from '../../server/services/knowledge-base.ts';

const entries = loadKnowledgeFile(path.resolve(import.meta.dirname, '../../catalog/knowledge-base.json'));
const index = buildKnowledgeIndex(entries);
const answer = (question: string) => index.answer(normalize(question).text);

describe('the curated knowledge base', () => {
  it('holds about forty entries with short answers', () => {
    expect(entries.length).toBeGreaterThanOrEqual(40);
    for (const e of entries) expect(e.answer.length).toBeLessThanOrEqual(190);
  });

  it('covers materials, time limits, fees, applying online, outages, inspection booking and contracts', () => {
    for (const id of ['materials-lv-resident', 'time-limit-resident', 'fees-resident', 'apply-online', 'outage-report', 'completion-inspection', 'contract-signing']) {
      expect(entries.some((e) => e.id === id)).toBe(true);
    }
    expect(entries.find((e) => e.id === 'fees-resident')!.answer).toContain('不收取');
    expect(entries.find((e) => e.id === 'outage-report')!.answer).toContain('95598');
  });
});

describe('retrieval', () => {
  it('answers a paraphrased question: different words, same meaning', () => {
    // the entry says 停电了怎么报修 / 家里没电了找谁; the customer says it otherwise
    expect(answer('屋里突然断电了该打哪个电话')?.entry.id).toBe('outage-report');
    expect(answer('自家装电能表收不收钱')?.entry.id).toBe('fees-resident');
    expect(answer('受电工程完工以后怎么约验收')?.entry.id).toBe('completion-inspection');
    expect(answer('可以用手机签供电合同吗')?.entry.id).toMatch(/^contract-(online|signing)$/);
  });

  it('understands traditional characters', () => {
    expect(answer('居民新裝需要什麼材料')?.entry.id).toBe('materials-lv-resident');
  });

  it('declines an unrelated question instead of guessing', () => {
    expect(answer('今天天气怎么样')).toBeNull();
    expect(answer('水费怎么交')).toBeNull();
    expect(answer('推荐一家好吃的餐馆')).toBeNull();
    expect(answer('你们公司年终奖多少')).toBeNull();
  });

  it('gives a confidence between 0 and 1 and ranks best first', () => {
    const results = index.search(normalize('竣工检验怎么申请').text, 3);
    expect(results[0]!.entry.id).toBe('completion-inspection');
    expect(results[0]!.confidence).toBeGreaterThanOrEqual(KNOWLEDGE_CONFIDENCE_THRESHOLD);
    for (const r of results) expect(r.confidence).toBeGreaterThanOrEqual(0);
    for (const r of results) expect(r.confidence).toBeLessThanOrEqual(1);
    expect(results.map((r) => r.score)).toEqual([...results.map((r) => r.score)].sort((a, b) => b - a));
  });

  it('maps synonyms to one word before matching', () => {
    expect(knowledgeWords(normalize('什么时候能送电').text)).toContain('接电');
    expect(knowledgeWords(normalize('装电表').text)).toEqual(['装表']);
    expect(knowledgeWords(normalize('需要什么证件').text)).toEqual(['材料']);
  });

  it('answers from entries added later (a new index over the new entries)', () => {
    const more = buildKnowledgeIndex([...entries, { id: 'night-work', question: '晚上可以装表吗', variants: ['夜间施工装表'], keywords: ['夜间', '晚上'], answer: '装表一般在白天进行。' }]);
    expect(more.answer(normalize('夜间能来装电表吗').text)?.entry.id).toBe('night-work');
    expect(index.answer(normalize('夜间能来装电表吗').text)?.entry.id).not.toBe('night-work');
  });
});
