// One application as staff see it: facts, the plan and a re-plan form, the timeline with handlers, the notices sent
// (with their delivery status), the hurries and the alerts.
import { ApiError, call } from '../shared/api.ts';
import type { StaffApplication } from '../shared/contract.ts';
import { fill, h } from '../shared/dom.ts';
import { fullInstant, longDate, statusNames } from '../shared/format.ts';
import { timeline } from '../shared/timeline.ts';
import { signalList } from './risk-items.ts';
import { alertLevelNames, channelNames, deliveryNames, escalationReasons, hurryStatusNames, nameOf, noticeKindNames } from './labels.ts';

export interface DetailContext {
  onUnauthorized(): void;
}

function table(caption: string, headers: string[], rows: (string | Node)[][], empty: string): HTMLElement {
  if (rows.length === 0) return h('div', { class: 'table-block' }, [h('h3', { text: caption }), h('p', { class: 'muted', text: empty })]);
  return h('div', { class: 'table-block' }, [
    h('table', { class: 'data' }, [
      h('caption', { text: caption }),
      h('thead', {}, [h('tr', {}, headers.map((name) => h('th', { text: name, attrs: { scope: 'col' } })))]),
      h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((cell) => h('td', {}, [cell]))))),
    ]),
  ]);
}

const pill = (kind: string, text: string) => h('span', { class: `pill pill--${kind}`, text });

/** The application's complaint-risk item with each signal and its source, and its satisfaction follow-up (回访). */
function riskBlock(data: StaffApplication): HTMLElement {
  const risk = data.risk;
  const rating = data.rating;
  const ratingText = !rating
    ? '尚未接电，未发出回访。'
    : rating.score === null
      ? `已于 ${fullInstant(rating.askedAt)} 发出回访，客户尚未评价。`
      : `${rating.score} 分${rating.comment ? `：${rating.comment}` : ''}（${fullInstant(rating.ratedAt)}，${nameOf(channelNames, rating.channel ?? '')}）`;
  return h('div', { class: 'table-block risk-block', attrs: { id: 'detail-risk' } }, [
    h('h3', { text: '投诉风险' }),
    risk
      ? h('div', {}, [
          h('p', {}, [pill(`risk-${risk.tier}`, `${risk.tierName}`), ` ${risk.id} · ${risk.status === 'open' ? '待处理' : `已关闭：${risk.note ?? ''}`}`]),
          signalList(risk),
        ])
      : h('p', { class: 'muted', text: '没有投诉风险。' }),
    h('h3', { text: '满意度回访' }),
    h('p', { attrs: { id: 'detail-rating' }, text: ratingText }),
  ]);
}

