// The live queue: hurries (催办), time-limit alerts and 转人工 consults, each acted on in place. Items keep their
// place: new ones are added at the end, changes are drawn into the item, and an item someone else closed stays
// (marked closed) until the page is next loaded, so nothing jumps while a handler is reading or typing.
import { ApiError, call } from '../shared/api.ts';
import type { Alert, Consult, Handler, Hurry, Queue, RiskItem } from '../shared/contract.ts';
import { RiskColumn } from './risk-items.ts';
import { fill, h } from '../shared/dom.ts';
import { fullInstant, shortInstant } from '../shared/format.ts';
import { alertLevelNames, channelNames, escalationReasons, hurryStatusNames, nameOf } from './labels.ts';

export interface QueueContext {
  me: () => Handler | null;
  openApplication(applicationNo: string): void;
  /** the set of items marked new changed size */
  onFresh(count: number, added: boolean): void;
  /** the session ended (401): back to the sign-in */
  onUnauthorized(): void;
}

type Kind = 'hurry' | 'alert' | 'consult';

interface Item {
  element: HTMLLIElement;
  fresh: boolean;
}

function failure(error: unknown, ctx: QueueContext): string {
  if (error instanceof ApiError) {
    if (error.status === 401) {
      ctx.onUnauthorized();
      return '登录已过期，请重新登录。';
    }
    if (error.status === 404) return '该事项已不在您的队列中。';
    if (error.status === 409) return '该事项已由他人处理。';
    if (error.status === 400) return '内容不符合要求（1–1000 字）。';
  }
  return '操作没有成功，请稍后再试。';
}

/** how the answer reaches the customer: by the channel they hurried from (kiosk and web hurries: the SMS on file) */
function replyRoute(channel: string): string {
  return channel === 'wechat' ? '答复已通过微信发给客户' : '答复已通过短信发给客户';
}

// The step's and the handler's names (the codes only if a name is missing).
const alertStep = (alert: Alert) => (alert.stepCode === null ? '整体时限' : `环节 ${alert.stepName ?? alert.stepCode}`);
const alertHandler = (alert: Alert) => alert.handlerName ?? alert.handlerId ?? '—';

function appLink(applicationNo: string, ctx: QueueContext): HTMLButtonElement {
  return h('button', {
    class: 'link',
    text: applicationNo,
    attrs: { type: 'button', 'aria-label': `查看申请 ${applicationNo}` },
    on: { click: () => ctx.openApplication(applicationNo) },
  });
}

/** A text box with its label, a send button and a status line; the draft survives redraws of the item around it. */
function textForm(options: { id: string; label: string; button: string; placeholder: string; onSubmit: (text: string, done: (message: string, ok: boolean) => void) => void }) {
  const area = h('textarea', { attrs: { id: options.id, rows: 2, maxlength: 1000, placeholder: options.placeholder } });
  const button = h('button', { class: 'primary', text: options.button, attrs: { type: 'submit' } });
  const message = h('p', { class: 'form-message', attrs: { role: 'status', 'aria-live': 'polite' } });
  const form = h('form', { class: 'item-form' }, [h('label', { text: options.label, attrs: { for: options.id } }), area, h('div', { class: 'item-form-row' }, [button, message])]);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = area.value.trim();
    if (!text) {
      fill(message, [`请先填写${options.label}。`]);
      message.className = 'form-message form-message--error';
      area.focus();
      return;
    }
    button.disabled = true;
    options.onSubmit(text, (said, ok) => {
      button.disabled = false;
      if (ok) area.value = '';
      fill(message, [said]);
      message.className = `form-message ${ok ? 'form-message--ok' : 'form-message--error'}`;
    });
  });
  return { form, area, button, message };
}

/** How long ago, in words: 3 天 / 5 小时 / 12 分钟 */
function ageText(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes >= 24 * 60) return `${Math.floor(minutes / (24 * 60))} 天`;
  if (minutes >= 60) return `${Math.floor(minutes / 60)} 小时`;
  return `${minutes} 分钟`;
}

type AlertSort = 'oldest' | 'newest';

/**
 * Triage of the alerts (a team lead may have dozens): filter by level, handler and step, sort by age, with the counts
 * per level and handler. Items are shown compact; each opens its details (times, the explanation form) on demand.
 */
