import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildKnowledgeIndex } from '../../server/domain/chat/knowledge-base.ts';
import { understand } from '../../server/domain/chat/intents.ts';
import { smsReplyText } from '../../server/domain/chat/replies.ts';
import { smsSegments } from '../../server/domain/sms-segments.ts';
import { respond, settle, type AccountFacts, type ChatChannel, type ConversationState, type DialogueFacts } from '../../server/domain/chat/dialogue.ts';
import type { ProgressView, StepView } from '../../server/domain/progress-view.ts';
import { loadKnowledgeFile } from '../../server/chat/knowledge-base.ts';

const knowledge = buildKnowledgeIndex(loadKnowledgeFile(path.resolve(import.meta.dirname, '../../catalog/knowledge-base.json')));
const NOW = Date.parse('2026-11-24T10:00:00+08:00');
const TODAY = '2026-11-24';

function step(over: Partial<StepView> = {}): StepView {
  return {
    code: 'plan_reply',
    name: '供电方案答复',
    side: 'utility',
    status: 'in_progress',
    plannedStart: '2026-11-24',
    plannedEnd: '2026-12-01',
    actualStart: '2026-11-24T09:00:00+08:00',
    actualEnd: null,
    dueAt: '2026-12-01T23:59:59+08:00',
    overdue: false,
    customerTasks: ['签收并确认供电方案答复单'],
    handler: { name: '李*', phone: '13912345678' },
    ...over,
  };
}

function view(over: Partial<ProgressView> = {}): ProgressView {
  const current = step();
  const next = step({ code: 'design_review', name: '设计文件审核', status: 'pending', plannedStart: '2026-12-02', plannedEnd: '2026-12-04', actualStart: null, dueAt: null, handler: null, customerTasks: ['提交受电工程设计文件及设计单位资质证明'] });
  return {
    applicationNo: 'YX2026-0001',
    accountNo: '5300123456',
    customerName: '玉*********',
    customerKind: 'organisation',
    processCode: 'hv_single',
    processName: '高压新装增容（单电源）',
    status: 'active',
    acceptedAt: '2026-11-20T09:00:00+08:00',
    requestedConnectDate: '2027-03-01',
    expectedConnectDate: '2027-02-26',
    plan: { feasible: true, earliestFeasibleDate: null, basis: 'requested_date', compressed: false },
    currentStep: current,
    nextStep: next,
    steps: [current, next],
    updatedAt: '2026-11-24T09:00:00+08:00',
    ...over,
  };
}

const BOUND: AccountFacts[] = [{ accountNo: '5300123456', applications: [view()] }];

function turn(text: string, options: { channel?: ChatChannel; state?: ConversationState | null; accounts?: AccountFacts[]; lockedUntil?: number | null; public?: boolean } = {}) {
  const understanding = understand(text, { knowledge, today: TODAY });
  const input = { channel: options.channel ?? 'wechat', now: NOW, today: TODAY, understanding, state: options.state ?? null, public: options.public ?? false };
  const facts: DialogueFacts = { accounts: options.accounts ?? [], bindLockedUntil: options.lockedUntil ?? null };
  return { input, result: respond(input, facts) };
}

describe('unbound senders', () => {
  it('are guided to bind when they ask about progress, and told nothing about any application', () => {
    const { result } = turn('我的申请到哪一步了');
    expect(result.intent).toBe('query_progress');
    expect(result.effect).toBeNull();
    expect(result.replies[0]).toContain('绑定');
    expect(result.replies.join()).not.toMatch(/YX2026|供电方案|李/);
  });

  it('naming an application number learn nothing about it', () => {
    const { result } = turn('YX2026-0001到哪了');
    expect(result.effect).toBeNull();
    expect(result.replies.join()).not.toContain('供电方案');
  });

  it('naming an account number start its binding: a code to the phone on file', () => {
    const { result } = turn('5300123456的进度');
    expect(result.intent).toBe('query_progress');
    expect(result.effect).toEqual({ kind: 'send_bind_code', accountNo: '5300123456', preface: '查询该户号需先验证身份。' });
  });

  it('asking what to prepare get general guidance plus how to bind', () => {
    const { result } = turn('需要准备什么材料');
    expect(result.replies[0]).toContain('身份证明');
    expect(result.replies[0]).toContain('绑定');
  });
});

