// ECharts, bundled from npm (no CDN) and loaded only when the statistics are opened: only the parts used.
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { TimelinessRow } from '../shared/contract.ts';

echarts.use([BarChart, LineChart, AriaComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

const colors = { onTime: '#0a5c26', late: '#a10000', rate: '#00377a', avg: '#00377a', limit: '#7a7a7a' };
const textStyle = { fontFamily: '"Noto Sans CJK SC", "Microsoft YaHei", sans-serif', fontSize: 14, color: '#000' };

function chartOn(element: HTMLElement): echarts.ECharts {
  return echarts.getInstanceByDom(element) ?? echarts.init(element, null, { renderer: 'canvas', locale: 'ZH' });
}

export function drawTimeliness(countsElement: HTMLElement, daysElement: HTMLElement, rows: TimelinessRow[]): void {
  const names = rows.map((r) => r.name || r.key);
  const counts = chartOn(countsElement);
  counts.setOption(
    {
      aria: { enabled: true },
      textStyle,
      // Only categories that add up are stacked: a completed step is on time or late, never both. Warnings and overdue
      // alerts overlap each other and steps of other ranges, so they stay in the table, not on top of these bars.
      title: { text: '已完成环节：按时 + 超期 = 完成数', left: 'center', textStyle: { ...textStyle, fontSize: 18 } },
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0, textStyle },
      grid: { left: 56, right: 64, top: 48, bottom: 72 },
      xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 6 ? 30 : 0, color: '#000' } },
      yAxis: [
        { type: 'value', name: '环节数', minInterval: 1, axisLabel: { color: '#000' } },
        { type: 'value', name: '按时率', min: 0, max: 100, axisLabel: { formatter: '{value}%', color: '#000' } },
      ],
      series: [
        { name: '按时完成', type: 'bar', stack: 'completed', data: rows.map((r) => r.onTime), itemStyle: { color: colors.onTime } },
        { name: '超期完成', type: 'bar', stack: 'completed', data: rows.map((r) => r.stepsCompleted - r.onTime), itemStyle: { color: colors.late } },
        {
          name: '按时率',
          type: 'line',
          yAxisIndex: 1,
          data: rows.map((r) => (r.onTimeRate === null ? null : Math.round(r.onTimeRate * 1000) / 10)),
          itemStyle: { color: colors.rate },
          lineStyle: { width: 3 },
          symbolSize: 8,
        },
      ],
    },
    true,
  );
  const days = chartOn(daysElement);
  days.setOption(
    {
      aria: { enabled: true },
      textStyle,
      title: { text: '平均用时与时限（工作日）', left: 'center', textStyle: { ...textStyle, fontSize: 18 } },
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0, textStyle },
      grid: { left: 56, right: 24, top: 48, bottom: 72 },
      xAxis: { type: 'category', data: names, axisLabel: { interval: 0, rotate: names.length > 6 ? 30 : 0, color: '#000' } },
      yAxis: { type: 'value', name: '工作日', axisLabel: { color: '#000' } },
      series: [
        { name: '平均用时', type: 'bar', data: rows.map((r) => r.avgWorkdays), itemStyle: { color: colors.avg } },
        // side by side with the average: a stepped line across unrelated steps read as a trend that is not there
        { name: '时限', type: 'bar', data: rows.map((r) => r.limitWorkdays), itemStyle: { color: colors.limit } },
      ],
    },
    true,
  );
}

export function resizeCharts(...elements: HTMLElement[]): void {
  for (const element of elements) echarts.getInstanceByDom(element)?.resize();
}