class AlertTriage {
  readonly element: HTMLElement;
  readonly level = h('select', { attrs: { id: 'triage-level' } });
  readonly handler = h('select', { attrs: { id: 'triage-handler' } });
  readonly step = h('select', { attrs: { id: 'triage-step' } });
  readonly sort = h('select', { attrs: { id: 'triage-sort' } }, [
    h('option', { text: '等得最久的在前', attrs: { value: 'oldest' } }),
    h('option', { text: '最新的在前', attrs: { value: 'newest' } }),
  ]);
  readonly summary = h('p', { class: 'triage-summary', attrs: { id: 'triage-summary', 'aria-live': 'polite' } });
  /** alerts whose details are open: kept across redraws of the item */
  readonly open = new Set<string>();

  constructor(private readonly list: HTMLUListElement) {
    const field = (label: string, select: HTMLSelectElement) => h('span', { class: 'triage-field' }, [h('label', { text: label, attrs: { for: select.id } }), select]);
    this.element = h('div', { class: 'triage', attrs: { role: 'group', 'aria-label': '筛选告警' } }, [
      field('级别', this.level),
      field('经办人', this.handler),
      field('环节', this.step),
      field('排序', this.sort),
      this.summary,
    ]);
    for (const select of [this.level, this.handler, this.step]) select.addEventListener('change', () => this.apply());
    this.sort.addEventListener('change', () => this.order());
  }

  private items(): HTMLLIElement[] {
    return [...this.list.querySelectorAll<HTMLLIElement>(':scope > .item--alert')];
  }

  /** Options with their counts (of open alerts), keeping what is chosen. */
  refresh(): void {
    const open = this.items().filter((li) => !li.classList.contains('item--closed'));
    const count = (key: 'level' | 'handler' | 'step') => {
      const counts = new Map<string, { name: string; n: number }>();
      for (const li of open) {
        const value = li.dataset[key] ?? '';
        const entry = counts.get(value) ?? { name: li.dataset[`${key}Name`] ?? value, n: 0 };
        entry.n++;
        counts.set(value, entry);
      }
      return counts;
    };
    const levels = count('level');
    const handlers = count('handler');
    const fillSelect = (select: HTMLSelectElement, all: string, counts: Map<string, { name: string; n: number }>, order?: string[]) => {
      const chosen = select.value;
      const keys = order ? order.filter((k) => counts.has(k)) : [...counts.keys()].sort((a, b) => counts.get(b)!.n - counts.get(a)!.n || counts.get(a)!.name.localeCompare(counts.get(b)!.name, 'zh-CN'));
      fill(select, [
        h('option', { text: `${all}（${open.length}）`, attrs: { value: '' } }),
        ...keys.map((k) => h('option', { text: `${counts.get(k)!.name}（${counts.get(k)!.n}）`, attrs: { value: k } })),
        // a choice whose alerts have all gone stays selectable, at 0, rather than silently showing everything
        chosen && !counts.has(chosen) ? h('option', { text: `${select.selectedOptions[0]?.text.replace(/（\d+）$/, '') ?? chosen}（0）`, attrs: { value: chosen } }) : null,
      ]);
      select.value = chosen;
    };
    fillSelect(this.level, '全部级别', levels, ['overdue', 'warning']);
    fillSelect(this.handler, '全部经办人', handlers);
    fillSelect(this.step, '全部环节', count('step'));
    const byLevel = ['overdue', 'warning'].filter((l) => levels.has(l)).map((l) => `${levels.get(l)!.name} ${levels.get(l)!.n}`);
    const byHandler = [...handlers.values()].sort((a, b) => b.n - a.n).map((e) => `${e.name} ${e.n}`);
    this.summary.textContent = open.length === 0 ? '' : `${byLevel.join(' · ')}；按经办人：${byHandler.join(' · ')}`;
    this.apply();
  }

