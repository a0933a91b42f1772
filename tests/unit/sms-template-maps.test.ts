// Template SMS maps (templates/sms-aliyun.json, sms-tencent.json): values read, shortened by the one rule, and
// checked by `templates:check`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { templatesDir } from '../../server/app.ts';
import { runTemplatesCheck } from '../../server/cli/templates-check.ts';
import { noticeSamples } from '../../server/domain/notices.ts';
import { providerLimits, readTemplateMap, renderTemplate, TemplateValueError, type SmsTemplateMap } from '../../server/domain/sms-template-maps.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function mapOf(provider: 'aliyun' | 'tencent', dir = templatesDir): SmsTemplateMap {
  const { map, problems } = readTemplateMap(JSON.parse(fs.readFileSync(path.join(dir, `sms-${provider}.json`), 'utf8')), provider);
  expect(problems).toEqual([]);
  return map!;
}

/** A copy of the templates directory with one provider map edited. */
function withMap(provider: 'aliyun' | 'tencent', edit: (map: Record<string, any>) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiedian-maps-'));
  dirs.push(dir);
  fs.cpSync(templatesDir, dir, { recursive: true });
  const file = path.join(dir, `sms-${provider}.json`);
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, any>;
  edit(json);
  fs.writeFileSync(file, JSON.stringify(json, null, 2));
  return dir;
}

function check(dir: string) {
  let output = '';
  const failures = runTemplatesCheck({ dir, smsSignature: '【接电助手】', timeZone: 'Asia/Shanghai', out: { write: (chunk: string) => (output += chunk) } });
  return { failures, output };
}

const context = { today: '2026-11-23', timeZone: 'Asia/Shanghai' };

describe('template SMS maps', () => {
  it('fills a step notice\'s template from the notice variables, dates short and within the year', () => {
    expect(renderTemplate(mapOf('aliyun').notices.step_started!, noticeSamples.step_started as never, providerLimits.aliyun, context)).toEqual({
      templateId: 'SMS_487000001',
      params: { applicationNo: 'YX2026-0001', stepName: '设计文件审核', dueDate: '11月26日', connectDate: '2027年1月15日' },
      text: '您的用电申请YX2026-0001已进入设计文件审核环节，应于11月26日前完成，预计2027年1月15日通电。回TD退订',
    });
    expect(renderTemplate(mapOf('tencent').notices.step_started!, noticeSamples.step_started as never, providerLimits.tencent, context).params).toEqual({
      '1': 'YX2026-0001',
      '2': '设计文件审核',
      '3': '11月26日',
      '4': '2027年1月15日',
    });
  });

  it('shortens a value over the provider limit by its kind\'s rule, never inside a character', () => {
    const template = mapOf('tencent').notices.hurry_for_handler!;
    const params = renderTemplate(
      template,
      { ...noticeSamples.hurry_for_handler, customerName: '👨‍👩‍👧‍👦玉溪市红塔区某某食品有限责任公司', applicationNo: 'YX2026-000123456789' } as never,
      providerLimits.tencent,
      context,
    ).params;
    // Tencent: 12 characters a variable, as Tencent counts them (UTF-16 units: the family emoji is 11 of them); a
    // name keeps its start, a number its end
    expect(params['1']).toBe('👨‍👩‍👧‍👦…');
    expect(params['2']).toBe('…00123456789');
    expect(params['1']!.length).toBe(12);
  });

  it('shortens a name with a rare CJK character (a surrogate pair) to what the provider counts', () => {
    const template = mapOf('aliyun').notices.hurry_for_handler!;
    const customerName = `${'𠀾'.repeat(20)}食品有限公司`;
    const { params } = renderTemplate(template, { ...noticeSamples.hurry_for_handler, customerName } as never, providerLimits.aliyun, context);
    // 35 UTF-16 units: 17 of the 𠀾 and the ellipsis
    expect(params.customerName).toBe(`${'𠀾'.repeat(17)}…`);
    expect(params.customerName!.length).toBe(35);
  });

  it('refuses to cut a code and names a value that is missing', () => {
    const map = mapOf('aliyun');
    const tooShort = { ...map.notices.bind_code!, variables: { ...map.notices.bind_code!.variables, code: { from: 'code', format: 'code' as const, maxChars: 4 } } };
    expect(() => renderTemplate(tooShort, noticeSamples.bind_code as never, providerLimits.aliyun, context)).toThrow(TemplateValueError);
    expect(() => renderTemplate(map.notices.hurry_received!, { applicationNo: 'YX2026-0001', stepName: '勘查' }, providerLimits.aliyun, context)).toThrow(
      /variable reference has no value/,
    );
  });
});

describe('templates:check on the template SMS maps', () => {
  it('passes the shipped maps and prints each template with its id and segments', () => {
    const { failures, output } = check(templatesDir);
    expect(failures).toBe(0);
    expect(output).toContain('sms-aliyun.json notices.step_started → SMS_487000001 (1 segment)');
    expect(output).toContain('sms-tencent.json replies.progress → 1856013 (1 segment)');
    expect(output).toMatch(/0 problems\n$/);
  });

  it('fails on a notice kind without a mapping', () => {
    const { failures, output } = check(withMap('tencent', (map) => delete map.notices.weekly_digest));
    expect(failures).toBe(1);
    expect(output).toMatch(/^FAIL sms-tencent\.json: notices\.weekly_digest is not mapped to a template$/m);
  });

  it('fails on a value over its limit that may not be shortened, and on a limit above the provider\'s', () => {
    const { failures, output } = check(
      withMap('aliyun', (map) => {
        map.notices.bind_code.variables.code.maxChars = 4;
        map.notices.hurry_answered.variables.reply.maxChars = 60;
      }),
    );
    expect(output).toMatch(/^FAIL sms-aliyun\.json: notices\.bind_code\.variables\.code "482913" is 6 characters, over its limit of 4, and a code is not shortened \(sample 1\)$/m);
    expect(output).toMatch(/^FAIL sms-aliyun\.json: notices\.hurry_answered\.variables\.reply maxChars 60 is over aliyun's limit of 35$/m);
    expect(failures).toBe(2);
  });

  it('fails on a placeholder without a variable and a template over the segment budget', () => {
    const { failures, output } = check(
      withMap('aliyun', (map) => {
        map.replies.fallback.content = '请到营业厅查询${where}。';
        map.notices.connected.content = '您的用电申请${applicationNo}已装表接电。' + '感谢您的耐心等待与支持。'.repeat(20);
      }),
    );
    expect(output).toMatch(/^FAIL sms-aliyun\.json: replies\.fallback\.variables\.where is in the content but not mapped$/m);
    expect(output).toMatch(/^FAIL sms-aliyun\.json: notices\.connected renders to \d SMS segments with sample 1 \(max 3\)$/m);
    expect(failures).toBeGreaterThanOrEqual(2);
  });
});