describe('binding', () => {
  it('绑定 + account number asks for a code to be sent, then waits for it', () => {
    const { input, result } = turn('绑定 5300123456');
    expect(result.effect).toEqual({ kind: 'send_bind_code', accountNo: '5300123456', preface: null });
    const after = settle(result, { kind: 'bind_code_sent', codeHash: 'abc', preface: null }, input);
    expect(after.replies[0]).toContain('验证码');
    expect(after.state).toEqual({ kind: 'set', state: { kind: 'awaiting_code', accountNo: '5300123456', codeHash: 'abc', sentAt: NOW } });
  });

  it('a code typed while one is awaited is checked, and kept out of the record', () => {
    const state: ConversationState = { kind: 'awaiting_code', accountNo: '5300123456', codeHash: 'abc', sentAt: NOW - 60_000 };
    for (const text of ['482913', '验证码：482913', '我收到验证码了 482913', 'ab12cd']) {
      const { result } = turn(text, { state });
      expect(result.effect?.kind).toBe('check_code');
      expect(result.secret).toBe(true);
    }
  });

  it('a wrong code says how many tries are left; the right one binds', () => {
    const state: ConversationState = { kind: 'awaiting_code', accountNo: '5300123456', codeHash: 'abc', sentAt: NOW };
    const { input, result } = turn('000000', { state });
    expect(settle(result, { kind: 'code_wrong', attemptsLeft: 3 }, input).replies[0]).toContain('3次');
    const bound = settle(result, { kind: 'bound', accountNo: '5300123456' }, input);
    expect(bound.replies[0]).toContain('绑定成功');
    expect(bound.state).toEqual({ kind: 'clear' });
  });

  it('is refused while locked, without checking the code', () => {
    const state: ConversationState = { kind: 'awaiting_code', accountNo: '5300123456', codeHash: 'abc', sentAt: NOW };
    const { result } = turn('482913', { state, lockedUntil: NOW + 30 * 60_000 });
    expect(result.effect).toBeNull();
    expect(result.replies[0]).toContain('30分钟');
    expect(turn('绑定 5300123456', { lockedUntil: NOW + 60_000 }).result.effect).toBeNull();
  });

  it('a code with no binding under way is answered, not checked', () => {
    const { result } = turn('验证码123456');
    expect(result.effect).toBeNull();
    expect(result.replies[0]).toContain('绑定');
  });

  it('解绑 removes the binding; 怎么绑定 explains', () => {
    expect(turn('解除绑定', { accounts: BOUND }).result.effect).toEqual({ kind: 'unbind' });
    expect(turn('怎么绑定').result.replies[0]).toContain('绑定 5300123456');
  });
});

describe('answers from the application', () => {
  it('progress: the current step with its due date, the next step, the expected date', () => {
    const reply = turn('进度', { accounts: BOUND }).result.replies[0]!;
    expect(reply).toContain('YX2026-0001');
    expect(reply).toContain('供电方案答复（办理中，应于12月1日（周二）前完成）');
    expect(reply).toContain('下一步：设计文件审核（计划12月2日（周三）开始）');
    expect(reply).toContain('预计通电：2027年2月26日（周五）');
  });

  it('customer tasks, and the handler\'s contact', () => {
    expect(turn('需要准备什么材料', { accounts: BOUND }).result.replies[0]).toContain('签收并确认供电方案答复单');
    expect(turn('经办人电话', { accounts: BOUND }).result.replies[0]).toBe('当前环节“供电方案答复”经办人：李*，电话13912345678。');
  });

  it('the expected date and whether the date asked about is feasible', () => {
    expect(turn('什么时候能通电', { accounts: BOUND }).result.replies[0]).toContain('您要求的接电日期2027年3月1日（周一）按当前计划可以满足');
    expect(turn('2027年1月15日前能通电吗', { accounts: BOUND }).result.replies[0]).toContain('较难满足');
  });

  it('hurry goes to the hurry service with the customer\'s words; its cooldown is explained', () => {
    const { input, result } = turn('麻烦催一催', { accounts: BOUND });
    expect(result.effect).toEqual({ kind: 'hurry', applicationNo: 'YX2026-0001', message: '麻烦催一催' });
    expect(settle(result, { kind: 'hurried', reference: 'CB2611240001', stepName: '供电方案答复', handlerName: '李*' }, input).replies[0]).toContain('CB2611240001');
    expect(settle(result, { kind: 'hurry_cooldown', reference: 'CB2611240001', retryAfterSeconds: 7200 }, input).replies[0]).toContain('2小时');
    expect(turn('CB', { accounts: BOUND }).result.effect).toEqual({ kind: 'hurry', applicationNo: 'YX2026-0001', message: null });
  });

  it('an account or application the sender has not proved gets nothing', () => {
    expect(turn('YX2026-0999的进度', { accounts: BOUND }).result.replies[0]).toContain('没有找到这个工单');
    expect(turn('5300999999的进度', { accounts: BOUND }).result.effect).toEqual({ kind: 'send_bind_code', accountNo: '5300999999', preface: '查询该户号需先验证身份。' });
  });

  it('asks which application when several are in progress, and answers the one picked', () => {
    const two: AccountFacts[] = [{ accountNo: '5300123456', applications: [view(), view({ applicationNo: 'YX2026-0002', processName: '低压居民新装' })] }];
    const first = turn('进度', { accounts: two });
    expect(first.result.replies[0]).toContain('2个在办工单');
    expect(first.result.state.kind).toBe('set');
    const state = (first.result.state as { state: ConversationState }).state;
    const second = turn('2', { accounts: two, state });
    expect(second.result.replies[0]).toContain('YX2026-0002');
    expect(second.result.state).toEqual({ kind: 'clear' });
  });

  it('says a finished application is finished', () => {
    const done: AccountFacts[] = [{ accountNo: '5300123456', applications: [view({ status: 'completed', currentStep: null, nextStep: null })] }];
    expect(turn('进度', { accounts: done }).result.replies[0]).toContain('已完成装表接电');
    expect(turn('催一下', { accounts: done }).result.effect).toBeNull();
  });
});