  /** Shows the items that match every filter; says how many when some are hidden. */
  apply(): void {
    let shown = 0;
    const items = this.items();
    for (const li of items) {
      const match =
        (!this.level.value || li.dataset.level === this.level.value) &&
        (!this.handler.value || li.dataset.handler === this.handler.value) &&
        (!this.step.value || li.dataset.step === this.step.value);
      li.hidden = !match;
      if (match) shown++;
    }
    this.list.dataset.filtered = String(shown < items.length);
    this.list.dataset.shown = String(shown);
  }

  /** Sorts by age when asked (new alerts arriving live are added at the end, so nothing moves under the reader). */
  order(): void {
    const sort = this.sort.value as AlertSort;
    const items = this.items().sort((a, b) => (Number(a.dataset.raised) - Number(b.dataset.raised)) * (sort === 'oldest' ? 1 : -1));
    this.list.append(...items);
  }
}

export class QueueView {
  readonly element: HTMLElement;
  private readonly triage: AlertTriage;
  private readonly lists: Record<Kind, HTMLUListElement>;
  private readonly counts: Record<Kind, HTMLElement>;
  private readonly items = new Map<string, Item>();
  private readonly consultColumn: HTMLElement;
  private readonly risks: RiskColumn;

  constructor(private readonly ctx: QueueContext) {
    const column = (kind: Kind, title: string, hint: string, tools: (list: HTMLUListElement) => HTMLElement | null = () => null) => {
      const list = h('ul', { class: 'queue-list', attrs: { 'aria-labelledby': `queue-${kind}-title` }, dataset: { kind } });
      const count = h('span', { class: 'queue-count', text: '0' });
      const section = h('section', { class: `queue-col queue-col--${kind}` }, [
        h('h2', { attrs: { id: `queue-${kind}-title` } }, [title, ' ', count]),
        h('p', { class: 'queue-hint', text: hint }),
        tools(list),
        list,
      ]);
      return { list, count, section };
    };
    const hurries = column('hurry', '催办', '客户的催办请求：确认收到，再回复客户（短信送达）。');
    let triage: AlertTriage | null = null;
    const alerts = column('alert', '时限告警', '超期告警须提交情况说明后才会移出队列；预警只是提醒，环节办完后自动移出。点“详情”查看时间和填写说明。', (list) => {
      triage = new AlertTriage(list);
      return triage.element;
    });
    this.triage = triage!;
    const consults = column('consult', '转人工咨询', '客户在对话中要求人工服务。');
    this.lists = { hurry: hurries.list, alert: alerts.list, consult: consults.list };
    this.counts = { hurry: hurries.count, alert: alerts.count, consult: consults.count };
    this.consultColumn = consults.section;
    this.risks = new RiskColumn({ openApplication: (no) => ctx.openApplication(no), onUnauthorized: () => ctx.onUnauthorized(), onFresh: () => ctx.onFresh(this.freshCount, true) });
    this.element = h('div', { class: 'queue' }, [
      h('div', { class: 'queue-head' }, [
        h('h1', { class: 'page-title', text: '待办队列' }),
        h('button', { class: 'secondary', text: '全部标为已读', attrs: { type: 'button' }, on: { click: () => this.markAllSeen() } }),
      ]),
      h('div', { class: 'queue-cols' }, [hurries.section, alerts.section, consults.section, this.risks.section]),
    ]);
  }

  get freshCount(): number {
    let n = 0;
    for (const item of this.items.values()) if (item.fresh) n++;
    return n;
  }

  /** The whole queue as the server has it now (first load, reconnect, reload). */
  load(queue: Queue): void {
    this.items.clear();
    for (const list of Object.values(this.lists)) list.replaceChildren();
    for (const hurry of queue.hurries) this.hurry(hurry, false);
    for (const alert of queue.alerts) this.alert(alert, false);
    for (const consult of queue.consults) this.consult(consult, false);
    this.triage.order();
    this.risks.load(queue.risks);
    const me = this.ctx.me();
    this.consultColumn.hidden = !(queue.consults.length > 0 || me?.role === 'team_lead' || me?.role === 'admin');
    this.refreshCounts();
    this.ctx.onFresh(this.freshCount, false);
  }

  private refreshCounts(): void {
    for (const kind of Object.keys(this.lists) as Kind[]) {
      const open = this.lists[kind].querySelectorAll('.item:not(.item--closed)').length;
      this.counts[kind].textContent = String(open);
      this.lists[kind].dataset.empty = String(this.lists[kind].children.length === 0);
    }
    this.triage.refresh();
  }

