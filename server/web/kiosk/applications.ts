// One card per application: expected date, whether the requested date can be met, the current step with its due
// time and handler, what to prepare now, the 催办 button (utility steps only) and the timeline. Every region has a fixed place and size,
// so a live update changes text, never the layout.
import type { ProgressView } from '../shared/contract.ts';
import { h } from '../shared/dom.ts';
import { dateIn, dueText, longDate, shortInstant, statusNames, yearOf } from '../shared/format.ts';
import { stepStateNames, timeline } from '../shared/timeline.ts';
import type { HurryState, NoticeState, RatingState } from './session.ts';

export interface CardActions {
  hurry(applicationNo: string): void;
  /** the 进度通知 switch: mute or unmute this application's notices (免打扰) */
  toggleNotices(applicationNo: string): void;
  /** the satisfaction question: tap a score, type a comment, send */
  chooseScore(applicationNo: string, score: number): void;
  typeComment(applicationNo: string, comment: string): void;
  rate(applicationNo: string): void;
}

export const scoreNames: Record<number, string> = { 1: '非常不满意', 2: '不满意', 3: '一般', 4: '满意', 5: '非常满意' };

/**
 * Whether the card asks the satisfaction question in place of its 温馨提示 box: a switched-on application asked to
 * rate and not yet rated, or just rated here (the thanks stays until the customer leaves).
 */
export function asksRating(state: RatingState | undefined): state is RatingState & { rating: NonNullable<RatingState['rating']> } {
  return state?.rating != null && ((state.rating.score === null && state.rating.open) || state.answered);
}

