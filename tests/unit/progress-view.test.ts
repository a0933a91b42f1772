import { describe, expect, it } from 'vitest';
import type { Process } from '../../server/domain/catalog.ts';
import {
  buildProgressView,
  currentStepIndex,
  isStepOverdue,
  type ApplicationRecord,
  type HandlerContact,
  type ProgressViewInput,
  type StepRecordWithPlan,
} from '../../server/domain/progress-view.ts';

const TZ = 'Asia/Shanghai';
const ms = (iso: string) => Date.parse(iso);
const NOW = ms('2026-11-24T10:00:00+08:00');

const process: Process = {
  code: 'lv_business',
  name: '低压非居民新装（小微企业）',
  totalLimit: { days: 6, unit: 'workdays' },
  steps: [
    { code: 'accept', name: '业务受理', side: 'utility', limitWorkdays: 1, typicalWorkdays: 1, minWorkdays: 1, customerTasks: ['用电申请书'] },
    { code: 'survey', name: '现场勘查', side: 'utility', limitWorkdays: 1, typicalWorkdays: 1, minWorkdays: 1, customerTasks: ['约定勘查时间'] },
    { code: 'plan_reply', name: '供电方案答复', side: 'utility', limitWorkdays: 1, typicalWorkdays: 1, minWorkdays: 1, customerTasks: [] },
    { code: 'connect', name: '装表接电', side: 'utility', limitWorkdays: 1, typicalWorkdays: 1, minWorkdays: 1, customerTasks: ['安排电工配合送电'] },
  ],
};

const application: ApplicationRecord = {
  applicationNo: 'YX2026-0001',
  accountNo: '5300123456',
  customerName: '玉溪某某食品有限公司',
  processCode: 'lv_business',
  status: 'active',
  acceptedAt: ms('2026-11-20T09:00:00+08:00'),
  requestedConnectDate: '2026-12-01',
  expectedConnectDate: '2026-11-27',
  planFeasible: true,
  earliestFeasibleDate: '2026-11-26',
  planBasis: 'requested_date',
  planCompressed: false,
  updatedAt: ms('2026-11-24T09:30:00+08:00'),
};

const handlers: Record<string, HandlerContact> = { H001: { name: '李明', phone: '13912345678' } };

function step(code: string, over: Partial<StepRecordWithPlan> = {}): StepRecordWithPlan {
  return { stepCode: code, status: 'pending', actualStart: null, actualEnd: null, handlerId: null, plannedStart: null, plannedEnd: null, dueAt: null, ...over };
}

function input(over: Partial<ProgressViewInput> = {}): ProgressViewInput {
  return {
    application,
    process,
    steps: [
      step('accept', { status: 'done', actualStart: ms('2026-11-20T09:00:00+08:00'), actualEnd: ms('2026-11-20T11:00:00+08:00'), handlerId: 'H001' }),
      step('survey', {
        status: 'in_progress',
        actualStart: ms('2026-11-24T09:00:00+08:00'),
        handlerId: 'H001',
        plannedStart: '2026-11-24',
        plannedEnd: '2026-11-24',
        dueAt: ms('2026-11-24T23:59:59.999+08:00'),
      }),
      step('plan_reply', { plannedStart: '2026-11-25', plannedEnd: '2026-11-25', dueAt: ms('2026-11-25T23:59:59.999+08:00') }),
      step('connect', { plannedStart: '2026-11-26', plannedEnd: '2026-11-26', dueAt: ms('2026-11-26T23:59:59.999+08:00') }),
    ],
    handlerOf: (id) => handlers[id],
    now: NOW,
    timeZone: TZ,
    audience: 'customer',
    ...over,
  };
}

