import { describe, expect, it } from 'vitest';
import { aggregateTimeliness, timelinessCsv, type OccurrenceFact } from '../../server/domain/timeliness.ts';

const occurrence = (over: Partial<OccurrenceFact>): OccurrenceFact => ({
  key: 'survey',
  name: '现场勘查',
  startedInRange: true,
  completedInRange: true,
  overdue: false,
  workdays: 1,
  limitWorkdays: 2,
  ...over,
});

describe('timeliness aggregation', () => {
  it('counts starts, completions, on-time steps and alerts per group, with rates and means', () => {
    const rows = aggregateTimeliness(
      [
        occurrence({ workdays: 1 }),
        occurrence({ workdays: 3, overdue: true }),
        occurrence({ startedInRange: false, workdays: 2 }),
        occurrence({ completedInRange: false, workdays: null }),
        occurrence({ key: 'accept', name: '业务受理', completedInRange: false, workdays: null, limitWorkdays: 1 }),
        occurrence({ startedInRange: false, completedInRange: false }),
      ],
      [
        { key: 'survey', name: '现场勘查', level: 'warning', explained: false },
        { key: 'survey', name: '现场勘查', level: 'overdue', explained: true },
        { key: 'survey', name: '现场勘查', level: 'overdue', explained: false },
      ],
    );
    expect(rows).toEqual([
      { key: 'accept', name: '业务受理', stepsStarted: 1, stepsCompleted: 0, onTime: 0, warned: 0, overdue: 0, explained: 0, onTimeRate: null, avgWorkdays: null, limitWorkdays: 1 },
      { key: 'survey', name: '现场勘查', stepsStarted: 3, stepsCompleted: 3, onTime: 2, warned: 1, overdue: 2, explained: 1, onTimeRate: 0.667, avgWorkdays: 2, limitWorkdays: 2 },
    ]);
  });

  it('writes CSV that Excel opens as UTF-8: a BOM, a header row, quoted fields, no formulas', () => {
    const [row] = aggregateTimeliness([occurrence({ key: 'H001', name: '=李,"明"' })], []);
    const csv = timelinessCsv([row!]);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.slice(1).split('\r\n')).toEqual([
      'key,name,stepsStarted,stepsCompleted,onTime,warned,overdue,explained,onTimeRate,avgWorkdays,limitWorkdays',
      `H001,"'=李,""明""",1,1,1,0,0,0,1,1,2`,
      '',
    ]);
    expect(timelinessCsv([]).slice(1)).toBe('key,name,stepsStarted,stepsCompleted,onTime,warned,overdue,explained,onTimeRate,avgWorkdays,limitWorkdays\r\n');
  });
});
