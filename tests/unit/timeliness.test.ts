import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { aggregateTimeliness, catalogStepOrder, timelinessCsv, timelinessOrder, type OccurrenceFact } from '../../server/domain/timeliness.ts';
import { validateCatalog } from '../../server/domain/catalog.ts';

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

describe('the order of the rows', () => {
  const catalog = validateCatalog(JSON.parse(fs.readFileSync(new URL('../../catalog/processes.json', import.meta.url), 'utf8')));

  it('lists the catalog\'s steps in process order, a step shared by several processes at its first place', () => {
    expect(catalogStepOrder(catalog.processes)).toEqual([
      'accept',
      'survey',
      'plan_reply',
      'external_works',
      'design_review',
      'construction',
      'mid_inspection',
      'completion_inspection',
      'contract',
      'connect',
    ]);
    // a short process first (lv_resident: accept, survey, connect): the steps of longer ones still go before its last
    expect(catalogStepOrder([{ steps: [{ code: 'a' }, { code: 'z' }] }, { steps: [{ code: 'a' }, { code: 'm' }, { code: 'z' }] }, { steps: [{ code: 'm' }, { code: 'q' }, { code: 'z' }] }])).toEqual(['a', 'm', 'q', 'z']);
  });

  it('sorts rows by step in process order, not by code; handlers by name in Chinese collation; teams by number', () => {
    const steps = ['connect', 'completion_inspection', 'accept', 'design_review', 'survey', 'plan_reply'].map((key) => occurrence({ key, name: key }));
    const byStep = aggregateTimeliness(steps, [{ key: 'mid_inspection', name: '中间检查', level: 'warning', explained: false }], timelinessOrder('step', catalogStepOrder(catalog.processes)));
    expect(byStep.map((r) => r.key)).toEqual(['accept', 'survey', 'plan_reply', 'design_review', 'mid_inspection', 'completion_inspection', 'connect']);
    // a code the catalog no longer has goes last
    expect(aggregateTimeliness([occurrence({ key: 'retired' }), occurrence({ key: 'connect' })], [], timelinessOrder('step', ['accept', 'connect'])).map((r) => r.key)).toEqual(['connect', 'retired']);

    // 张 zhāng, 李 lǐ, 王 wáng, 赵 zhào, 钱 qián: pinyin order, not by 工号 and not by code point
    const people = [
      ['H001', '张强'],
      ['H002', '李明'],
      ['H003', '王芳'],
      ['H004', '赵丽'],
      ['H005', '钱伟'],
    ].map(([key, name]) => occurrence({ key, name }));
    expect(aggregateTimeliness(people, [], timelinessOrder('handler', [])).map((r) => r.name)).toEqual(['李明', '钱伟', '王芳', '张强', '赵丽']);
    // teams by their number: by pinyin 业扩三班 (sān) and 业扩二班 (èr) would come before 业扩一班 (yī)
    const teams = [
      ['T03', '业扩三班'],
      ['T01', '业扩一班'],
      ['T02', '业扩二班'],
    ].map(([key, name]) => occurrence({ key, name }));
    expect(aggregateTimeliness(teams, [], timelinessOrder('team', [])).map((r) => r.name)).toEqual(['业扩一班', '业扩二班', '业扩三班']);
    // the same rows in the CSV
    const csv = timelinessCsv(aggregateTimeliness(people, [], timelinessOrder('handler', [])));
    expect(csv.slice(1).split('\r\n').slice(1, -1).map((line) => line.split(',')[1])).toEqual(['李明', '钱伟', '王芳', '张强', '赵丽']);
  });
});
