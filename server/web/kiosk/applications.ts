// One card per application: expected date, whether the requested date can be met, the current step with its due
// time and handler, what to prepare now, the 催办 button (utility steps only) and the timeline. Every region has a fixed place and size,
// so a live update changes text, never the layout.
import type { ProgressView } from '../shared/contract.ts';
import { h } from '../shared/dom.ts';
import { longDate, shortInstant, statusNames, waitText } from '../shared/format.ts';
import { stepStateNames, timeline } from '../shared/timeline.ts';
import type { HurryState, NoticeState } from './session.ts';

export interface CardActions {
  hurry(applicationNo: string): void;
  /** the 进度通知 switch: mute or unmute this application's notices (免打扰) */
  toggleNotices(applicationNo: string): void;
}

/** The card's 进度通知 switch: on, the customer gets every notice; off, only the answers to their own hurries. */
export function noticeSwitch(applicationNo: string, state: NoticeState | undefined, actions: CardActions): HTMLElement {
  const on = state?.muted === false;
  const known = state?.muted !== null && state?.muted !== undefined;
  const line = state?.failed ? '设置没有成功，请再试一次。' : !known ? '正在读取通知设置…' : on ? '每个环节都会短信/微信通知您' : '已关闭，只通知您催办的答复';
  return h('div', { class: `notice-switch${on ? ' notice-switch--on' : ''}`, dataset: { applicationNo } }, [
    h('button', {
      class: 'notice-toggle',
      attrs: { type: 'button', role: 'switch', 'aria-checked': String(on), 'aria-label': `申请 ${applicationNo} 的进度通知`, ...(known && !state?.busy ? {} : { disabled: '' }) },
      on: { click: () => actions.toggleNotices(applicationNo) },
    }, [h('span', { class: 'notice-knob', attrs: { 'aria-hidden': 'true' } }), h('span', { class: 'notice-toggle-text', text: on ? '进度通知：开' : '进度通知：关' })]),
    h('p', { class: `notice-line${state?.failed ? ' notice-line--warn' : ''}`, text: line, attrs: { role: 'status', 'aria-live': 'polite' } }),
  ]);
}

function planLine(view: ProgressView): HTMLElement {
  if (!view.plan.feasible) {
    // earliestFeasibleDate assumes every step at its shortest; the expected date above is the usual pace, so say both
    const earliest = view.plan.earliestFeasibleDate
      ? `各环节加快办理，最早可于 ${longDate(view.plan.earliestFeasibleDate)} 接电；目前按常规工期安排`
      : '具体日期请咨询经办人';
    return h('p', { class: 'plan plan--warn', attrs: { role: 'note' } }, [
      h('span', { class: 'plan-icon', text: '⚠', attrs: { 'aria-hidden': 'true' } }),
      h('span', { text: `您申请的 ${longDate(view.requestedConnectDate)} 无法实现。${earliest}。` }),
    ]);
  }
  const text = view.requestedConnectDate ? `可以按您申请的 ${longDate(view.requestedConnectDate)} 接电` : '按常规工期安排，未指定接电日期';
  return h('p', { class: 'plan plan--ok' }, [h('span', { class: 'plan-icon', text: '✓', attrs: { 'aria-hidden': 'true' } }), h('span', { text })]);
}

function currentBox(view: ProgressView): HTMLElement {
  const step = view.currentStep;
  if (view.status !== 'active' || !step) {
    return h('div', { class: 'current' }, [
      h('p', { class: 'current-label', text: '当前环节' }),
      h('p', { class: 'current-name', text: statusNames[view.status] ?? view.status }),
      h('p', { class: 'current-line', text: view.status === 'completed' ? '您的申请已全部办结。' : '如有疑问请咨询窗口工作人员。' }),
      h('p', { class: 'current-line', text: '' }),
    ]);
  }
  const state = step.status === 'in_progress' && step.overdue ? '已超期' : stepStateNames[step.status];
  const due = step.dueAt ? `应于 ${shortInstant(step.dueAt)} 前完成` : step.plannedEnd ? `计划 ${longDate(step.plannedEnd)} 完成` : '完成时间待定';
  const who = step.side === 'customer' ? '此环节需要您来办理' : step.handler ? `经办人 ${step.handler.name} · 电话 ${step.handler.phone}` : '经办人待分配';
  return h('div', { class: `current${step.overdue ? ' current--overdue' : ''}` }, [
    h('p', { class: 'current-label', text: '当前环节' }),
    h('p', { class: 'current-name' }, [h('span', { text: step.name }), h('span', { class: 'current-state', text: state })]),
    h('p', { class: 'current-line current-due', text: due }),
    h('p', { class: 'current-line current-handler', text: who }),
  ]);
}

function tasksBox(view: ProgressView): HTMLElement {
  const now = view.currentStep?.customerTasks ?? [];
  const next = view.nextStep?.customerTasks ?? [];
  const [title, tasks] = now.length > 0 ? ['现在请您准备', now] : next.length > 0 ? [`下一步（${view.nextStep!.name}）请准备`, next] : ['现在请您准备', []];
  return h('div', { class: 'tasks', attrs: { 'aria-label': title } }, [
    h('p', { class: 'tasks-title', text: title }),
    tasks.length > 0 ? h('ul', { class: 'tasks-list' }, tasks.map((t) => h('li', { text: t }))) : h('p', { class: 'tasks-none', text: '目前无需您准备材料，请等待供电公司办理。' }),
  ]);
}

