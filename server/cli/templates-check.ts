// `npm run jiedian -- templates:check`: renders every notice template with the sample data and reports problems.
import path from 'node:path';
import { checkTemplateMap } from '../../channels/wechat-oa/template-map.ts';
import { noticeDefinitions, noticeEdgeSamples, noticeKinds, noticeSamples } from '../domain/notices.ts';
import { MAX_SMS_SEGMENTS } from '../domain/sms-segments.ts';
import { checkNoticeTemplates, type NoticeTemplatesOptions } from '../services/notice-templates.ts';
import { checkEmailTemplates } from '../services/email-templates.ts';

/** The Official Account's field map: every notice customers get, filled from every sample within WeChat's limits. */
function checkWechatOaMap(options: NoticeTemplatesOptions) {
  const customerKinds = noticeKinds.filter((kind) => noticeDefinitions[kind].audience === 'customer');
  const samples = Object.fromEntries(noticeKinds.map((kind) => [kind, [noticeSamples[kind], ...(noticeEdgeSamples[kind] ?? [])]]));
  return checkTemplateMap(path.join(options.dir, 'wechat-oa.json'), customerKinds, noticeKinds, samples, options.timeZone);
}

export interface TemplatesCheckOptions extends NoticeTemplatesOptions {
  out: { write(chunk: string): unknown };
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
  out.write(
    `${renders.length} templates rendered, ${edgeRenders} edge-sample renders checked, ` +
      `${problems.length} problem${problems.length === 1 ? '' : 's'}\n`,
  );
  return problems.length;
}
