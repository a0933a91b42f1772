// The monthly exposure report (曝光台, GET /api/v1/stats/exposure) on the statistics page, for team leads and admins:
// each team's urgent items, satisfaction and three-tier status, and the month's worst cases with their handling notes.
import { ApiError, call } from '../shared/api.ts';
import type { ExposureReport } from '../shared/contract.ts';
import { fill, h } from '../shared/dom.ts';
import { todayIn } from '../shared/format.ts';

const statusNames: Record<string, string> = { open: '待处理', closed: '已关闭' };

function previousMonth(today: string): string {
  const [y, m] = today.slice(0, 7).split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

export function exposureView(ctx: { onUnauthorized(): void; timeZone: string }): HTMLElement {
  const month = h('input', { attrs: { id: 'exposure-month', type: 'month', value: previousMonth(todayIn(ctx.timeZone)), required: true } });
  const submit = h('button', { class: 'primary', text: '查看曝光台', attrs: { type: 'submit' } });
  const message = h('p', { class: 'form-message', attrs: { role: 'status', 'aria-live': 'polite' } });
  const teams = h('div', { class: 'exposure-teams' });
  const cases = h('div', { class: 'exposure-cases' });
  const form = h('form', { class: 'stats-form', attrs: { 'aria-label': '曝光台月份' } }, [h('label', { text: '月份', attrs: { for: 'exposure-month' } }), month, submit]);

  async function load(): Promise<void> {
    submit.disabled = true;
    try {
      const report = await call<ExposureReport>('GET', `/api/v1/stats/exposure?month=${encodeURIComponent(month.value)}`);
      message.className = 'form-message';
      fill(message, [report.teams.length === 0 ? `${report.month} 的曝光台尚未生成（每月1日9:00生成上月）。` : `${report.month} 月度曝光台：${report.teams.filter((t) => t.tier).length} 个班组列入。`]);
      renderTeams(report);
      renderCases(report);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return ctx.onUnauthorized();
      message.className = 'form-message form-message--error';
      fill(message, [error instanceof ApiError && error.status === 400 ? `月份不正确：${error.message}` : error instanceof ApiError && error.status === 403 ? '曝光台仅供班组长和管理员查看。' : '读取失败，请稍后再试。']);
      fill(teams, []);
      fill(cases, []);
    } finally {
      submit.disabled = false;
    }
  }

  function renderTeams(report: ExposureReport): void {
    const headers = ['班组', '紧急风险', '评价数', '平均满意度', '超出界限', '曝光等级'];
    fill(teams, [
      h('table', { class: 'data data--numbers', attrs: { id: 'exposure-teams' } }, [
        h('caption', { text: `${report.month} 各班组风险与曝光等级` }),
        h('thead', {}, [h('tr', {}, headers.map((name) => h('th', { text: name, attrs: { scope: 'col' } })))]),
        h(
          'tbody',
          {},
          report.teams.map((t) =>
            h('tr', { dataset: { team: t.teamId, tier: t.tier ?? '' } }, [
              h('th', { text: t.teamName, attrs: { scope: 'row' } }),
              h('td', { text: String(t.urgentItems) }),
              h('td', { text: String(t.ratings) }),
              h('td', { text: t.satisfaction === null ? '—' : t.satisfaction.toFixed(2) }),
              h('td', { text: t.breached ? '是' : '否' }),
              h('td', { text: t.tierName ?? '—' }),
            ]),
          ),
        ),
      ]),
    ]);
  }

  function renderCases(report: ExposureReport): void {
    fill(cases, [
      h('h3', { text: '典型案例与处理说明', attrs: { id: 'exposure-cases-title' } }),
      report.worstCases.length === 0
        ? h('p', { text: '本月没有风险工单。' })
        : h(
            'ol',
            { class: 'exposure-case-list', attrs: { id: 'exposure-cases', 'aria-labelledby': 'exposure-cases-title' } },
            report.worstCases.map((c) =>
              h('li', { dataset: { id: c.id, tier: c.tier } }, [
                h('strong', { class: `tier--${c.tier}`, text: `${c.tierName} ${c.id}` }),
                ` 申请 ${c.applicationNo} · ${c.teamName ?? '无班组'} · ${c.signals} 条信号 · ${statusNames[c.status] ?? c.status}`,
                h('p', { class: 'item-reply', text: `处理说明：${c.note ?? '尚未处理'}` }),
              ]),
            ),
          ),
    ]);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });
  void load();
  return h('section', { class: 'exposure', attrs: { 'aria-labelledby': 'exposure-title' } }, [
    h('h2', { class: 'page-title', text: '月度曝光台', attrs: { id: 'exposure-title' } }),
    form,
    message,
    teams,
    cases,
  ]);
}