/**
 * What the kiosk says instead of 催办 on a customer-side step (客户受电工程施工): nobody at the utility is to be hurried;
 * the customer's own tasks, and the step to apply for when they are done. From the ProgressView, or a refusal's body.
 */
export function customerStepLine(stepName: string, customerTasks: readonly string[], nextStepName: string | null): string {
  const tasks = customerTasks.map((task) => task.trim().replace(/[。；;，,]+$/u, '')).filter((task) => task !== '');
  const parts = [tasks.length > 0 ? `请${tasks.join('；')}` : null, nextStepName ? `具备${nextStepName}条件时请联系经办人申请${nextStepName}` : null].filter((part) => part !== null);
  return `当前是您方的“${stepName}”，无需催办。${parts.length > 0 ? `${parts.join('；')}。` : ''}`;
}

/** The box without a button: the same place and size, so a live update to a customer step moves nothing. */
function noHurryBox(view: ProgressView, text: string, kind: 'customer' | 'inactive'): HTMLElement {
  return h('div', { class: `hurry hurry--none hurry--${kind}`, dataset: { applicationNo: view.applicationNo } }, [
    h('p', { class: 'hurry-line hurry-line--info', attrs: { role: 'status', 'aria-live': 'polite' } }, [h('span', { text })]),
  ]);
}

export function hurryBox(view: ProgressView, hurryState: HurryState | undefined, actions: CardActions, now = Date.now()): HTMLElement {
  const step = view.currentStep;
  // 催办 is for the utility's work only: the server refuses a customer-side step (409 JD_CONFLICT, side: customer)
  if (view.status === 'active' && step?.side === 'customer') return noHurryBox(view, customerStepLine(step.name, step.customerTasks, view.nextStep?.name ?? null), 'customer');
  // refused because the step moved on just before the press, and this page has not had the update yet
  if (hurryState?.refusal && hurryState.refusal.whileStep === (step?.code ?? null)) return noHurryBox(view, hurryState.message, 'customer');
  // a refusal about an earlier step says nothing about this one
  const state = hurryState?.refusal ? undefined : hurryState;
  const can = view.status === 'active' && step?.side === 'utility';
  if (!can) return noHurryBox(view, '该申请当前无需催办。', 'inactive');
  const cooling = state?.cooldownUntil != null && state.cooldownUntil > now;
  const label = state?.busy ? '正在催办…' : cooling ? '再次催办' : '催办';
  const button = h('button', {
    class: 'hurry-button',
    text: label,
    attrs: {
      type: 'button',
      'aria-label': `催办申请 ${view.applicationNo} 的「${step.name}」环节`,
      disabled: state?.busy === true,
    },
    on: { click: () => actions.hurry(view.applicationNo) },
  });
  let text: (string | HTMLElement)[] = ['觉得太慢？按「催办」提醒经办人尽快办理。'];
  let tone: HurryState['tone'] = 'info';
  if (state) {
    tone = state.tone;
    // the wait stays on one line: "请 24 小时 00 分钟 后再催办" must not break inside the number
    const wait = () => h('span', { class: 'nowrap', text: `请 ${waitText((state.cooldownUntil! - now) / 1000)} 后再催办。` });
    text = cooling ? [state.message, wait()] : [state.message];
  }
  return h('div', { class: 'hurry', dataset: { applicationNo: view.applicationNo } }, [
    button,
    h('p', { class: `hurry-line hurry-line--${tone}`, attrs: { role: 'status', 'aria-live': 'polite' } }, [h('span', {}, text)]),
  ]);
}

export function applicationCard(
  view: ProgressView,
  hurry: HurryState | undefined,
  actions: CardActions,
  changed: Set<string> = new Set(),
  notices?: NoticeState,
): HTMLElement {
  const titleId = `app-${view.applicationNo.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const list = timeline(view);
  for (const row of list.querySelectorAll<HTMLElement>('.step')) {
    if (changed.has(row.dataset.step ?? '')) row.classList.add('step--changed');
  }
  return h('article', { class: 'card', dataset: { applicationNo: view.applicationNo }, attrs: { 'aria-labelledby': titleId } }, [
    h('header', { class: 'card-head' }, [
      h('h3', { class: 'card-title', attrs: { id: titleId } }, [h('span', { text: `申请编号 ${view.applicationNo}` }), h('span', { class: 'card-process', text: view.processName })]),
      h('span', { class: `badge badge--${view.status}`, text: statusNames[view.status] ?? view.status }),
    ]),
    h('div', { class: 'card-grid' }, [
      h('div', { class: 'card-summary' }, [
        h('div', { class: 'expected' }, [
          h('p', { class: 'expected-label', text: '预计接电日期' }),
          h('p', { class: 'expected-date', text: view.expectedConnectDate ? longDate(view.expectedConnectDate) : '待排定' }),
        ]),
        planLine(view),
        currentBox(view),
        tasksBox(view),
        hurryBox(view, hurry, actions),
      ]),
      h('div', { class: 'card-steps' }, [h('h4', { class: 'card-steps-title', text: '办理环节' }), list]),
    ]),
    h('div', { class: 'card-foot' }, [
      noticeSwitch(view.applicationNo, notices, actions),
      h('p', { class: 'card-updated', text: `信息更新于 ${shortInstant(view.updatedAt)}` }),
    ]),
  ]);
}