  private place(kind: Kind, id: string, element: HTMLLIElement, live: boolean, isNewNews: boolean): void {
    const key = `${kind}:${id}`;
    const existing = this.items.get(key);
    const fresh = live && isNewNews ? true : (existing?.fresh ?? false);
    element.classList.toggle('item--fresh', fresh);
    element.addEventListener('pointerdown', () => this.seen(key));
    element.addEventListener('focusin', () => this.seen(key));
    if (existing) existing.element.replaceWith(element);
    else this.lists[kind].append(element);
    this.items.set(key, { element, fresh });
    this.refreshCounts();
    if (live) this.ctx.onFresh(this.freshCount, fresh && !existing?.fresh);
  }

  private seen(key: string): void {
    const item = this.items.get(key);
    if (!item?.fresh) return;
    item.fresh = false;
    item.element.classList.remove('item--fresh');
    this.ctx.onFresh(this.freshCount, false);
  }

  markAllSeen(): void {
    for (const key of this.items.keys()) this.seen(key);
  }

  private remove(key: string): void {
    const item = this.items.get(key);
    if (!item) return;
    item.element.remove();
    this.items.delete(key);
    this.refreshCounts();
    this.ctx.onFresh(this.freshCount, false);
  }

  /** Kept in place but shown as closed: a live change must not pull the list from under the reader. */
  private close(key: string, note: string): void {
    const item = this.items.get(key);
    if (!item) return;
    item.element.classList.add('item--closed');
    for (const control of item.element.querySelectorAll<HTMLButtonElement | HTMLTextAreaElement>('button:not(.link), textarea')) control.disabled = true;
    const status = item.element.querySelector('.item-status');
    if (status) status.textContent = note;
    item.fresh = false;
    this.refreshCounts();
    this.ctx.onFresh(this.freshCount, false);
  }

  // ---- hurries ----------------------------------------------------------------------------

  hurry(hurry: Hurry, live = true): void {
    const key = `hurry:${hurry.id}`;
    const previous = this.items.get(key)?.element;
    const before = previous?.dataset.status;
    const news = !previous || ((hurry.status === 'open' || hurry.status === 'escalated') && (before !== hurry.status || previous.dataset.count !== String(hurry.count)));
    const draft = previous?.querySelector('textarea')?.value ?? '';
    const hadFocus = previous?.contains(document.activeElement) && document.activeElement instanceof HTMLTextAreaElement;
    const element = this.hurryItem(hurry, draft);
    this.place('hurry', hurry.id, element, live, news);
    if (hadFocus) element.querySelector('textarea')?.focus();
  }

