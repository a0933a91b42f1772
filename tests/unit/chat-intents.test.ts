import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildKnowledgeIndex } from '../../server/domain/chat/knowledge-base.ts';
import { asksHow, bindAction, complaintLanguage, greetingKind, understand } from '../../server/domain/chat/intents.ts';
import { normalize } from '../../server/domain/chat/normalize.ts';
import { extractEntities } from '../../server/domain/chat/entities.ts';
import { loadKnowledgeFile } from '../../server/chat/knowledge-base.ts';

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
    // complaint language is its own intent (issue 17): a person calls back, the application is at risk
    expect(intentOf('我要投诉你们')).toBe('complaint');
    expect(intentOf('怎么投诉')).toBe('complaint');
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

describe('complaint language beside other intents (review of issue 17)', () => {
  const complaintOf = (text: string) => understand(text, { knowledge, today: '2026-11-24' }).complaint;

  it('keeps an explicit opt-out exact when it also complains, and still sees the complaint', () => {
    for (const text of ['退订，再发我就投诉', '我要投诉，别再给我发短信了', '退订 投诉你们', '别再发了，再发投诉你们', 'TD 投诉']) {
      expect(intentOf(text), text).toBe('unsubscribe');
      expect(complaintOf(text), text).toBe(true);
    }
  });

  it('takes a score given with complaint words for a complaint, never a rating', () => {
    for (const text of ['1分 我要去12345投诉你们', '1分 投诉', '1分，我会找记者', '差评，我要投诉你们', '2星 再拖就打九五五九八']) {
      expect(intentOf(text), text).toBe('complaint');
    }
  });

  it('does not fire on a bare 热线, 经理, 主任, 新闻, 政府, 抖音 or 电视台 in a harmless question', () => {
    for (const text of ['你们的服务热线是多少', '热线电话多少', '项目经理说下周来装表', '我们物业经理让我问问进度', '物业主任要材料', '电视台旁边那个小区什么时候通电', '我在新闻里看到可以网上办理', '我是政府机关的，办电要什么材料', '抖音上看到你们可以线上申请', '还要等一二三四五天吗']) {
      expect(complaintLanguage(normalize(text).compact), text).toBe(false);
      expect(intentOf(text), text).not.toBe('complaint');
    }
  });

  it('hears the hotlines said in words or spaced out', () => {
    for (const text of ['再这样我就打九五五九八', '我要打一二三四五', '再拖我打幺二三四五', '我打12 3 4 5', '打一二三九八告你们', '叫你们经理来']) {
      expect(intentOf(text), text).toBe('complaint');
    }
  });
});

describe('opt-out: a verb of stopping or refusing with our messages as its object', () => {
  it('is recognised however it is worded', () => {
    for (const text of [
      '请停止给我发信息',
      '停止推送',
      '短信停发吧',
      '别再推送了',
      '以后都不要给我推消息',
      '不想再收到你们的通知',
      '我不需要这些提醒了',
      '取消短信通知',
      '拒绝接收推送',
      '关掉消息提醒',
      '消息别再推送了',
      '通知不用发了',
      '短信太频繁了',
      '別再傳訊息給我',
      '請不要再傳簡訊',
      '唔好再发短信俾我',
      'stop sending me texts',
      'no more texts',
      'td 别发了',
    ]) {
      expect(intentOf(text), text).toBe('unsubscribe');
    }
  });

  it('is not a message about our messages that asks for them, or a 不要 about something else', () => {
    expect(intentOf('短信收不到')).toBe('human');
    expect(intentOf('怎么没收到通知')).toBe('human');
    expect(intentOf('验证码短信没收到')).toBe('bind_account');
    expect(intentOf('不要给我打电话，发短信就行')).toBe('human');
    expect(intentOf('通知发到我另一个手机')).toBe('human');
    expect(intentOf('退订后还能查进度吗')).toBe('faq');
    expect(intentOf('我們家的申請有消息了嗎')).toBe('query_progress');
    for (const text of ['不要发票', '还有别的通知吗', '不要推迟', "don't stop sending updates", 'stop it please', '通知收到了']) {
      expect(intentOf(text), text).not.toBe('unsubscribe');
    }
  });

  it('takes 取消申请 and 不想接电了 as a change for a person, not an opt-out', () => {
    expect(intentOf('取消申请')).toBe('human');
    expect(intentOf('不想接电了')).toBe('human');
    expect(intentOf('我要取消报装')).toBe('human');
  });
});

describe('hurry: asking to speed up or complaining about slowness', () => {
  it('is recognised however it is worded', () => {
    for (const text of [
      '太磨蹭了',
      '磨磨唧唧的',
      '办得太慢了吧',
      '慢得要死',
      '进度慢得不行',
      '办事效率这么低',
      '一直拖着不办',
      '等了两个星期了',
      '都半个月了还没人来',
      '怎么到现在还没装',
      '能不能早点给我弄好',
      '等不急了',
    ]) {
      expect(intentOf(text), text).toBe('hurry');
    }
  });

  it('is not telling us not to hurry, or being told to hurry', () => {
    expect(intentOf('不要催我')).toBe('human');
    expect(intentOf('别催了，材料明天送过去')).toBe('human');
    expect(intentOf('好的，不着急')).toBe('greeting');
    for (const text of ['不着急', '慢慢来', '慢走', '我不急']) expect(intentOf(text), text).not.toBe('hurry');
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

