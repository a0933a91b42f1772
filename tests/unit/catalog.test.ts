import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findProcess, findStep, getProcess, nextStep, stepIndex, validateCatalog } from '../../server/domain/catalog.ts';

/** A fresh, mutable copy of the shipped catalog data. */
function shippedJson(): any {
  return JSON.parse(readFileSync(new URL('../../catalog/processes.json', import.meta.url), 'utf8'));
}

const catalog = validateCatalog(shippedJson());

describe('the shipped catalog (DOMAIN.md "Process catalog")', () => {
  it('has the four processes with their names and total limits', () => {
    expect(catalog.processes.map((p) => [p.code, p.name, p.totalLimit])).toEqual([
      ['lv_resident', '低压居民新装', { days: 5, unit: 'workdays' }],
      ['lv_business', '低压非居民新装（小微企业）', { days: 6, unit: 'workdays' }],
      ['hv_single', '高压新装增容（单电源）', { days: 22, unit: 'workdays' }],
      ['hv_dual', '高压新装增容（双电源）', { days: 32, unit: 'workdays' }],
    ]);
  });

  it('lists each process step in process order', () => {
    const codes = (code: string) => getProcess(catalog, code).steps.map((s) => s.code);
    expect(codes('lv_resident')).toEqual(['accept', 'survey', 'connect']);
    expect(codes('lv_business')).toEqual(['accept', 'survey', 'plan_reply', 'external_works', 'connect']);
    const hv = ['accept', 'survey', 'plan_reply', 'design_review', 'construction', 'mid_inspection', 'completion_inspection', 'contract', 'connect'];
    expect(codes('hv_single')).toEqual(hv);
    expect(codes('hv_dual')).toEqual(hv);
  });

  it('carries the limit / typical values of the table', () => {
    const step = (processCode: string, stepCode: string) => {
      const s = findStep(getProcess(catalog, processCode), stepCode)!;
      return [s.limitWorkdays, s.typicalWorkdays];
    };
    expect(step('lv_resident', 'connect')).toEqual([3, 2]);
    expect(step('lv_business', 'external_works')).toEqual([2, 2]);
    expect(step('hv_single', 'survey')).toEqual([2, 1]);
    expect(step('hv_single', 'plan_reply')).toEqual([6, 4]);
    expect(step('hv_single', 'construction')).toEqual([null, 25]);
    expect(step('hv_dual', 'plan_reply')).toEqual([14, 10]);
    expect(step('hv_dual', 'construction')).toEqual([null, 35]);
    expect(step('hv_dual', 'completion_inspection')).toEqual([4, 3]);
    expect(step('hv_dual', 'contract')).toEqual([2, 1]);
  });

  it('resolves names, sides and customer tasks from the step definitions', () => {
    const hv = getProcess(catalog, 'hv_single');
    const construction = findStep(hv, 'construction')!;
    expect(construction).toMatchObject({ name: '客户受电工程施工', side: 'customer', limitWorkdays: null });
    expect(findStep(hv, 'survey')!.customerTasks).toEqual(['约定勘查时间', '安排现场联系人', '提供主要用电设备清单']);
    expect(findStep(hv, 'accept')!.customerTasks).toHaveLength(4);
    expect(findStep(hv, 'accept')!.customerTasks[3]).toBe('暂缺产权证明的可凭身份证明“一证受理”，签署承诺书后补');
    expect(hv.steps.filter((s) => s.side === 'customer').map((s) => s.code)).toEqual(['construction']);
    for (const p of catalog.processes) for (const s of p.steps) expect(s.customerTasks.length, `${p.code}.${s.code}`).toBeGreaterThan(0);
  });

  it('lets utility steps compress to one workday unless the catalog says otherwise', () => {
    expect(findStep(getProcess(catalog, 'hv_dual'), 'plan_reply')!.minWorkdays).toBe(1);
    const json = shippedJson();
    json.processes[0].steps[2].minWorkdays = 2;
    expect(findStep(getProcess(validateCatalog(json), 'lv_resident'), 'connect')!.minWorkdays).toBe(2);
  });

  it('accepts a total limit in calendar days', () => {
    const json = shippedJson();
    json.processes[2].totalLimit = { days: 70, unit: 'calendar' };
    expect(getProcess(validateCatalog(json), 'hv_single').totalLimit).toEqual({ days: 70, unit: 'calendar' });
  });
});

