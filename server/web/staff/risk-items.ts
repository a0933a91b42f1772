// Complaint-risk items (投诉风险预警) in the live queue and on the application page: the tier, why (each signal with
// its time and source), and closing with a handling note (回访/处理说明). Open items stay sorted by tier, then age.
import { ApiError, call } from '../shared/api.ts';
import type { RiskItem } from '../shared/contract.ts';
import { fill, h } from '../shared/dom.ts';
import { shortInstant } from '../shared/format.ts';
import { channelNames, nameOf } from './labels.ts';

const tierRank: Record<string, number> = { urgent: 0, warning: 1, watch: 2 };
export const signalKindNames: Record<string, string> = { hurry: '催办', consult: '转人工', progress_question: '询问进度', complaint: '投诉言辞', rating: '满意度评价', limit: '总时限' };
const sourceNames: Record<string, string> = { ...channelNames, system: '系统' };

/** Each signal: when, where from, what it was and which rules it set off. */
export function signalList(item: RiskItem): HTMLElement {
  return h(
    'ul',
    { class: 'risk-signals' },
    item.signals.map((s) =>
      h('li', {}, [
        `${shortInstant(s.at)} · ${nameOf(sourceNames, s.source)} · ${nameOf(signalKindNames, s.kind)}`,
        s.stepName ? ` · ${s.stepName}${s.stepOverdue ? '（已超期）' : ''}` : '',
        s.ruleNames.length ? h('strong', { text: ` → ${s.ruleNames.join('、')}` }) : '',
        s.detail ? h('span', { class: 'risk-detail', text: `：${s.detail}` }) : '',
      ]),
    ),
  );
}

export class RiskColumn {
  readonly section: HTMLElement;
  readonly count: HTMLElement;
  private readonly list: HTMLUListElement;

  constructor(private readonly ctx: { openApplication(applicationNo: string): void; onUnauthorized(): void; onFresh(): void }) {
    this.list = h('ul', { class: 'queue-list', attrs: { 'aria-labelledby': 'queue-risk-title' }, dataset: { kind: 'risk' } });
    this.count = h('span', { class: 'queue-count', text: '0' });
    this.section = h('section', { class: 'queue-col queue-col--risk' }, [
      h('h2', { attrs: { id: 'queue-risk-title' } }, ['投诉风险', ' ', this.count]),
      h('p', { class: 'queue-hint', text: '可能引发投诉的申请：联系客户后填写处理说明方可关闭。' }),
      this.list,
    ]);
  }

  load(items: RiskItem[]): void {
    this.list.replaceChildren(...items.map((item) => this.element(item, false)));
    this.refresh();
  }

  /** A live change: redrawn in place, or placed by tier and age. */
  upsert(item: RiskItem): void {
    const existing = this.list.querySelector<HTMLLIElement>(`li[data-id="${CSS.escape(item.id)}"]`);
    const draft = existing?.querySelector('textarea')?.value ?? '';
    const element = this.element(item, true, draft);
    existing?.remove();
    if (item.status === 'closed') {
      if (existing) this.list.append(element);
      this.refresh();
      return;
    }
    const after = [...this.list.querySelectorAll<HTMLLIElement>('li.item')].find(
      (li) => li.dataset.status === 'closed' || (tierRank[li.dataset.tier!] ?? 9) > tierRank[item.tier]! || ((tierRank[li.dataset.tier!] ?? 9) === tierRank[item.tier] && li.dataset.raised! > item.raisedAt),
    );
    this.list.insertBefore(element, after ?? null);
    this.refresh();
    this.ctx.onFresh();
  }

  private refresh(): void {
    this.count.textContent = String(this.list.querySelectorAll('.item:not(.item--closed)').length);
    this.list.dataset.empty = String(this.list.children.length === 0);
  }

  private element(item: RiskItem, fresh: boolean, draft = ''): HTMLLIElement {
    const closed = item.status === 'closed';
    const element = h('li', {
      class: `item item--risk item--risk-${item.tier}${closed ? ' item--closed' : ''}${fresh && !closed ? ' item--fresh' : ''}`,
      dataset: { id: item.id, tier: item.tier, status: item.status, raised: item.raisedAt },
    });
    // read once touched, as the other queue items
    for (const event of ['pointerdown', 'focusin']) element.addEventListener(event, () => element.classList.remove('item--fresh'));
    const area = h('textarea', { attrs: { id: `risk-note-${item.id}`, rows: 2, maxlength: 1000, placeholder: '谁于何时联系了客户，约定了什么。' } });
    area.value = draft;
    const button = h('button', { class: 'primary', text: '关闭风险', attrs: { type: 'submit' } });
    const message = h('p', { class: 'form-message', attrs: { role: 'status', 'aria-live': 'polite' } });
    const form = h('form', { class: 'item-form' }, [h('label', { text: '处理说明（回访情况）', attrs: { for: area.id } }), area, h('div', { class: 'item-form-row' }, [button, message])]);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const note = area.value.trim();
      if (!note) {
        fill(message, ['请先填写处理说明：谁联系了客户、约定了什么。']);
        message.className = 'form-message form-message--error';
        area.focus();
        return;
      }
      button.disabled = true;
      call<{ risk: RiskItem }>('POST', `/api/v1/staff/risks/${encodeURIComponent(item.id)}/close`, { body: { note } })
        .then((r) => this.upsert(r.risk))
        .catch((error) => {
          button.disabled = false;
          if (error instanceof ApiError && error.status === 401) this.ctx.onUnauthorized();
          fill(message, [error instanceof ApiError && error.status === 409 ? '该风险已由他人关闭。' : '关闭没有成功，请稍后再试。']);
          message.className = 'form-message form-message--error';
        });
    });
    fill(element, [
      h('div', { class: 'item-head' }, [
        h('span', { class: 'fresh-mark', text: '新', attrs: { 'aria-label': '新消息' } }),
        h('strong', { class: `item-title tier--${item.tier}`, text: `${item.tierName} ${item.id}` }),
        h('span', { class: 'item-status', text: closed ? '已关闭' : '待处理' }),
      ]),
      h('p', { class: 'item-meta' }, [
        '申请 ',
        h('button', { class: 'link', text: item.applicationNo, attrs: { type: 'button', 'aria-label': `查看申请 ${item.applicationNo}` }, on: { click: () => this.ctx.openApplication(item.applicationNo) } }),
        ` · ${item.customerName ?? ''} · 经办人 ${item.handlerName ?? '未指派'} · 提升于 ${shortInstant(item.raisedAt)}`,
        item.handleBy ? ` · 须于 ${shortInstant(item.handleBy)} 前处理` : '',
        item.overdue ? h('strong', { class: 'item-overdue', text: ' · 已超期' }) : '',
      ]),
      signalList(item),
      closed ? h('p', { class: 'item-reply', text: `处理说明：${item.note ?? ''}` }) : form,
    ]);
    return element;
  }
}