describe('progress view', () => {
  it('masks the customer name and the handler name for customers, keeping the first character', () => {
    const view = buildProgressView(input({ audience: 'customer' }));
    expect(view.customerName).toBe('玉*********');
    expect(view.currentStep?.handler).toEqual({ name: '李*', phone: '13912345678' });
    expect(view.steps[0]!.handler).toEqual({ name: '李*', phone: '13912345678' });
  });

  it('shows staff the names unmasked', () => {
    const view = buildProgressView(input({ audience: 'staff' }));
    expect(view.customerName).toBe('玉溪某某食品有限公司');
    expect(view.currentStep?.handler).toEqual({ name: '李明', phone: '13912345678' });
  });

  it('a step whose handler is unknown shows no handler', () => {
    const view = buildProgressView(input({ handlerOf: () => undefined }));
    expect(view.currentStep?.handler).toBeNull();
  });

  it('writes instants with the utility\'s offset and keeps the plan fields', () => {
    const view = buildProgressView(input());
    expect(view.acceptedAt).toBe('2026-11-20T09:00:00+08:00');
    expect(view.updatedAt).toBe('2026-11-24T09:30:00+08:00');
    expect(view.steps[0]!.actualEnd).toBe('2026-11-20T11:00:00+08:00');
    expect(view.currentStep?.dueAt).toBe('2026-11-24T23:59:59+08:00');
    expect(view.plan).toEqual({ feasible: true, earliestFeasibleDate: '2026-11-26', basis: 'requested_date', compressed: false });
    expect(view.steps.map((s) => s.code)).toEqual(['accept', 'survey', 'plan_reply', 'connect']);
    expect(view.processName).toBe('低压非居民新装（小微企业）');
  });

  it('the current step is the step in progress and the next step the first pending one after it', () => {
    const view = buildProgressView(input());
    expect(view.currentStep?.code).toBe('survey');
    expect(view.nextStep?.code).toBe('plan_reply');
  });

  it('with nothing in progress the current step is the first pending one', () => {
    const view = buildProgressView(
      input({ steps: [step('accept', { status: 'done', actualEnd: NOW - 1 }), step('survey', { status: 'done', actualEnd: NOW - 1 }), step('plan_reply'), step('connect')] }),
    );
    expect(view.currentStep?.code).toBe('plan_reply');
    expect(view.nextStep?.code).toBe('connect');
  });

  it('when every step is done there is no current and no next step', () => {
    const done = process.steps.map((s) => step(s.code, { status: 'done', actualEnd: NOW - 1 }));
    const view = buildProgressView(input({ steps: done }));
    expect(view.currentStep).toBeNull();
    expect(view.nextStep).toBeNull();
  });

  it('the current step is the latest one in progress when two run at once', () => {
    expect(currentStepIndex(['done', 'in_progress', 'in_progress', 'pending'])).toBe(2);
    expect(currentStepIndex(['done', 'done', 'pending', 'pending'])).toBe(2);
    expect(currentStepIndex(['done', 'done'])).toBe(-1);
  });

  it('a step missing from the records is shown pending without dates', () => {
    const view = buildProgressView(input({ steps: [] }));
    expect(view.steps.every((s) => s.status === 'pending' && s.plannedStart === null && !s.overdue)).toBe(true);
    expect(view.currentStep?.code).toBe('accept');
  });

  describe('overdue', () => {
    const due = ms('2026-11-24T23:59:59.999+08:00');

    it('a running step is overdue only once now is past its due time', () => {
      expect(isStepOverdue({ status: 'in_progress', dueAt: due, actualEnd: null }, due)).toBe(false);
      expect(isStepOverdue({ status: 'in_progress', dueAt: due, actualEnd: null }, due + 1)).toBe(true);
    });

    it('a done step is overdue when it ended after its due time, whatever now is', () => {
      expect(isStepOverdue({ status: 'done', dueAt: due, actualEnd: due + 1 }, due - 1000)).toBe(true);
      expect(isStepOverdue({ status: 'done', dueAt: due, actualEnd: due - 1 }, due + 86_400_000)).toBe(false);
    });

    it('a pending step or a step without a due time is never overdue', () => {
      expect(isStepOverdue({ status: 'pending', dueAt: due, actualEnd: null }, due + 86_400_000)).toBe(false);
      expect(isStepOverdue({ status: 'in_progress', dueAt: null, actualEnd: null }, due + 86_400_000)).toBe(false);
    });

    it('the view flags the running step overdue after midnight of its due day', () => {
      expect(buildProgressView(input({ now: ms('2026-11-24T23:59:00+08:00') })).currentStep?.overdue).toBe(false);
      expect(buildProgressView(input({ now: ms('2026-11-25T00:00:00+08:00') })).currentStep?.overdue).toBe(true);
    });
  });
});
