import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runTemplatesCheck } from '../../server/cli/templates-check.ts';
import {
  noticeDefinitions,
  noticeEdgeSamples,
  noticeKinds,
  noticeSamples,
  type NoticeKind,
  type StepStartedVariables,
} from '../../server/domain/notices.ts';
import {
  loadNoticeTemplates,
  NoticeTemplateError,
  NoticeTooLongError,
  type NoticeTemplatesOptions,
} from '../../server/notices/notice-templates.ts';

const templatesDir = path.resolve(import.meta.dirname, '../../templates');
const options: NoticeTemplatesOptions = { dir: templatesDir, smsSignature: '【接电助手】', timeZone: 'Asia/Shanghai' };
const today = '2026-11-23';
const templates = loadNoticeTemplates(options);

const stepStarted: StepStartedVariables = {
  customerName: '玉溪某某食品有限公司',
  applicationNo: 'YX2026-0001',
  processName: '高压新装增容（单电源）',
  step: {
    name: '设计文件审核',
    dueDate: '2026-11-26',
    customerTasks: ['提交受电工程设计文件及设计单位资质证明'],
  },
  nextStep: { name: '客户受电工程施工', plannedStart: '2026-11-27' },
  handler: { name: '李明', phone: '13912345678' },
  expectedConnectDate: '2027-01-15',
  includeRegulation: true,
};

const temporaryDirs: string[] = [];