describe('menu, knowledge base, unsubscribe, a person', () => {
  it('帮助 shows the numbered menu; a number then picks the item', () => {
    const { result } = turn('帮助');
    expect(result.replies[0]).toContain('1 办理进度');
    const state = { kind: 'menu' } as const;
    expect(turn('1', { state, accounts: BOUND }).result.replies[0]).toContain('YX2026-0001');
    expect(turn('3', { state, accounts: BOUND }).result.replies[0]).toContain('13912345678');
    // outside the menu a lone digit is not a menu choice: 1–5 answer the satisfaction follow-up (回复1-5评价)
    const lone = turn('1', { accounts: BOUND }).result;
    expect(lone.intent).toBe('rating');
    expect(lone.effect).toMatchObject({ kind: 'rating', score: 1 });
    expect(lone.replies.join('')).not.toContain('YX2026-0001');
  });

  it('answers from the knowledge base, or says it found nothing and offers a person', () => {
    expect(turn('停电了找谁').result.replies[0]).toContain('95598');
    const none = turn('推荐一家好吃的餐馆').result;
    expect(none.intent).toBe('unknown');
    expect(none.replies[0]).toContain('没有找到答案');
    expect(none.replies[0]).toContain('人工');
  });

  it('words the fallback and the menu for the channel: no "回复" at a kiosk, where nobody replies by SMS', () => {
    const kiosk = turn('推荐一家好吃的餐馆', { channel: 'kiosk' }).result.replies[0]!;
    expect(kiosk).toContain('没有找到答案');
    expect(kiosk).toContain('“转人工”');
    expect(kiosk).not.toContain('回复');
    expect(turn('推荐一家好吃的餐馆', { channel: 'sms' }).result.replies[0]).toContain('回复“人工”');
    expect(turn('推荐一家好吃的餐馆', { channel: 'wechat' }).result.replies[0]).toContain('发送“人工”');
    expect(turn('推荐一家好吃的餐馆', { channel: 'web' }).result.replies[0]).toContain('输入“人工”');
    expect(turn('帮助', { channel: 'kiosk' }).result.replies[0]).not.toContain('回复');
    expect(turn('帮助', { channel: 'sms' }).result.replies[0]).toContain('回复数字');
  });

  it('unsubscribes SMS and WeChat senders, explains how when asked how, and has nothing to unsubscribe at a kiosk', () => {
    expect(turn('TD', { channel: 'sms' }).result.effect).toEqual({ kind: 'opt_out' });
    expect(turn('退订', { channel: 'wechat' }).result.effect).toEqual({ kind: 'opt_out' });
    expect(turn('怎么退订', { channel: 'sms' }).result.replies[0]).toContain('回复TD');
    expect(turn('退订', { channel: 'kiosk' }).result.effect).toBeNull();
  });

  it('opens a consult for a person, with the sender\'s application when bound', () => {
    expect(turn('转人工', { accounts: BOUND }).result.effect).toEqual({ kind: 'consult', accountNo: '5300123456', applicationNo: 'YX2026-0001' });
    expect(turn('转人工').result.effect).toEqual({ kind: 'consult', accountNo: null, applicationNo: null });
  });

  it('in a group chat says nothing private, even to a bound sender', () => {
    for (const text of ['进度', '经办人电话', '绑定 5300123456', '催一下']) {
      const { result } = turn(text, { accounts: BOUND, public: true });
      expect(result.effect).toBeNull();
      expect(result.replies[0]).toContain('私聊');
    }
    expect(turn('停电了找谁', { public: true }).result.replies[0]).toContain('95598');
  });
});

