// Timeliness statistics (GET /api/v1/stats/timeliness): a table, two charts and the same numbers as CSV.
import { ApiError, call } from '../shared/api.ts';
import type { StatsGroup, TimelinessRow } from '../shared/contract.ts';
import { fill, h } from '../shared/dom.ts';
import { todayIn } from '../shared/format.ts';
import { timelinessColumnNames as column } from '../../domain/timeliness.ts';

export interface StatsContext {
  onUnauthorized(): void;
  timeZone: string;
}

const groupNames: Record<StatsGroup, string> = { step: '按环节', handler: '按经办人', team: '按班组' };

function daysBefore(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

const percent = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
const number = (value: number | null, digits = 1) => (value === null ? '—' : value.toFixed(digits));

export function statsView(ctx: StatsContext): HTMLElement {
  const today = todayIn(ctx.timeZone);
  const from = h('input', { attrs: { id: 'stats-from', type: 'date', value: daysBefore(today, 29), required: true } });
  const to = h('input', { attrs: { id: 'stats-to', type: 'date', value: today, required: true } });
  const group = h(
    'select',
    { attrs: { id: 'stats-group' } },
    (Object.keys(groupNames) as StatsGroup[]).map((g) => h('option', { text: groupNames[g], attrs: { value: g } })),
  );
  const submit = h('button', { class: 'primary', text: '查询', attrs: { type: 'submit' } });
  const csv = h('a', { class: 'secondary', text: '下载 CSV', attrs: { id: 'stats-csv', 'aria-label': '下载当前统计的 CSV 文件' } });
  const message = h('p', { class: 'form-message', attrs: { role: 'status', 'aria-live': 'polite' } });
  // fixed heights: the charts and table arrive without pushing the form around
  const rateChart = h('div', { class: 'chart', attrs: { id: 'chart-counts', role: 'img', 'aria-label': '已完成环节数：按时完成与超期完成，及按时率' } });
  const daysChart = h('div', { class: 'chart', attrs: { id: 'chart-days', role: 'img', 'aria-label': '平均用时与时限（工作日）' } });
  const tableBox = h('div', { class: 'stats-table' });
  let resizer: ResizeObserver | null = null;

  const form = h('form', { class: 'stats-form', attrs: { 'aria-label': '统计条件' } }, [
    h('label', { text: '开始日期', attrs: { for: 'stats-from' } }),
    from,
    h('label', { text: '结束日期', attrs: { for: 'stats-to' } }),
    to,
    h('label', { text: '分组', attrs: { for: 'stats-group' } }),
    group,
    submit,
    csv,
  ]);

  const query = () => new URLSearchParams({ from: from.value, to: to.value, groupBy: group.value });
  const updateCsv = () => {
    const params = query();
    params.set('format', 'csv');
    // the header row as this page names the columns
    params.set('header', 'names');
    csv.setAttribute('href', `/api/v1/stats/timeliness?${params}`);
    csv.setAttribute('download', `timeliness-${group.value}-${from.value}-${to.value}.csv`);
  };

  async function load(): Promise<void> {
    updateCsv();
    if (from.value && to.value && from.value > to.value) {
      message.className = 'form-message form-message--error';
      fill(message, ['开始日期不能晚于结束日期，请重新选择。']);
      return;
    }
    submit.disabled = true;
    fill(message, ['正在统计…']);
    message.className = 'form-message';
    try {
      const { rows } = await call<{ rows: TimelinessRow[] }>('GET', `/api/v1/stats/timeliness?${query()}`);
      fill(message, [rows.length === 0 ? '这段时间没有数据。' : `共 ${rows.length} 行，${groupNames[group.value as StatsGroup]}。`]);
      renderTable(rows);
      const charts = await import('./charts.ts');
      charts.drawTimeliness(rateChart, daysChart, rows);
      // ECharts sizes its canvas once: follow the boxes when the window (or a rotated screen) changes their size
      resizer ??= new ResizeObserver(() => charts.resizeCharts(rateChart, daysChart));
      resizer.observe(rateChart);
      resizer.observe(daysChart);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return ctx.onUnauthorized();
      message.className = 'form-message form-message--error';
      // the API's message is English and names fields, for programs: staff read what to change
      fill(message, [error instanceof ApiError && error.status === 400 ? '统计条件不正确，请检查开始日期、结束日期和分组。' : '统计失败，请稍后再试。']);
    } finally {
      submit.disabled = false;
    }
  }

  function renderTable(rows: TimelinessRow[]): void {
    const headers = (['name', 'stepsStarted', 'stepsCompleted', 'onTime', 'warned', 'overdue', 'explained', 'onTimeRate', 'avgWorkdays', 'limitWorkdays'] as const).map((c) => column[c]);
    fill(tableBox, [
      h('table', { class: 'data data--numbers' }, [
        h('caption', { text: `时效统计 ${from.value} 至 ${to.value}（${groupNames[group.value as StatsGroup]}）` }),
        h('thead', {}, [h('tr', {}, headers.map((name) => h('th', { text: name, attrs: { scope: 'col' } })))]),
        h(
          'tbody',
          {},
          rows.map((r) =>
            h('tr', { dataset: { key: r.key } }, [
              h('th', { text: r.name || r.key, attrs: { scope: 'row' } }),
              ...[r.stepsStarted, r.stepsCompleted, r.onTime, r.warned, r.overdue, r.explained].map((n) => h('td', { text: String(n) })),
              h('td', { text: percent(r.onTimeRate) }),
              h('td', { text: number(r.avgWorkdays) }),
              // a mean over steps with different limits is rarely whole: 1.7, not a rounded 2 beside an average of 1.6
              h('td', { text: number(r.limitWorkdays, r.limitWorkdays !== null && Number.isInteger(r.limitWorkdays) ? 0 : 1) }),
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

  return h('section', { class: 'stats', attrs: { 'aria-labelledby': 'stats-title' } }, [
    h('h1', { class: 'page-title', text: '时效统计', attrs: { id: 'stats-title' } }),
    form,
    message,
    h('div', { class: 'charts' }, [rateChart, daysChart]),
    h('p', { class: 'chart-note', text: '左图每根柱子是区间内完成的环节数：绿色为按时完成，红色为超期完成，两者相加等于完成数。预警和超期告警的次数见下表（一个环节可能先预警再超期，故不叠加在柱子上）。' }),
    tableBox,
  ]);
}