  private hurryItem(hurry: Hurry, draft: string): HTMLLIElement {
    const answered = hurry.status === 'answered';
    const status = hurry.status === 'escalated' && hurry.escalationReason ? `已督办（${nameOf(escalationReasons, hurry.escalationReason)}）` : nameOf(hurryStatusNames, hurry.status);
    const ack = h('button', {
      class: 'secondary',
      text: hurry.ackAt ? '已确认收到' : '确认收到',
      attrs: { type: 'button', disabled: hurry.ackAt !== null || answered, 'aria-label': `确认收到催办 ${hurry.id}` },
    });
    const element = h('li', { class: `item item--hurry item--${hurry.status}`, dataset: { id: hurry.id, status: hurry.status, count: String(hurry.count) } });
    const reply = textForm({
      id: `reply-${hurry.id}`,
      label: '回复客户',
      button: '发送回复',
      placeholder: '例如：已安排明天上午审核，审核后短信告知您。',
      onSubmit: (text, done) => {
        call<{ hurry: Hurry }>('POST', `/api/v1/staff/hurries/${encodeURIComponent(hurry.id)}/reply`, { body: { text } })
          .then((r) => {
            done('已回复。', true);
            // an answered item has no form left (the live frame may have redrawn it already): this is idempotent
            this.hurry(r.hurry, false);
          })
          .catch((error) => done(failure(error, this.ctx), false));
      },
    });
    reply.area.value = draft;
    const ackMessage = h('span', { class: 'form-message', attrs: { role: 'status' } });
    ack.addEventListener('click', () => {
      ack.disabled = true;
      call<{ hurry: Hurry }>('POST', `/api/v1/staff/hurries/${encodeURIComponent(hurry.id)}/ack`)
        .then((r) => this.hurry(r.hurry, false))
        .catch((error) => {
          ack.disabled = false;
          fill(ackMessage, [failure(error, this.ctx)]);
        });
    });
    fill(element, [
      h('div', { class: 'item-head' }, [
        h('span', { class: 'fresh-mark', text: '新', attrs: { 'aria-label': '新消息' } }),
        h('strong', { class: 'item-title', text: `催办 ${hurry.id}` }),
        h('span', { class: `item-status status--${hurry.status}`, text: status }),
        h('span', { class: 'item-count', text: hurry.count > 1 ? `第 ${hurry.count} 次` : '' }),
      ]),
      h('p', { class: 'item-meta' }, ['申请 ', appLink(hurry.applicationNo, this.ctx), ` · ${hurry.stepName} · ${nameOf(channelNames, hurry.channel)} · ${shortInstant(hurry.createdAt)}`]),
      h('blockquote', { class: `item-message${hurry.message ? '' : ' item-message--none'}`, text: hurry.message ?? '（客户未留言）' }),
      h('p', { class: 'item-reply', text: hurry.reply ? `已回复（${shortInstant(hurry.answeredAt)}）：${hurry.reply}` : '' }),
      // answered: nothing left to do here, and no second copy of the answer in a disabled box
      answered ? h('p', { class: 'item-note', text: `${replyRoute(hurry.channel)}。` }) : null,
      answered ? null : h('div', { class: 'item-actions' }, [ack, ackMessage]),
      answered ? null : reply.form,
    ]);
    return element;
  }

  // ---- alerts -----------------------------------------------------------------------------

  alert(alert: Alert, live = true): void {
    const key = `alert:${alert.id}`;
    if (alert.explainedAt !== null) {
      // explained elsewhere (a team lead, another desk): closed in place; gone on the next load
      if (this.items.has(key)) this.close(key, `已说明：${alert.explanation ?? ''}`);
      return;
    }
    const previous = this.items.get(key)?.element;
    const draft = previous?.querySelector('textarea')?.value ?? '';
    const element = this.alertItem(alert, draft);
    this.place('alert', alert.id, element, live, !previous);
  }

