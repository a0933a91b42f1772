// Risk statistics (GET /api/v1/stats/risk) on the statistics page: per team or handler, items by tier and signal,
// time to close, satisfaction and repeat contacts, as a table, two charts and CSV.
import { ApiError, call } from '../shared/api.ts';
import type { RiskStatsRow } from '../shared/contract.ts';
import { fill, h } from '../shared/dom.ts';
import { todayIn } from '../shared/format.ts';
import { riskRuleLabels, riskRuleNames } from '../../domain/risk.ts';

const groupNames = { team: '按班组', handler: '按经办人' } as const;
type Group = keyof typeof groupNames;
const percent = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
const num = (value: number | null, digits = 1) => (value === null ? '—' : value.toFixed(digits));

function monthStart(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

export function riskStatsView(ctx: { onUnauthorized(): void; timeZone: string }): HTMLElement {
  const today = todayIn(ctx.timeZone);
  const from = h('input', { attrs: { id: 'risk-from', type: 'date', value: monthStart(today), required: true } });
  const to = h('input', { attrs: { id: 'risk-to', type: 'date', value: today, required: true } });
  const group = h('select', { attrs: { id: 'risk-group' } }, (Object.keys(groupNames) as Group[]).map((g) => h('option', { text: groupNames[g], attrs: { value: g } })));
  const submit = h('button', { class: 'primary', text: '查询风险统计', attrs: { type: 'submit' } });
  const csv = h('a', { class: 'secondary', text: '下载 CSV', attrs: { id: 'risk-csv', 'aria-label': '下载风险统计的 CSV 文件' } });
  const message = h('p', { class: 'form-message', attrs: { role: 'status', 'aria-live': 'polite' } });
  const tiersChart = h('div', { class: 'chart', attrs: { id: 'chart-risk-tiers', role: 'img', 'aria-label': '风险工单按级别与重复来访率' } });
  const satisfactionChart = h('div', { class: 'chart', attrs: { id: 'chart-satisfaction', role: 'img', 'aria-label': '平均满意度、4-5分占比与评价率' } });
  const tableBox = h('div', { class: 'risk-stats-table' });
  const form = h('form', { class: 'stats-form', attrs: { 'aria-label': '风险统计条件' } }, [
    h('label', { text: '起始日', attrs: { for: 'risk-from' } }),
    from,
    h('label', { text: '截止日', attrs: { for: 'risk-to' } }),
    to,
    h('label', { text: '汇总维度', attrs: { for: 'risk-group' } }),
    group,
    submit,
    csv,
  ]);
  const query = () => new URLSearchParams({ from: from.value, to: to.value, groupBy: group.value });
  const updateCsv = () => {
    const params = query();
    params.set('format', 'csv');
    csv.setAttribute('href', `/api/v1/stats/risk?${params}`);
    csv.setAttribute('download', `risk-${group.value}-${from.value}-${to.value}.csv`);
  };

  async function load(): Promise<void> {
    updateCsv();
    submit.disabled = true;
    try {
      const { rows } = await call<{ rows: RiskStatsRow[] }>('GET', `/api/v1/stats/risk?${query()}`);
      fill(message, [rows.length === 0 ? '这段时间没有风险数据。' : `共 ${rows.length} 行，${groupNames[group.value as Group]}。`]);
      message.className = 'form-message';
      renderTable(rows);
      const charts = await import('./risk-charts.ts');
      charts.drawRisk(tiersChart, satisfactionChart, rows);
      new ResizeObserver(() => charts.resizeRiskCharts(tiersChart, satisfactionChart)).observe(tiersChart);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return ctx.onUnauthorized();
      message.className = 'form-message form-message--error';
      fill(message, [error instanceof ApiError && error.status === 400 ? `条件不正确：${error.message}` : '统计失败，请稍后再试。']);
    } finally {
      submit.disabled = false;
    }
  }

  function renderTable(rows: RiskStatsRow[]): void {
    // every signal rule, as the CSV has them
    const headers = ['名称', '风险工单', '紧急', '预警', '关注', ...riskRuleNames.map((rule) => riskRuleLabels[rule]), '关闭用时中位数（小时）', '平均满意度', '4-5分占比', '评价率', '重复来访率'];
    fill(tableBox, [
      h('table', { class: 'data data--numbers', attrs: { id: 'risk-table' } }, [
        h('caption', { text: `风险统计 ${from.value} 至 ${to.value}（${groupNames[group.value as Group]}）` }),
        h('thead', {}, [h('tr', {}, headers.map((name) => h('th', { text: name, attrs: { scope: 'col' } })))]),
        h(
          'tbody',
          {},
          rows.map((r) =>
            h('tr', { dataset: { key: r.key } }, [
              h('th', { text: r.name || r.key, attrs: { scope: 'row' } }),
              ...[r.items, r.urgent, r.warning, r.watch, ...riskRuleNames.map((rule) => r.bySignal[rule])].map((n) => h('td', { text: String(n) })),
              h('td', { text: num(r.medianHoursToClose) }),
              h('td', { text: num(r.satisfaction, 2) }),
              h('td', { text: percent(r.satisfiedShare) }),
              h('td', { text: percent(r.responseRate) }),
              h('td', { text: percent(r.repeatContactRate) }),
            ]),
          ),
        ),
      ]),
    ]);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });
  for (const input of [from, to, group]) input.addEventListener('change', updateCsv);
  void load();
  return h('section', { class: 'risk-stats', attrs: { 'aria-labelledby': 'risk-stats-title' } }, [
    h('h2', { class: 'page-title', text: '投诉风险与满意度', attrs: { id: 'risk-stats-title' } }),
    form,
    message,
    h('div', { class: 'charts' }, [tiersChart, satisfactionChart]),
    tableBox,
  ]);
}