/** The satisfaction question (回访): 1–5, an optional comment, 提交评价. Same place and size as the 温馨提示 box. */
export function ratingBox(applicationNo: string, state: RatingState, actions: CardActions): HTMLElement {
  if (state.answered && state.rating?.score != null) {
    return h('div', { class: 'rating rating--done', dataset: { applicationNo }, attrs: { 'aria-label': '服务评价' } }, [
      h('p', { class: 'rating-title', text: '感谢您的评价' }),
      h('p', { class: `rating-line rating-line--${state.tone}`, text: state.message ?? '', attrs: { role: 'status', 'aria-live': 'polite' } }),
    ]);
  }
  const chosen = state.chosen;
  return h('div', { class: 'rating', dataset: { applicationNo }, attrs: { role: 'group', 'aria-label': '服务评价' } }, [
    h('p', { class: 'rating-title', text: '您的电已接通，请为这次办电服务打分' }),
    h(
      'div',
      { class: 'rating-scores' },
      [1, 2, 3, 4, 5].map((score) =>
        h('button', {
          class: `rating-score${chosen === score ? ' rating-score--chosen' : ''}`,
          attrs: { type: 'button', 'aria-pressed': String(chosen === score), 'aria-label': `${score} 分 ${scoreNames[score]}`, disabled: state.busy },
          on: { click: () => actions.chooseScore(applicationNo, score) },
        }, [h('span', { class: 'rating-score-n', text: score }), h('span', { class: 'rating-score-name', text: scoreNames[score]! })]),
      ),
    ),
    h('div', { class: 'rating-send' }, [
      h('input', {
        class: 'rating-comment',
        attrs: { type: 'text', maxlength: 500, placeholder: '想说的话（可不填）', 'aria-label': '评价意见（可不填）', value: state.comment, disabled: state.busy },
        on: { input: (event) => actions.typeComment(applicationNo, (event.target as HTMLInputElement).value) },
      }),
      h('button', {
        class: 'rating-submit',
        text: state.busy ? '正在提交…' : '提交评价',
        attrs: { type: 'button', disabled: chosen === null || state.busy },
        on: { click: () => actions.rate(applicationNo) },
      }),
    ]),
    h('p', { class: `rating-line rating-line--${state.tone}`, text: state.message ?? (chosen === null ? '请点选 1–5 分' : `您选择了 ${chosen} 分（${scoreNames[chosen]}）`), attrs: { role: 'status', 'aria-live': 'polite' } }),
  ]);
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

/** The day power came on: the last step's end (装表接电), else the plan's date. */
function connectedOn(view: ProgressView): string | null {
  return view.steps.at(-1)?.actualEnd?.slice(0, 10) ?? view.expectedConnectDate;
}

function planBox(tone: 'ok' | 'info' | 'warn' | 'danger', icon: string, text: string): HTMLElement {
  return h('p', { class: `plan plan--${tone}`, attrs: { role: tone === 'ok' || tone === 'info' ? null : 'note' } }, [
    h('span', { class: 'plan-icon', text: icon, attrs: { 'aria-hidden': 'true' } }),
    h('span', { text }),
  ]);
}

function planLine(view: ProgressView): HTMLElement {
  if (view.status === 'completed') {
    const day = connectedOn(view);
    return planBox('ok', '✓', day ? `已于 ${longDate(day)} 接电，感谢您的耐心等待。` : '已接电，感谢您的耐心等待。');
  }
  if (view.status === 'cancelled') return planBox('info', 'ℹ', '这项申请已撤销。如有疑问请到窗口咨询。');
  if (view.status === 'suspended') return planBox('info', 'ℹ', '这项申请已暂停办理。如有疑问请到窗口咨询。');
  // an overdue step outweighs any reassurance: no green "as planned" beside a red step
  const step = view.currentStep;
  if (step?.overdue && step.status === 'in_progress') {
    return planBox('danger', '⚠', `“${step.name}”已超过办理期限，供电公司须尽快办完。您可以按下方「催办」提醒经办人。`);
  }
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
  if (view.requestedConnectDate) return planBox('ok', '✓', `可以按您申请的 ${longDate(view.requestedConnectDate)} 接电。`);
  return planBox('info', 'ℹ', '您没有指定接电日期，按常规工期安排。');
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
  const year = yearOf(view.updatedAt);
  const lastDay = step.dueAt ? dueText(step.dueAt, year) : step.plannedEnd ? dateIn(step.plannedEnd, year) : null;
  const due = !lastDay ? '办完时间待定' : step.overdue ? `原定最晚 ${lastDay} 办完，已超期` : step.dueAt ? `最晚 ${lastDay} 办完` : `计划 ${lastDay} 办完`;
  const who = step.side === 'customer' ? '此环节需要您来办理' : step.handler ? `经办人 ${step.handler.name} · 电话 ${step.handler.phone}` : '经办人待分配';
  return h('div', { class: `current${step.overdue ? ' current--overdue' : ''}` }, [
    h('p', { class: 'current-label', text: '当前环节' }),
    h('p', { class: 'current-name' }, [h('span', { text: step.name }), h('span', { class: 'current-state', text: state })]),
    h('p', { class: 'current-line current-due', text: due }),
    h('p', { class: 'current-line current-handler', text: who }),
  ]);
}

function tasksBox(view: ProgressView): HTMLElement {
  if (view.status !== 'active') {
    const text = view.status === 'completed' ? '申请已办结，无需再准备材料。' : '目前无需您准备材料。如有疑问请到窗口咨询。';
    return h('div', { class: 'tasks', attrs: { 'aria-label': '温馨提示' } }, [h('p', { class: 'tasks-title', text: '温馨提示' }), h('p', { class: 'tasks-none', text })]);
  }
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
  if (!can) return noHurryBox(view, view.status === 'completed' ? '申请已办结，无需催办。' : '该申请当前无需催办。', 'inactive');
  // pressed (or refused) within the cooldown: the button rests until it ends, and the line says when that is
  const cooling = state?.cooldownUntil != null && state.cooldownUntil > now;
  const label = state?.busy ? '正在催办…' : cooling ? '已催办' : '催办';
  const button = h('button', {
    class: 'hurry-button',
    text: label,
    attrs: {
      type: 'button',
      'aria-label': `催办申请 ${view.applicationNo} 的「${step.name}」环节`,
      disabled: state?.busy === true || cooling,
    },
    on: { click: () => actions.hurry(view.applicationNo) },
  });
  let text: (string | HTMLElement)[] = ['觉得太慢？按「催办」提醒经办人尽快办理。'];
  let tone: HurryState['tone'] = 'info';
  if (state) {
    tone = state.tone;
    // the time stays on one line: "11月25日 10:02 后" must not break inside it
    const again = state.againAt && cooling ? [h('span', { class: 'nowrap', text: `${shortInstant(state.againAt)} 后` }), '可再次催办。'] : [];
    text = [state.message, ...again];
  }
  return h('div', { class: 'hurry', dataset: { applicationNo: view.applicationNo } }, [
    button,
    h('p', { class: `hurry-line hurry-line--${tone}`, attrs: { role: 'status', 'aria-live': 'polite' } }, [h('span', {}, text)]),
  ]);
}

function expectedBox(view: ProgressView): HTMLElement {
  const [label, date] =
    view.status === 'completed'
      ? ['接电日期', connectedOn(view)]
      : view.status === 'cancelled'
        ? ['预计接电日期', null]
        : ['预计接电日期', view.expectedConnectDate];
  return h('div', { class: 'expected' }, [
    h('p', { class: 'expected-label', text: label }),
    h('p', { class: 'expected-date', text: date ? longDate(date) : view.status === 'cancelled' ? '已撤销' : '待排定' }),
  ]);
}

export function applicationCard(
  view: ProgressView,
  hurry: HurryState | undefined,
  actions: CardActions,
  changed: Set<string> = new Set(),
  notices?: NoticeState,
  rating?: RatingState,
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
        expectedBox(view),
        planLine(view),
        currentBox(view),
        // the button right under the step it hurries, so it is on the first screen in landscape too
        hurryBox(view, hurry, actions),
        asksRating(rating) ? ratingBox(view.applicationNo, rating, actions) : tasksBox(view),
      ]),
      h('div', { class: 'card-steps' }, [h('h4', { class: 'card-steps-title', text: '办理环节' }), list]),
    ]),
    h('div', { class: 'card-foot' }, [
      noticeSwitch(view.applicationNo, notices, actions),
      h('p', { class: 'card-updated', text: `信息更新于 ${shortInstant(view.updatedAt)}` }),
    ]),
  ]);
}