/** A copy of the real templates directory, changed by `edit` (file → new content, or null to delete). */
function templatesCopy(edit: Record<string, string | null>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiedian-templates-'));
  temporaryDirs.push(dir);
  fs.cpSync(templatesDir, dir, { recursive: true });
  for (const [file, content] of Object.entries(edit)) {
    if (content === null) fs.rmSync(path.join(dir, file));
    else fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

function replaceIn(file: string, from: string, to: string): Record<string, string> {
  const text = fs.readFileSync(path.join(templatesDir, file), 'utf8');
  if (!text.includes(from)) throw new Error(`${file} does not contain ${from}`);
  return { [file]: text.replace(from, to) };
}

function loadError(dir: string, extra: Partial<NoticeTemplatesOptions> = {}): NoticeTemplateError {
  try {
    loadNoticeTemplates({ ...options, ...extra, dir });
  } catch (error) {
    if (error instanceof NoticeTemplateError) return error;
    throw error;
  }
  throw new Error('the templates loaded');
}

afterEach(() => {
  for (const dir of temporaryDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('notice templates', () => {
  it('renders every kind in both channels: SMS within 3 segments with the signature, WeChat without', () => {
    for (const kind of noticeKinds) {
      const sms = templates.render(kind, 'sms', noticeSamples[kind] as never, { today });
      expect(sms.text.startsWith('【接电助手】'), kind).toBe(true);
      expect(sms.segments, kind).toBeGreaterThanOrEqual(1);
      expect(sms.segments, kind).toBeLessThanOrEqual(3);
      expect(sms.shortened, kind).toBe(false);
      const wechat = templates.render(kind, 'wechat', noticeSamples[kind] as never, { today });
      expect(wechat.text.length, kind).toBeGreaterThan(10);
      expect(wechat.text, kind).not.toContain('【接电助手】');
      expect(wechat.text, kind).not.toContain('回TD退订');
      expect(wechat.segments, kind).toBeNull();
    }
  });

  it('renders the edge samples (no handler, last step, infeasible plan, no message, …) of every kind', () => {
    for (const kind of noticeKinds) {
      for (const sample of noticeEdgeSamples[kind] ?? []) {
        for (const processCode of [null, 'hv_single']) {
          expect(templates.render(kind, 'sms', sample as never, { today, processCode }).segments).toBeLessThanOrEqual(3);
          expect(templates.render(kind, 'wechat', sample as never, { today, processCode }).text).not.toBe('');
        }
      }
    }
  });

  it('step_started SMS says the step, its due date, the tasks, the next step and its start, and the handler', () => {
    const { text, segments } = templates.render('step_started', 'sms', stepStarted, { today });
    expect(text).toBe(
      '【接电助手】用电申请YX2026-0001已进入“设计文件审核”环节，预计11月26日前完成。' +
        '需配合：提交受电工程设计文件及设计单位资质证明。下一环节“客户受电工程施工”11月27日开始，预计2027年1月15日接电。' +
        '办理人李*，电话13912345678。回TD退订',
    );
    // a typical step notice, carrying the expected connection date, fits two segments (issue 12 item 14)
    expect(segments).toBe(2);
  });

  it('step_started WeChat is structured in lines, with the tasks numbered', () => {
    const variables = { ...stepStarted, step: { ...stepStarted.step, customerTasks: ['提交受电工程设计文件及设计单位资质证明', '提供设计单位联系人'] } };
    const { text } = templates.render('step_started', 'wechat', variables, { today });
    expect(text).toBe(
      [
        '玉*********，您好！您的用电申请已进入新环节。',
        '工单号：YX2026-0001',
        '业务类型：高压新装增容（单电源）',
        '当前环节：设计文件审核，预计11月26日（周四）前完成',
        '请您配合：',
        '1. 提交受电工程设计文件及设计单位资质证明',
        '2. 提供设计单位联系人',
        '下一环节：客户受电工程施工，预计11月27日（周五）开始',
        '预计接电日期：2027年1月15日（周五）',
        '办理人：李*，工作电话13912345678',
      ].join('\n'),
    );
  });

  it('step_started without a handler, at the last step, without tasks points to the hotline', () => {
    const variables = { ...stepStarted, step: { ...stepStarted.step, name: '装表接电', customerTasks: [] }, nextStep: null, handler: null };
    expect(templates.render('step_started', 'sms', variables, { today }).text).toBe(
      '【接电助手】用电申请YX2026-0001已进入“装表接电”环节，预计11月26日前完成。' +
        '本环节无需您另外准备材料。本环节完成后即为您送电，预计2027年1月15日接电。如有疑问请拨打95598供电服务热线。回TD退订',
    );
  });

  it('joins tasks with ；in SMS', () => {
    const variables = { ...stepStarted, step: { ...stepStarted.step, customerTasks: ['用电申请书', '身份证明'] } };
    expect(templates.render('step_started', 'sms', variables, { today }).text).toContain('需配合：用电申请书；身份证明。');
  });

  it('writes dates with the weekday, and with the year only outside the year of today', () => {
    const plan = noticeSamples.plan_created;
    expect(templates.render('plan_created', 'sms', plan, { today: '2026-11-23' }).text).toBe(
      '【接电助手】您的用电申请（YX2026-0001）接电计划已制定，预计2027年2月26日（周五）接电。' +
        '可以满足您要求的2027年3月1日（周一）接电。回TD退订',
    );
    expect(templates.render('plan_created', 'sms', plan, { today: '2027-01-04' }).text).toBe(
      '【接电助手】您的用电申请（YX2026-0001）接电计划已制定，预计2月26日（周五）接电。可以满足您要求的3月1日（周一）接电。回TD退订',
    );
  });

  it('says when the requested date cannot be met', () => {
    const plan = {
      ...noticeSamples.plan_created,
      requestedConnectDate: '2026-12-15',
      feasible: false,
      expectedConnectDate: '2027-01-15',
      earliestFeasibleDate: '2027-01-15',
    };
    expect(templates.render('plan_created', 'sms', plan, { today }).text).toBe(
      '【接电助手】您的用电申请（YX2026-0001）接电计划已制定，预计2027年1月15日（周五）接电。' +
        '您要求的12月15日（周二）接电经测算无法满足，最早可于2027年1月15日（周五）接电。回TD退订',
    );
  });

  it('writes due times in the utility time zone', () => {
    const warning = { applicationNo: 'YX2026-0001', stepName: '设计文件审核', dueAt: Date.parse('2026-11-26T15:59:59Z'), explanationRequired: false };
    expect(templates.render('sla_warning', 'sms', warning, { today }).text).toBe(
      '【接电助手】超时预警：YX2026-0001“设计文件审核”环节将于11月26日（周四）23:59到期，请抓紧办理。',
    );
  });

  it('ends customer SMS with 回TD退订 and handler SMS without it', () => {
    const customer: NoticeKind[] = ['step_started', 'plan_created', 'plan_changed', 'connected', 'hurry_received', 'hurry_answered', 'bind_code'];
    const handler: NoticeKind[] = ['hurry_for_handler', 'sla_warning', 'sla_overdue', 'escalation', 'weekly_digest', 'risk_urgent', 'monthly_report'];
    for (const kind of customer) {
      expect(noticeDefinitions[kind].audience).toBe('customer');
      expect(templates.render(kind, 'sms', noticeSamples[kind] as never, { today }).text.endsWith('回TD退订'), kind).toBe(true);
    }
    for (const kind of handler) {
      expect(noticeDefinitions[kind].audience).toBe('handler');
      const { text } = templates.render(kind, 'sms', noticeSamples[kind] as never, { today });
      expect(text.startsWith('【接电助手】'), kind).toBe(true);
      expect(text, kind).not.toContain('回TD退订');
    }
  });

  it('keeps the opt-out hint apart from a trailing link and closes unpunctuated text', () => {
    const connected = { customerName: '张三', applicationNo: 'YX2026-0002', ratingHint: 'https://jd.example.cn/r/7Kq2' };
    expect(templates.render('connected', 'sms', connected, { today }).text).toBe(
      '【接电助手】您的用电申请（YX2026-0002）已完成装表接电，现已正常供电，感谢您的支持与配合！' +
        '欢迎评价本次服务：https://jd.example.cn/r/7Kq2 回TD退订',
    );
    const byText = { ...connected, ratingHint: '请在公众号中评分' };
    expect(templates.render('connected', 'sms', byText, { today }).text.endsWith('欢迎评价本次服务：请在公众号中评分。回TD退订')).toBe(true);
  });

  it('uses the configured signature', () => {
    const other = loadNoticeTemplates({ ...options, smsSignature: '【玉溪供电】' });
    expect(other.render('bind_code', 'sms', { code: '123456', validMinutes: 10 }, { today }).text).toBe(
      '【玉溪供电】验证码123456，用于绑定用电进度通知，10分钟内有效。请勿告知他人，如非本人操作请忽略。回TD退订',
    );
  });

  it('does not HTML-escape: texts are plain text', () => {
    const hurry = { applicationNo: 'YX2026-0009', customerName: 'A&B <贸易> "商行"', stepName: '现场勘查', message: "it's <ok> & fine", stepWorkdays: 2 };
    const { text } = templates.render('hurry_for_handler', 'sms', hurry, { today });
    expect(text).toContain('（A&B <贸易> "商行"）');
    expect(text).toContain("留言：“it's <ok> & fine”");
  });

  it('chooses the hv_single step_started SMS for hv_single applications only', () => {
    const reminder = '受电工程的设计、施工须委托具备相应资质的单位承担';
    const hv = templates.render('step_started', 'sms', stepStarted, { today, processCode: 'hv_single' }).text;
    expect(hv).toContain('用电申请YX2026-0001');
    expect(hv).toContain(reminder);
    // the regulatory sentence goes once per application: not in a step notice after the customer has had it
    const later = templates.render('step_started', 'sms', { ...stepStarted, includeRegulation: false }, { today, processCode: 'hv_single' });
    expect(later.text).not.toContain(reminder);
    expect(later.segments).toBe(2);
    expect(templates.render('plan_created', 'sms', noticeSamples.plan_created, { today, processCode: 'hv_single' }).text).toContain(reminder);
    for (const processCode of [undefined, null, 'lv_resident', 'hv_dual']) {
      expect(templates.render('step_started', 'sms', stepStarted, { today, processCode }).text).not.toContain(reminder);
    }
    // No WeChat override exists: the general WeChat template serves hv_single too.
    expect(templates.render('step_started', 'wechat', stepStarted, { today, processCode: 'hv_single' }).text).not.toContain(reminder);
    expect(templates.render('connected', 'sms', noticeSamples.connected, { today, processCode: 'hv_single' }).text).toContain('已完成装表接电');
  });
});

describe('SMS over 3 segments', () => {
  it('drops tasks from the end of the list, marked 等, until the SMS fits', () => {
    const task = (i: number) => `材料${i}` + '甲'.repeat(27);
    const variables = { ...stepStarted, step: { ...stepStarted.step, customerTasks: [1, 2, 3, 4, 5].map(task) } };
    const rendered = templates.render('step_started', 'sms', variables, { today });
    // 117 characters around the list leave room for two 30-character tasks, the ； and 等 (62); a third would need 93.
    expect(rendered.text).toBe(
      '【接电助手】用电申请YX2026-0001已进入“设计文件审核”环节，预计11月26日前完成。' +
        `需配合：材料1${'甲'.repeat(27)}；材料2${'甲'.repeat(27)}等。` +
        '下一环节“客户受电工程施工”11月27日开始，预计2027年1月15日接电。办理人李*，电话13912345678。回TD退订',
    );
    expect(rendered).toMatchObject({ segments: 3, shortened: true });
  });

  it('cuts free text (a handler reply) to the longest length that fits, marked …', () => {
    const answer = { applicationNo: 'YX2026-0001', reference: 'CB2611230007', reply: '电'.repeat(300) };
    const rendered = templates.render('hurry_answered', 'sms', answer, { today });
    // 6 (signature) + 42 (wording) + 1 (…) + 5 (回TD退订) leave 147 of 201 characters for the reply.
    expect(rendered.text).toBe(
      '【接电助手】您的催办（受理编号CB2611230007，用电申请YX2026-0001）已答复：' + '电'.repeat(147) + '…回TD退订',
    );
    expect(rendered).toMatchObject({ segments: 3, shortened: true });
  });

  it('sends the whole text on WeChat', () => {
    const answer = { applicationNo: 'YX2026-0001', reference: 'CB2611230007', reply: '电'.repeat(300) };
    expect(templates.render('hurry_answered', 'wechat', answer, { today }).text).toContain('答复：' + '电'.repeat(300));
  });

  it('cuts a very long handler name to its first characters instead of dropping the step notice', () => {
    const variables = { ...stepStarted, handler: { name: '李'.repeat(100), phone: '13912345678' } };
    const rendered = templates.render('step_started', 'sms', variables, { today });
    expect(rendered).toMatchObject({ shortened: true });
    expect(rendered.segments).toBeLessThanOrEqual(3);
    // the name is cut first (to 12 characters), then masked: the first character stays, the task list is whole
    expect(rendered.text).toContain(`办理人李${'*'.repeat(11)}，电话13912345678`);
    expect(rendered.text).toContain('提交受电工程设计文件及设计单位资质证明');
  });

  it('cuts a customer name of 100 emoji by whole characters in the handler hurry text', () => {
    const hurry = { applicationNo: 'YX2026-0001', customerName: '😀'.repeat(100), stepName: '设计文件审核', message: '请尽快', stepWorkdays: 3 };
    const rendered = templates.render('hurry_for_handler', 'sms', hurry, { today });
    expect(rendered.segments).toBeLessThanOrEqual(3);
    expect(rendered.text).toContain(`（${'😀'.repeat(11)}…）`);
    expect(rendered.text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(rendered.text).toContain('客户留言：“请尽快”');
  });

  it('keeps the last digits of a very long application number', () => {
    const applicationNo = 'YX' + '2026'.repeat(15) + '07';
    const escalation = { applicationNo, stepName: '设计文件审核', reason: 'unacknowledged' as const, count: 2, handlerName: '李'.repeat(100) };
    const rendered = templates.render('escalation', 'sms', escalation, { today });
    expect(rendered.segments).toBeLessThanOrEqual(3);
    expect(rendered.text).toContain(`督办：…${applicationNo.slice(-15)}“设计文件审核”`);
  });

  it('cuts names and numbers further when lists and free text are as short as they go', () => {
    const hurry = { applicationNo: 'YX' + '2026'.repeat(15) + '07', customerName: '玉'.repeat(100), stepName: '环'.repeat(110), message: '快'.repeat(100), stepWorkdays: 3 };
    const rendered = templates.render('hurry_for_handler', 'sms', hurry, { today });
    expect(rendered.segments).toBeLessThanOrEqual(3);
    expect(rendered.text).toContain('环'.repeat(110));
  });

  it('refuses to render when nothing can be shortened enough', () => {
    const hurry = { applicationNo: 'YX2026-0001', reference: 'CB2611230007', stepName: '环'.repeat(250) };
    expect(() => templates.render('hurry_received', 'sms', hurry, { today })).toThrow(NoticeTooLongError);
    expect(() => templates.render('hurry_received', 'sms', hurry, { today })).toThrow(/^sms\/hurry-received\.hbs: renders to 5 SMS segments even when shortened \(max 3\)$/);
  });
});

describe('loading templates', () => {
  it('fails at load on a misspelt variable, naming the file and the line', () => {
    const dir = templatesCopy(replaceIn('sms/step-started.hbs', '{{step.name}}', '{{step.nmae}}'));
    const error = loadError(dir);
    expect(error.problems.map((p) => p.file)).toContain('sms/step-started.hbs');
    expect(error.message).toMatch(/^sms\/step-started\.hbs: the sample: variable "step\.nmae" is not defined \(line 1, column \d+\)$/m);
  });

  it('fails at load on a misspelt variable in a block helper or a helper argument', () => {
    const ifTypo = loadError(templatesCopy(replaceIn('wechat/step-started.hbs', '{{#if handler}}', '{{#if handlr}}')));
    expect(ifTypo.message).toMatch(/^wechat\/step-started\.hbs: .*\{\{#if handlr\}\}: #if got undefined/m);
    const dateTypo = loadError(templatesCopy(replaceIn('sms/plan-created.hbs', 'expectedConnectDate', 'expectedConectDate')));
    expect(dateTypo.message).toMatch(/^sms\/plan-created\.hbs: .*needs a YYYY-MM-DD date, got undefined/m);
  });

  it('names the partial when the misspelt variable is in a partial', () => {
    const error = loadError(templatesCopy(replaceIn('partials/handler-line.hbs', 'handler.phone', 'handler.phon')));
    expect(error.message).toMatch(/^partials\/handler-line\.hbs \(in sms\/step-started\.hbs\): .*variable "handler\.phon" is not defined/m);
  });

  it('reports each problem on its own line', () => {
    const error = loadError(
      templatesCopy({
        'wechat/connected.hbs': null,
        'sms/step-strated.hbs': '您好',
        'sms/bind-code.hbs': '验证码{{code}}。回TD退订',
        'wechat/bind-code.hbs': '验证码：{{code}}\n{{> handler-line}}\n',
        'sms/plan-changed.hbs': '{{#if feasible}}可以{{/iff}}',
      }),
    );
    const lines = error.message.split('\n');
    expect(lines).toHaveLength(error.problems.length);
    expect(lines).toEqual(
      expect.arrayContaining([
        'wechat/connected.hbs: missing: every notice kind needs an sms and a wechat template',
        expect.stringMatching(/^sms\/step-strated\.hbs: no notice kind "step_strated"/),
        'sms/bind-code.hbs: contains the signature or "回TD退订"; the renderer adds both, templates must not',
        expect.stringMatching(/^wechat\/bind-code\.hbs: \{\{> handler-line\}\} stands alone on line 2/),
        expect.stringMatching(/^sms\/plan-changed\.hbs: if doesn't match iff/),
      ]),
    );
  });

  it('refuses a main sample SMS over 3 segments', () => {
    const error = loadError(templatesCopy({ 'sms/bind-code.hbs': '验证码{{code}}。' + '请勿告知他人。'.repeat(30) }));
    expect(error.message).toMatch(/^sms\/bind-code\.hbs: the sample renders to 4 SMS segments \(max 3; 231 UCS-2 characters\)$/m);
  });

  it('refuses an override for a process the catalog does not know, when given the catalog', () => {
    const dir = templatesCopy({ 'sms/step-started.hv_singel.hbs': '{{applicationNo}}' });
    expect(() => loadNoticeTemplates({ ...options, dir })).not.toThrow();
    const catalog = ['lv_resident', 'lv_business', 'hv_single', 'hv_dual'];
    expect(loadError(dir, { processCodes: catalog }).message).toBe('sms/step-started.hv_singel.hbs: no process "hv_singel" in the catalog');
  });

  it('keeps the samples JSON-able', () => {
    expect(JSON.parse(JSON.stringify(noticeSamples))).toEqual(noticeSamples);
    expect(JSON.parse(JSON.stringify(noticeEdgeSamples))).toEqual(noticeEdgeSamples);
  });

  it('lets the urgent notices through quiet hours and holds the others', () => {
    const urgent = noticeKinds.filter((kind) => noticeDefinitions[kind].urgent);
    expect(urgent).toEqual(['hurry_received', 'bind_code', 'sla_overdue', 'escalation', 'risk_urgent']);
  });
});

describe('templates:check', () => {
  function run(dir: string): { failures: number; output: string } {
    let output = '';
    const failures = runTemplatesCheck({ ...options, dir, out: { write: (chunk: string) => (output += chunk) } });
    return { failures, output };
  }

  it('prints every SMS with its segment count and every WeChat text, and passes the shipped templates', () => {
    const { failures, output } = run(templatesDir);
    expect(failures).toBe(0);
    expect(output).toContain('sms/step-started.hbs (2 segments, 134 UCS-2 units)');
    expect(output).toContain('sms/step-started.hv_single.hbs (');
    expect(output).toContain('    【接电助手】验证码482913，用于绑定用电进度通知，10分钟内有效。请勿告知他人，如非本人操作请忽略。回TD退订');
    expect(output).toContain('wechat/weekly-digest.hbs (');
    expect(output).toContain('\n    · YX2026-0003 现场勘查，将到期（11月24日（周二）23:59），办理人未指派\n');
    expect(output).toMatch(/30 templates rendered, \d+ edge-sample renders checked, 0 problems\n$/);
  });

  it('fails on an SMS over 3 segments', () => {
    const { failures, output } = run(templatesCopy({ 'sms/hurry-received.hbs': '催办{{reference}}已收到。' + '我们会尽快处理。'.repeat(30) }));
    expect(failures).toBe(1);
    expect(output).toContain('sms/hurry-received.hbs (5 segments, ');
    expect(output).toMatch(/^FAIL sms\/hurry-received\.hbs: the sample renders to 5 SMS segments \(max 3;/m);
    expect(output).toMatch(/1 problem\n$/);
  });

  it('fails on a template that does not render, and on an override over the limit', () => {
    const { failures, output } = run(
      templatesCopy({
        'wechat/sla-warning.hbs': '{{stepNam}}',
        'sms/step-started.hv_single.hbs': '{{step.name}}' + '请准备材料。'.repeat(40),
      }),
    );
    // The override fails its main sample and, as nothing in it can be shortened, the step_started edge samples
    // (reported once for the same problem).
    expect(failures).toBe(3);
    expect(output).toMatch(/^FAIL wechat\/sla-warning\.hbs: the sample: variable "stepNam" is not defined \(line 1, column 3\)$/m);
    expect(output).toMatch(/^FAIL sms\/step-started\.hv_single\.hbs: the sample renders to 4 SMS segments/m);
    expect(output).toMatch(/^FAIL sms\/step-started\.hv_single\.hbs: edge sample 1: renders to 4 SMS segments even when shortened/m);
    expect(output).toMatch(/3 problems\n$/);
  });

  it('checks the e-mail templates too', () => {
    expect(run(templatesDir).output).toMatch(/^e-mail templates \(email\/\): \d+ renders of subject, HTML and plain text checked$/m);
    const { failures, output } = run(templatesCopy({ 'email/connected.html.hbs': '<p>{{ratingHnt}}</p>', 'email/plan-created.subject.hbs': null }));
    expect(failures).toBe(2);
    expect(output).toMatch(/^FAIL email\/connected\.html\.hbs: the sample: variable "ratingHnt" is not defined/m);
    expect(output).toMatch(/^FAIL email\/plan-created\.subject\.hbs: missing/m);
  });
});