  private alertItem(alert: Alert, draft: string): HTMLLIElement {
    const level = nameOf(alertLevelNames, alert.level);
    const element = h('li', {
      class: `item item--alert item--compact item--${alert.level}`,
      dataset: {
        id: alert.id,
        level: alert.level,
        levelName: level,
        handler: alert.handlerId ?? '',
        handlerName: alertHandler(alert),
        step: alert.stepCode ?? '',
        stepName: alert.stepCode === null ? '整体时限' : (alert.stepName ?? alert.stepCode),
        raised: String(Date.parse(alert.raisedAt)),
      },
    });
    const explain = textForm({
      id: `explain-${alert.id}`,
      label: '情况说明',
      button: '提交说明',
      placeholder: '例如：客户图纸需补正，已于 11 月 25 日通知客户。',
      onSubmit: (text, done) => {
        call<{ alert: Alert }>('POST', `/api/v1/staff/alerts/${encodeURIComponent(alert.id)}/explanation`, { body: { text } })
          .then(() => {
            done('已提交。', true);
            this.remove(`alert:${alert.id}`);
          })
          .catch((error) => done(failure(error, this.ctx), false));
      },
    });
    explain.area.value = draft;
    const key = `alert:${alert.id}`;
    const detailsId = `alert-details-${alert.id}`;
    const open = this.triage.open.has(key) || draft !== '';
    const details = h('div', { class: 'item-details', attrs: { id: detailsId, hidden: !open } }, [
      h('p', { class: 'item-meta' }, [`应完成 ${fullInstant(alert.dueAt)} · 告警于 ${fullInstant(alert.raisedAt)}`]),
      // a warning asks for nothing: it leaves the queue when the step is done
      alert.level === 'overdue' ? explain.form : h('p', { class: 'item-note', text: '预警只是提醒，无需填写说明；环节办完后自动移出队列。' }),
    ]);
    const toggle = h('button', {
      class: 'secondary item-toggle',
      text: open ? '收起' : '详情',
      attrs: { type: 'button', 'aria-expanded': String(open), 'aria-controls': detailsId, 'aria-label': `${open ? '收起' : '展开'}告警详情：申请 ${alert.applicationNo} ${alertStep(alert)}` },
    });
    toggle.addEventListener('click', () => {
      const show = details.hidden;
      details.hidden = !show;
      if (show) this.triage.open.add(key);
      else this.triage.open.delete(key);
      toggle.textContent = show ? '收起' : '详情';
      toggle.setAttribute('aria-expanded', String(show));
      toggle.setAttribute('aria-label', `${show ? '收起' : '展开'}告警详情：申请 ${alert.applicationNo} ${alertStep(alert)}`);
      if (show && alert.level === 'overdue') explain.area.focus();
    });
    // how long it has waited: since due for an overdue step, since raised for a warning
    const since = alert.level === 'overdue' && alert.dueAt ? Date.parse(alert.dueAt) : Date.parse(alert.raisedAt);
    fill(element, [
      h('div', { class: 'item-head' }, [
        h('span', { class: 'fresh-mark', text: '新', attrs: { 'aria-label': '新消息' } }),
        h('strong', { class: `item-title level--${alert.level}`, text: `${level}告警` }),
        h('span', { class: 'item-status', text: alert.level === 'overdue' ? '待说明' : '提醒' }),
        h('span', { class: 'item-age', text: alert.level === 'overdue' ? `已超期 ${ageText(Date.now() - since)}` : `${ageText(Date.now() - since)}前预警` }),
        toggle,
      ]),
      h('p', { class: 'item-meta' }, [
        '申请 ',
        appLink(alert.applicationNo, this.ctx),
        ` · ${alertStep(alert)} · 经办人 ${alertHandler(alert)}`,
      ]),
      details,
    ]);
    return element;
  }

  /** A risk item changed (raised, reopened, closed): drawn in its tier's place. */
  risk(item: RiskItem): void {
    this.risks.upsert(item);
  }

  // ---- consults ---------------------------------------------------------------------------

  consult(consult: Consult, live = true): void {
    const key = `consult:${consult.id}`;
    if (consult.status === 'closed') {
      if (this.items.has(key)) this.close(key, '已关闭');
      return;
    }
    this.consultColumn.hidden = false;
    const previous = this.items.get(key)?.element;
    const draft = previous?.querySelector('textarea')?.value ?? '';
    const element = h('li', { class: 'item item--consult', dataset: { id: consult.id } });
    const closeForm = textForm({
      id: `close-${consult.id}`,
      label: '处理记录',
      button: '关闭咨询',
      placeholder: '例如：已电话联系客户并解答。',
      onSubmit: (note, done) => {
        call<{ consult: Consult }>('POST', `/api/v1/staff/consults/${encodeURIComponent(consult.id)}/close`, { body: { note } })
          .then(() => {
            done('已关闭。', true);
            this.remove(key);
          })
          .catch((error) => done(failure(error, this.ctx), false));
      },
    });
    closeForm.area.value = draft;
    fill(element, [
      h('div', { class: 'item-head' }, [
        h('span', { class: 'fresh-mark', text: '新', attrs: { 'aria-label': '新消息' } }),
        h('strong', { class: 'item-title', text: `咨询 ${consult.id}` }),
        h('span', { class: 'item-status', text: nameOf(channelNames, consult.channel) }),
      ]),
      h('p', { class: 'item-meta' }, [
        consult.applicationNo ? appLink(consult.applicationNo, this.ctx) : '未绑定申请',
        ` · 户号 ${consult.accountNo ?? '—'} · ${shortInstant(consult.createdAt)}`,
      ]),
      h('blockquote', { class: 'item-message', text: consult.text }),
      closeForm.form,
    ]);
    this.place('consult', consult.id, element, live, !previous);
  }
}

export async function fetchQueue(): Promise<Queue> {
  return call<Queue>('GET', '/api/v1/staff/queue');
}