describe('muting one application (免打扰)', () => {
  const TWO: AccountFacts[] = [{ accountNo: '5300123456', applications: [view(), view({ applicationNo: 'YX2026-0002', processCode: 'lv_business' })] }];

  it('TD or BD with an application number mutes or unmutes that application, however it is written', () => {
    for (const text of ['TD YX2026-0001', 'td yx2026-0001', 'TDYX2026-0001', 'TD YX20260001']) {
      const { result } = turn(text, { channel: 'sms', accounts: TWO });
      expect([text, result.intent, result.effect]).toEqual([text, 'unsubscribe', { kind: 'mute', applicationNo: 'YX2026-0001' }]);
    }
    for (const text of ['BD YX2026-0002', 'bdyx2026-0002', '恢复通知 YX2026-0002']) {
      const { result } = turn(text, { channel: 'sms', accounts: TWO });
      expect([text, result.intent, result.effect]).toEqual([text, 'bind_account', { kind: 'unmute', applicationNo: 'YX2026-0002' }]);
    }
  });

  it('TD alone and BD with an account number keep their meaning', () => {
    expect(turn('TD', { channel: 'sms', accounts: TWO }).result.effect).toEqual({ kind: 'opt_out' });
    expect(turn('BD 5300123456', { channel: 'sms', accounts: TWO }).result.effect).toEqual({ kind: 'send_bind_code', accountNo: '5300123456', preface: null });
  });

  it('"这个申请不用再通知我了" offers a choice among several applications, then mutes the one chosen', () => {
    const { input, result } = turn('这个申请不用再通知我了', { accounts: TWO });
    expect(result.intent).toBe('unsubscribe');
    expect(result.effect).toBeNull();
    expect(result.state).toEqual({ kind: 'set', state: { kind: 'choose_application', intent: 'mute', applicationNos: ['YX2026-0001', 'YX2026-0002'], message: null, date: null } });
    const state = (result.state as { state: ConversationState }).state;
    const picked = turn('2', { accounts: TWO, state }).result;
    expect([picked.intent, picked.effect]).toEqual(['unsubscribe', { kind: 'mute', applicationNo: 'YX2026-0002' }]);
    const after = settle(picked, { kind: 'muted', applicationNo: 'YX2026-0002' }, input);
    expect(after.replies[0]).toContain('本微信将不再收到申请YX2026-0002的进度通知');
    expect(after.replies[0]).toContain('其他申请照常通知');
  });

  it('mutes a sender\'s only application at once, and never one the sender has not proved', () => {
    expect(turn('这个工单的通知别再发了', { accounts: BOUND }).result.effect).toEqual({ kind: 'mute', applicationNo: 'YX2026-0001' });
    expect(turn('TD YX2026-0009', { channel: 'sms', accounts: BOUND }).result.effect).toBeNull();
    const stranger = turn('TD YX2026-0001', { channel: 'sms' }).result;
    expect(stranger.effect).toBeNull();
    expect(stranger.replies[0]).toContain('绑定');
  });
});

describe('smsReplyText', () => {
  it('puts the signature first and keeps the SMS within 3 segments', () => {
    expect(smsReplyText(['已退订。'], '【接电助手】')).toBe('【接电助手】已退订。');
    const long = smsReplyText(['很长的回复'.repeat(60)], '【接电助手】')!;
    expect(long.startsWith('【接电助手】')).toBe(true);
    expect(long.endsWith('…')).toBe(true);
    expect(smsSegments(long).segments).toBe(3);
    expect(smsReplyText([], '【接电助手】')).toBeNull();
  });
});
