import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildKnowledgeIndex } from '../../server/domain/chat/knowledge-base.ts';
import { asksHow, bindAction, greetingKind, understand } from '../../server/domain/chat/intents.ts';
import { normalize } from '../../server/domain/chat/normalize.ts';
import { extractEntities } from '../../server/domain/chat/entities.ts';
import { loadKnowledgeFile } from '../../server/services/knowledge-base.ts';

const knowledge = buildKnowledgeIndex(loadKnowledgeFile(path.resolve(import.meta.dirname, '../../catalog/knowledge-base.json')));
const intentOf = (text: string) => understand(text, { knowledge, today: '2026-11-24' }).intent;

describe('understand', () => {
  it('recognises the issue\'s own examples', () => {
    expect(intentOf('我的申请到哪一步了')).toBe('query_progress');
    expect(intentOf('需要准备什么材料')).toBe('customer_tasks');
    expect(intentOf('催一下')).toBe('hurry');
    expect(intentOf('什么时候能通电')).toBe('expected_date');
    expect(intentOf('怎么退订')).toBe('unsubscribe');
  });

  it('reads the short SMS commands, in any width and case', () => {
    expect(intentOf('JD')).toBe('query_progress');
    expect(intentOf('jd 5300123456')).toBe('query_progress');
    expect(intentOf('CB')).toBe('hurry');
    expect(intentOf('ｔｄ')).toBe('unsubscribe');
    expect(intentOf('BD 5300123456')).toBe('bind_account');
    expect(intentOf('bd5300123456')).toBe('bind_account');
  });

  it('takes the English opt-out words as the whole message only', () => {
    for (const word of ['STOP', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'stop', 'Stop']) expect(intentOf(word)).toBe('unsubscribe');
    expect(intentOf('OPT-OUT')).toBe('unsubscribe');
    expect(intentOf('stop it please')).not.toBe('unsubscribe');
  });

  it('shows the menu for 帮助 and ?', () => {
    expect(intentOf('帮助')).toBe('greeting');
    expect(intentOf('?')).toBe('greeting');
    expect(intentOf('？')).toBe('greeting');
  });

  it('understands traditional characters as their simplified forms', () => {
    expect(intentOf('我的申請辦到哪一步了')).toBe('query_progress');
    expect(intentOf('經辦人電話')).toBe('handler_contact');
    expect(intentOf('報裝收費嗎')).toBe('faq');
  });

  it('tells a question about one\'s own application from the same question in general', () => {
    expect(intentOf('需要准备什么材料')).toBe('customer_tasks');
    expect(intentOf('居民新装需要什么材料')).toBe('faq');
    expect(intentOf('什么时候能通电')).toBe('expected_date');
    expect(intentOf('居民新装一般要多久')).toBe('faq');
    expect(intentOf('我要投诉你们')).toBe('human');
    expect(intentOf('怎么投诉')).toBe('faq');
  });

  it('takes a lone account or application number as a progress question, a lone 6-digit number as a code', () => {
    expect(intentOf('5300123456')).toBe('query_progress');
    expect(intentOf('YX2026-0001')).toBe('query_progress');
    expect(intentOf('482913')).toBe('bind_account');
  });

  it('leaves other utilities and small talk to "unknown"', () => {
    expect(intentOf('水费怎么交')).toBe('unknown');
    expect(intentOf('快递到哪了')).toBe('unknown');
    expect(intentOf('今天天气怎么样')).toBe('unknown');
    expect(intentOf('。。。')).toBe('unknown');
  });

  it('carries the confident knowledge-base answer for faq', () => {
    const u = understand('停电了找谁', { knowledge, today: '2026-11-24' });
    expect(u.intent).toBe('faq');
    expect(u.knowledge?.entry.id).toBe('outage-report');
  });
});

describe('what to do within an intent', () => {
  const compact = (text: string) => normalize(text).compact;
  const action = (text: string) => {
    const n = normalize(text);
    return bindAction(n.compact, extractEntities(n.plain, '2026-11-24'));
  };

  it('tells asking how from asking us to do it', () => {
    expect(asksHow(compact('怎么退订'))).toBe(true);
    expect(asksHow(compact('如何绑定'))).toBe(true);
    expect(asksHow(compact('退订'))).toBe(false);
    expect(asksHow(compact('不要再给我发短信了'))).toBe(false);
  });

  it('picks the part of binding asked for', () => {
    expect(action('绑定 5300123456')).toBe('bind');
    expect(action('验证码123456')).toBe('code');
    expect(action('解除绑定')).toBe('unbind');
    expect(action('换绑户号')).toBe('switch');
    expect(action('没收到验证码')).toBe('resend');
    expect(action('怎么绑定')).toBe('how');
  });

  it('answers thanks with thanks and a hello with the menu', () => {
    expect(greetingKind(compact('谢谢'))).toBe('thanks');
    expect(greetingKind(compact('好的'))).toBe('thanks');
    expect(greetingKind(compact('你好'))).toBe('menu');
  });
});

describe('speed', () => {
  it('recognises an utterance in well under a millisecond on average', () => {
    const lines = fs.readFileSync(path.resolve(import.meta.dirname, '../fixtures/utterances.jsonl'), 'utf8').trim().split('\n');
    const texts = lines.map((l) => (JSON.parse(l) as { text: string }).text);
    for (const t of texts) intentOf(t);
    const start = performance.now();
    for (const t of texts) intentOf(t);
    expect((performance.now() - start) / texts.length).toBeLessThan(1);
  });
});
