// The risk statistics' charts (ECharts, loaded with the statistics page): items by tier, satisfaction and repeat contacts.
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { RiskStatsRow } from '../shared/contract.ts';

echarts.use([BarChart, LineChart, AriaComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

const textStyle = { fontFamily: '"Noto Sans CJK SC", "Microsoft YaHei", sans-serif', fontSize: 14, color: '#000' };
const chartOn = (element: HTMLElement) => echarts.getInstanceByDom(element) ?? echarts.init(element, null, { renderer: 'canvas', locale: 'ZH' });
const pct = (rate: number | null) => (rate === null ? null : Math.round(rate * 1000) / 10);

export function drawRisk(tiersElement: HTMLElement, satisfactionElement: HTMLElement, rows: RiskStatsRow[]): void {
  const names = rows.map((r) => r.name || r.key);
  const axis = { type: 'category' as const, data: names, axisLabel: { interval: 0, rotate: names.length > 6 ? 30 : 0, color: '#000' } };
  chartOn(tiersElement).setOption(
    {
      aria: { enabled: true },
      textStyle,
      title: { text: '风险工单（按级别）', left: 'center', textStyle: { ...textStyle, fontSize: 18 } },
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0, textStyle },
      grid: { left: 56, right: 64, top: 48, bottom: 72 },
      xAxis: axis,
      yAxis: [
        { type: 'value', name: '工单数', minInterval: 1, axisLabel: { color: '#000' } },
        { type: 'value', name: '重复来访率', min: 0, max: 100, axisLabel: { formatter: '{value}%', color: '#000' } },
      ],
      series: [
        { name: '紧急', type: 'bar', stack: 'n', data: rows.map((r) => r.urgent), itemStyle: { color: '#a10000' } },
        { name: '预警', type: 'bar', stack: 'n', data: rows.map((r) => r.warning), itemStyle: { color: '#b07c00' } },
        { name: '关注', type: 'bar', stack: 'n', data: rows.map((r) => r.watch), itemStyle: { color: '#5a6b7a' } },
        { name: '重复来访率', type: 'line', yAxisIndex: 1, data: rows.map((r) => pct(r.repeatContactRate)), itemStyle: { color: '#00377a' } },
      ],
    },
    true,
  );
  chartOn(satisfactionElement).setOption(
    {
      aria: { enabled: true },
      textStyle,
      title: { text: '满意度回访', left: 'center', textStyle: { ...textStyle, fontSize: 18 } },
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0, textStyle },
      grid: { left: 56, right: 64, top: 48, bottom: 72 },
      xAxis: axis,
      yAxis: [
        { type: 'value', name: '平均分', min: 0, max: 5, axisLabel: { color: '#000' } },
        { type: 'value', name: '占比', min: 0, max: 100, axisLabel: { formatter: '{value}%', color: '#000' } },
      ],
      series: [
        { name: '平均满意度', type: 'bar', data: rows.map((r) => r.satisfaction), itemStyle: { color: '#0a5c26' } },
        { name: '4-5分占比', type: 'line', yAxisIndex: 1, data: rows.map((r) => pct(r.satisfiedShare)), itemStyle: { color: '#00377a' } },
        { name: '评价率', type: 'line', yAxisIndex: 1, data: rows.map((r) => pct(r.responseRate)), itemStyle: { color: '#7a7a7a' } },
      ],
    },
    true,
  );
}

export function resizeRiskCharts(...elements: HTMLElement[]): void {
  for (const element of elements) echarts.getInstanceByDom(element)?.resize();
}