describe('lookups', () => {
  it('finds processes and steps by code', () => {
    expect(findProcess(catalog, 'nope')).toBeUndefined();
    expect(() => getProcess(catalog, 'nope')).toThrow(/process "nope" is not in the catalog/);
    const hv = getProcess(catalog, 'hv_single');
    expect(stepIndex(hv, 'construction')).toBe(4);
    expect(stepIndex(hv, 'external_works')).toBe(-1);
    expect(nextStep(hv, 'construction')?.code).toBe('mid_inspection');
    expect(nextStep(hv, 'connect')).toBeUndefined();
  });
});

describe('catalog validation names the offending path', () => {
  const cases: [string, (json: any) => void, RegExp][] = [
    ['a non-positive typical duration', (j) => { j.processes[2].steps[3].typicalWorkdays = 0; }, /^processes\[2\]\.steps\[3\]\.typicalWorkdays must be a positive integer$/],
    ['a fractional limit', (j) => { j.processes[0].steps[2].limitWorkdays = 1.5; }, /^processes\[0\]\.steps\[2\]\.limitWorkdays must be a positive integer$/],
    ['a negative total', (j) => { j.processes[1].totalLimit.days = -6; }, /^processes\[1\]\.totalLimit\.days must be a positive integer$/],
    ['an unknown unit', (j) => { j.processes[1].totalLimit.unit = 'hours'; }, /^processes\[1\]\.totalLimit\.unit must be "workdays" or "calendar"$/],
    ['an unknown step code', (j) => { j.processes[0].steps[1].code = 'inspection'; }, /^processes\[0\]\.steps\[1\]\.code "inspection" is not a step defined in steps$/],
    ['a step twice in a process', (j) => { j.processes[0].steps[1] = { ...j.processes[0].steps[0] }; }, /^processes\[0\]\.steps\[1\]\.code "accept" appears twice/],
    ['a duplicate process code', (j) => { j.processes[3].code = 'hv_single'; }, /^processes\[3\]\.code "hv_single" is used by an earlier process$/],
    ['typical above limit', (j) => { j.processes[2].steps[2].typicalWorkdays = 7; }, /^processes\[2\]\.steps\[2\]\.typicalWorkdays \(7\) must not exceed limitWorkdays \(6\)$/],
    ['a limit on a customer step', (j) => { j.processes[2].steps[4].limitWorkdays = 30; }, /^processes\[2\]\.steps\[4\]\.limitWorkdays must be absent for a customer step/],
    ['a customer step without typical', (j) => { delete j.processes[3].steps[4].typicalWorkdays; }, /^processes\[3\]\.steps\[4\]\.typicalWorkdays must be a positive integer$/],
    ['a utility step without limit', (j) => { delete j.processes[3].steps[0].limitWorkdays; }, /^processes\[3\]\.steps\[0\]\.limitWorkdays must be a positive integer$/],
    ['a floor above typical', (j) => { j.processes[2].steps[2].minWorkdays = 5; }, /^processes\[2\]\.steps\[2\]\.minWorkdays \(5\) must not exceed typicalWorkdays \(4\)$/],
    ['a floor on a customer step', (j) => { j.processes[2].steps[4].minWorkdays = 10; }, /^processes\[2\]\.steps\[4\]\.minWorkdays must be absent/],
    ['a misspelt field', (j) => { j.processes[0].steps[0].typicalWorkday = 1; }, /^processes\[0\]\.steps\[0\]\.typicalWorkday is not a known field$/],
    ['an unknown side', (j) => { j.steps.survey.side = 'both'; }, /^steps\.survey\.side must be "utility" or "customer"$/],
    ['an empty step name', (j) => { j.steps.contract.name = ' '; }, /^steps\.contract\.name must be a non-empty string$/],
    ['a customer task that is not text', (j) => { j.steps.connect.customerTasks = ['确认计量装置安装位置', 3]; }, /^steps\.connect\.customerTasks\[1\] must be a non-empty string$/],
    ['a step code that is not a code', (j) => { j.steps['Bad Code'] = j.steps.accept; }, /^steps\.Bad Code must be a code in lower_snake_case$/],
    ['no processes', (j) => { j.processes = []; }, /^processes must be a non-empty array$/],
    ['a process without steps', (j) => { j.processes[0].steps = []; }, /^processes\[0\]\.steps must be a non-empty array$/],
    ['a missing process name', (j) => { delete j.processes[1].name; }, /^processes\[1\]\.name must be a non-empty string$/],
  ];

  it.each(cases)('rejects %s', (_label, mutate, message) => {
    const json = shippedJson();
    mutate(json);
    expect(() => validateCatalog(json)).toThrow(message);
  });

  it('rejects data that is not an object', () => {
    expect(() => validateCatalog(null)).toThrow(/^\(root\) must be an object$/);
    expect(() => validateCatalog({ processes: [] })).toThrow(/^steps must be an object$/);
  });
});
