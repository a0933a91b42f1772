// The steps of one application as a vertical timeline: done, current and planned steps with their dates.
// Every row has the same lines whatever its state, so a step moving on (a live update) does not move the page.
import type { ProgressView, StepView } from './contract.ts';
import { h } from './dom.ts';
import { dateIn, dateRange, dueText, yearOf } from './format.ts';

export const stepStateNames = { done: '已完成', in_progress: '进行中', pending: '未开始' } as const;

function stateText(step: StepView): string {
  if (step.status === 'in_progress' && step.overdue) return '已超期';
  // the red marker alone would say it by colour only
  if (step.status === 'done' && step.overdue) return '超期完成';
  return stepStateNames[step.status];
}

/** "15:30" of an instant, for staff, who want the hour a step started */
const hourOf = (instant: string) => instant.slice(11, 16);

function datesText(step: StepView, year: number, options: TimelineOptions): string {
  if (step.status === 'done') {
    const end = step.actualEnd ?? step.plannedEnd;
    return end ? `${dateIn(end, year)}${step.actualEnd ? ` ${hourOf(step.actualEnd)}` : ''} 完成` : '已完成';
  }
  if (step.status === 'in_progress') {
    // the kiosk's timeline column holds one line: the last day matters more to a customer than the start hour
    const startDay = step.actualStart ? dateIn(step.actualStart, year) : null;
    const started = startDay ? `${startDay}${options.showHandlers ? ` ${hourOf(step.actualStart!)}` : ''}开始` : '已开始';
    const lastDay = step.dueAt ?? step.plannedEnd;
    if (!lastDay) return started;
    if (step.actualStart && step.actualStart.slice(0, 10) === lastDay.slice(0, 10) && (!step.dueAt || dueText(step.dueAt, year) === dateIn(lastDay, year))) {
      return `${started}，当天办完`;
    }
    return `${started}，最晚 ${step.dueAt ? dueText(step.dueAt, year) : dateIn(lastDay, year)} 办完`;
  }
  if (step.plannedStart && step.plannedEnd) return `计划 ${dateRange(step.plannedStart, step.plannedEnd, year)}`;
  return '待安排';
}

export interface TimelineOptions {
  /** staff see who handled each step */
  showHandlers?: boolean;
}

/** `year`: the year the page speaks in (dates in it are shown without one) */
export function stepRow(step: StepView, year: number, options: TimelineOptions = {}): HTMLLIElement {
  const state = step.status === 'in_progress' ? 'current' : step.status === 'done' ? 'done' : 'planned';
  const marker = step.status === 'done' ? '✓' : step.status === 'in_progress' ? '●' : '○';
  const who = options.showHandlers && step.handler ? `${step.handler.name} ${step.handler.phone}` : null;
  return h(
    'li',
    {
      class: `step step--${state}${step.overdue ? ' step--overdue' : ''}`,
      dataset: { step: step.code, status: step.status },
      attrs: { 'aria-current': step.status === 'in_progress' ? 'step' : null },
    },
    [
      h('span', { class: 'step-marker', text: marker, attrs: { 'aria-hidden': 'true' } }),
      h('span', { class: 'step-body' }, [
        h('span', { class: 'step-title' }, [
          h('span', { class: 'step-name', text: step.name }),
          h('span', { class: `step-side step-side--${step.side}`, text: step.side === 'customer' ? '客户办理' : '供电办理' }),
          h('span', { class: 'step-state', text: stateText(step) }),
        ]),
        h('span', { class: 'step-dates', text: who ? `${datesText(step, year, options)} · ${who}` : datesText(step, year, options) }),
      ]),
    ],
  );
}

export function timeline(view: ProgressView, options: TimelineOptions = {}): HTMLOListElement {
  return h(
    'ol',
    { class: 'timeline', attrs: { 'aria-label': `${view.applicationNo} 办理环节` } },
    view.steps.map((step) => stepRow(step, yearOf(view.updatedAt), options)),
  );
}

/** Marks the rows whose state changed between two views of the same application (a short highlight). */
export function changedSteps(before: ProgressView | undefined, after: ProgressView): Set<string> {
  const changed = new Set<string>();
  if (!before) return changed;
  const old = new Map(before.steps.map((s) => [s.code, s]));
  for (const step of after.steps) {
    const previous = old.get(step.code);
    if (!previous || previous.status !== step.status || previous.overdue !== step.overdue || previous.dueAt !== step.dueAt) changed.add(step.code);
  }
  return changed;
}
