import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildKnowledgeIndex, knowledgeWords, KNOWLEDGE_CONFIDENCE_THRESHOLD } from '../../server/domain/chat/knowledge-base.ts';
import { normalize } from '../../server/domain/chat/normalize.ts';
import { loadKnowledgeFile } from '../../server/chat/knowledge-base.ts';

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
    for (const id of ['bill-pay', 'bill-pay-wechat', 'outage-notice', 'service-hall']) expect(entries.some((e) => e.id === id)).toBe(true);
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

  // Each answered in other words than its entry's question, variants and keywords.
  const paraphrases: Record<string, string[]> = {
    'bill-pay-wechat': ['能不能用微信缴电费', '微信里交电费怎么操作', '在公众号上怎么缴纳电费', '微信支付可以交电费吗'],
    'bill-pay': ['电费除了营业厅还能在哪交', '支付宝上能交电费吗', '电费欠了怎么补交', '怎么充电费'],
    'outage-report': ['屋里一下子全没电了', '楼上楼下都停电了怎么回事', '电闸跳了家里没电怎么弄', '我们小区是不是断电了'],
    'outage-notice': ['哪里能查到计划停电', '检修停电会不会提前说', '停电了什么时候能恢复', '明天我们这里停电吗'],
    'service-hall': ['周六能去营业厅办业务吗', '服务厅早上几点开门', '营业厅中午休息吗', '离我最近的营业网点在哪', '星期天供电营业厅开不开'],
  };
  for (const [id, questions] of Object.entries(paraphrases)) {
    it(`answers paraphrases with ${id}`, () => {
      for (const q of questions) expect(answer(q)?.entry.id, q).toBe(id);
    });
  }

  it('tells paying by WeChat from paying in general, and a power cut from a planned-outage notice', () => {
    expect(answer('微信怎么交电费')?.entry.id).toBe('bill-pay-wechat');
    expect(answer('电费怎么交')?.entry.id).toBe('bill-pay');
    expect(answer('是不是停电了')?.entry.id).toBe('outage-report');
    expect(answer('我家突然没电了')?.entry.id).toBe('outage-report');
    expect(answer('停电通知在哪看')?.entry.id).toBe('outage-notice');
    expect(answer('营业厅周末上班吗')?.entry.id).toBe('service-hall');
    // 周末 alone still asks about time limits when the question names them
    expect(answer('周末算在时限里吗')?.entry.id).toBe('workdays');
    // 充电费用 is an electric car's charging fee, not topping up the bill
    expect(answer('充电桩充电费用怎么算')?.entry.id).toBe('ev-charger');
  });

  it('understands traditional characters', () => {
    expect(answer('居民新裝需要什麼材料')?.entry.id).toBe('materials-lv-resident');
  });

  it('declines an unrelated question instead of guessing', () => {
    expect(answer('今天天气怎么样')).toBeNull();
    expect(answer('水费怎么交')).toBeNull();
    expect(answer('推荐一家好吃的餐馆')).toBeNull();
    expect(answer('你们公司年终奖多少')).toBeNull();
    // words the new topics share (微信, 周末, 附近, 邻居, 上班, 小区) are not enough on their own
    for (const q of ['推荐个餐馆', '附近有什么好吃的', '周末去哪玩', '微信怎么改头像', '楼上邻居太吵了', '今天上班吗', '小区门口有什么吃的', '这边有停车场吗']) {
      expect(answer(q), q).toBeNull();
    }
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