export function detailView(applicationNo: string, ctx: DetailContext): HTMLElement {
  const element = h('section', { class: 'detail', attrs: { 'aria-labelledby': 'detail-title', 'aria-busy': 'true' } }, [
    h('h1', { class: 'page-title', text: `申请 ${applicationNo}`, attrs: { id: 'detail-title' } }),
    h('p', { class: 'muted', text: '正在读取…' }),
  ]);

  async function load(message: string | null = null): Promise<void> {
    try {
      const data = await call<StaffApplication>('GET', `/api/v1/staff/applications/${encodeURIComponent(applicationNo)}`);
      render(data, message);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return ctx.onUnauthorized();
      const text = error instanceof ApiError && error.status === 404 ? `没有您可以查看的申请 ${applicationNo}。` : '读取失败，请稍后再试。';
      fill(element, [h('h1', { class: 'page-title', text: `申请 ${applicationNo}`, attrs: { id: 'detail-title' } }), h('p', { class: 'form-message form-message--error', text, attrs: { role: 'alert' } })]);
    } finally {
      element.removeAttribute('aria-busy');
    }
  }

  function render(data: StaffApplication, message: string | null): void {
    const view = data.application;
    const stepNames = new Map(view.steps.map((step) => [step.code, step.name]));
    const dateInput = h('input', { attrs: { id: 'replan-date', type: 'date', value: view.requestedConnectDate ?? '' } });
    const replanButton = h('button', { class: 'primary', text: '重新排期', attrs: { type: 'submit' } });
    const replanMessage = h('p', { class: 'form-message form-message--ok', text: message ?? '', attrs: { role: 'status', 'aria-live': 'polite' } });
    const replan = h('form', { class: 'replan', attrs: { 'aria-label': '按新的申请接电日期重新排期' } }, [
      h('label', { text: '新的申请接电日期', attrs: { for: 'replan-date' } }),
      dateInput,
      replanButton,
      h('span', { class: 'muted', text: '留空：不指定日期，按常规工期排。客户会收到新的计划。' }),
      replanMessage,
    ]);
    replan.addEventListener('submit', async (event) => {
      event.preventDefault();
      replanButton.disabled = true;
      try {
        const reply = await call<{ application: StaffApplication['application'] }>('POST', `/api/v1/staff/applications/${encodeURIComponent(applicationNo)}/plan`, {
          body: { requestedConnectDate: dateInput.value || null },
        });
        const a = reply.application;
        const feasible = a.plan.feasible ? '可以按期完成' : `无法按期完成，最早 ${longDate(a.plan.earliestFeasibleDate)}`;
        await load(`已重新排期：预计接电 ${longDate(a.expectedConnectDate)}（${feasible}）。`);
      } catch (error) {
        replanButton.disabled = false;
        if (error instanceof ApiError && error.status === 401) return ctx.onUnauthorized();
        replanMessage.className = 'form-message form-message--error';
        fill(replanMessage, [
          error instanceof ApiError && error.code === 'JD_NOT_ACTIVE' ? '申请不在办理中，不能重新排期。' : error instanceof ApiError && error.status === 400 ? '这个日期不能用于排期，请换一个日期。' : '重新排期没有成功。',
        ]);
      }
    });

    const plan = view.plan.feasible
      ? pill('ok', view.requestedConnectDate ? '可按申请日期完成' : '按常规工期')
      : pill('warn', `申请日期不可行，最早 ${longDate(view.plan.earliestFeasibleDate)}`);
    const facts: [string, string | Node][] = [
      ['客户', view.customerName],
      ['户号', view.accountNo],
      ['业务', view.processName],
      ['状态', statusNames[view.status] ?? view.status],
      ['受理时间', fullInstant(view.acceptedAt)],
      ['申请接电日期', view.requestedConnectDate ? longDate(view.requestedConnectDate) : '未指定'],
      ['预计接电日期', longDate(view.expectedConnectDate)],
      ['计划', plan],
    ];

    fill(element, [
      h('div', { class: 'detail-head' }, [
        h('h1', { class: 'page-title', text: `申请 ${view.applicationNo}`, attrs: { id: 'detail-title' } }),
        h('button', { class: 'secondary', text: '刷新', attrs: { type: 'button', 'aria-label': '刷新申请详情' }, on: { click: () => void load() } }),
        h('a', { class: 'secondary', text: '返回队列', attrs: { href: '#/queue' } }),
      ]),
      h('dl', { class: 'facts' }, facts.flatMap(([name, value]) => [h('dt', { text: name }), h('dd', {}, [value])])),
      replan,
      h('div', { class: 'detail-grid' }, [
        h('div', { class: 'detail-steps' }, [h('h2', { text: '办理环节' }), timeline(view, { showHandlers: true })]),
        h('div', { class: 'detail-records' }, [
          table(
            '通知',
            ['时间', '类型', '对象', '渠道', '号码/账号', '状态', '尝试', '送达', '内容'],
            data.notifications.map((n) => [
              fullInstant(n.createdAt),
              nameOf(noticeKindNames, n.kind),
              n.recipient === 'customer' ? '客户' : '员工',
              nameOf(channelNames, n.channel),
              n.address,
              pill(n.status, nameOf(deliveryNames, n.status) + (n.lastError ? `（${n.lastError}）` : '')),
              String(n.attempts),
              n.deliveredAt ? fullInstant(n.deliveredAt) : n.sentAt ? `已发 ${fullInstant(n.sentAt)}` : '—',
              h('span', { class: 'cell-text', text: n.text }),
            ]),
            '还没有发出通知。',
          ),
          table(
            '催办',
            ['编号', '环节', '渠道', '客户留言', '状态', '次数', '时间', '回复'],
            data.hurries.map((x) => [
              x.id,
              x.stepName,
              nameOf(channelNames, x.channel),
              h('span', { class: 'cell-text', text: x.message ?? '—' }),
              pill(x.status, x.status === 'escalated' && x.escalationReason ? `已督办（${nameOf(escalationReasons, x.escalationReason)}）` : nameOf(hurryStatusNames, x.status)),
              String(x.count),
              fullInstant(x.createdAt),
              h('span', { class: 'cell-text', text: x.reply ?? '—' }),
            ]),
            '没有催办。',
          ),
          table(
            '告警',
            ['级别', '环节', '经办人', '应完成', '告警时间', '情况说明'],
            data.alerts.map((a) => [
              pill(a.level, nameOf(alertLevelNames, a.level)),
              a.stepCode ? (a.stepName ?? stepNames.get(a.stepCode) ?? a.stepCode) : '整体时限',
              a.handlerName ?? a.handlerId ?? '—',
              fullInstant(a.dueAt),
              fullInstant(a.raisedAt),
              h('span', { class: 'cell-text', text: a.explanation ? `${a.explanation}（${fullInstant(a.explainedAt)}）` : '待说明' }),
            ]),
            '没有告警。',
          ),
          table(
            '免打扰',
            ['渠道', '号码/账号', '设置于', '设置时间', '状态'],
            data.mutes.map((m) => [
              m.channel === '*' ? '全部渠道' : nameOf(channelNames, m.channel),
              m.address === '*' ? '客户的全部号码和账号' : m.address,
              nameOf(channelNames, m.source),
              fullInstant(m.mutedAt),
              m.unmutedAt ? pill('ok', `已恢复通知（${fullInstant(m.unmutedAt)}）`) : pill('warn', '不再通知（催办答复和验证码照发）'),
            ]),
            '客户没有对本申请设置免打扰。',
          ),
          riskBlock(data),
        ]),
      ]),
    ]);
  }

  void load();
  return element;
}
