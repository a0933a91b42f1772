// `npm run jiedian -- templates:check`: renders every notice template with the sample data, checks the template maps
// (WeChat Official Account; SMS providers templates/sms-aliyun.json, sms-tencent.json) and reports problems.
import fs from 'node:fs';
import path from 'node:path';
import { checkTemplateMap } from '../../channels/wechat-oa/template-map.ts';
import { noticeDefinitions, noticeEdgeSamples, noticeKinds, noticeSamples } from '../domain/notices.ts';
import { MAX_SMS_SEGMENTS } from '../domain/sms-segments.ts';
import { templateProviders, type TemplateProvider } from '../domain/sms-template-maps.ts';
import { checkNoticeTemplates, type NoticeTemplatesOptions } from '../notices/notice-templates.ts';
import { checkEmailTemplates } from '../notices/email-templates.ts';
import { inspectSmsTemplateMap, smsTemplateMapFile } from '../../channels/sms-template-maps.ts';

/** The Official Account's field map: every notice customers get, filled from every sample within WeChat's limits. */
function checkWechatOaMap(options: NoticeTemplatesOptions) {
  const customerKinds = noticeKinds.filter((kind) => noticeDefinitions[kind].audience === 'customer');
  const samples = Object.fromEntries(noticeKinds.map((kind) => [kind, [noticeSamples[kind], ...(noticeEdgeSamples[kind] ?? [])]]));
  return checkTemplateMap(path.join(options.dir, 'wechat-oa.json'), customerKinds, noticeKinds, samples, options.timeZone);
}

export interface TemplatesCheckOptions extends NoticeTemplatesOptions {
  out: { write(chunk: string): unknown };
  /** a provider whose map must be there (the one SMS_PROVIDER selects); the other maps are checked when present */
  requiredProvider?: TemplateProvider | null;
}

/** Checks each provider's map in `dir`; prints its templates and problems; returns the number of problems. */
function checkSmsTemplateMaps({ out, dir, smsSignature, timeZone, requiredProvider }: TemplatesCheckOptions): number {
  let problems = 0;
  const signName = smsSignature.replace(/^【|】$/g, '');
  for (const provider of templateProviders) {
    const file = path.basename(smsTemplateMapFile(dir, provider));
    if (!fs.existsSync(smsTemplateMapFile(dir, provider))) {
      if (provider === requiredProvider) {
        out.write(`FAIL ${file}: missing, and SMS_PROVIDER=${provider} sends every notice through it\n`);
        problems += 1;
      }
      continue;
    }
    const check = inspectSmsTemplateMap(dir, provider, signName, timeZone);
    for (const r of check.renders) out.write(`${file} ${r.where} → ${r.templateId} (${r.segments} segment${r.segments === 1 ? '' : 's'})\n    ${r.text}\n\n`);
    for (const p of check.problems) out.write(`FAIL ${file}: ${p.where} ${p.message}\n`);
    problems += check.problems.length;
  }
  return problems;
}

/** Prints each rendered sample (SMS with its segment count) and each problem; returns the number of problems. */
export function runTemplatesCheck({ out, ...options }: TemplatesCheckOptions): number {
  const checked = checkNoticeTemplates(options);
  const { renders, edgeRenders } = checked;
  const email = checkEmailTemplates({ dir: options.dir, timeZone: options.timeZone });
  const oa = checkWechatOaMap(options);
  const problems = [...checked.problems, ...email.problems, ...oa.problems.map((message) => ({ file: 'wechat-oa.json', message }))];
  const indent = (text: string) => text.replace(/^/gm, '    ');
  for (const r of renders) {
    let size = `${Array.from(r.text).length} characters`;
    if (r.sms) {
      const { segments, units, encoding } = r.sms;
      size = `${segments} segment${segments === 1 ? '' : 's'}, ${units} ${encoding === 'ucs2' ? 'UCS-2' : 'GSM-7'} units`;
      if (segments > MAX_SMS_SEGMENTS) size += ` — over the limit of ${MAX_SMS_SEGMENTS}`;
    }
    out.write(`${r.file} (${size})\n${indent(r.text)}\n\n`);
  }
  for (const r of oa.renders) {
    const fields = Object.entries(r.data).map(([key, { value }]) => `${key}: ${value}`);
    out.write(`wechat-oa.json ${r.kind} (${fields.length} fields)\n${indent(fields.join('\n'))}\n\n`);
  }
  out.write(`wechat-oa.json: ${oa.renders.length} notice kinds mapped, ${oa.checked} sample renders checked\n`);
  for (const p of problems) out.write(`FAIL ${p.file}: ${p.message}\n`);
  out.write(`e-mail templates (email/): ${email.renders} renders of subject, HTML and plain text checked\n`);
  const total = problems.length + checkSmsTemplateMaps({ out, ...options });
  out.write(
    `${renders.length} templates rendered, ${edgeRenders} edge-sample renders checked, ` +
      `${total} problem${total === 1 ? '' : 's'}\n`,
  );
  return total;
}
