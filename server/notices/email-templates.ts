// E-mail notices: each kind's subject, HTML part and plain-text part from templates/email/<kind>.{subject,html,text}.hbs,
// with the notice helpers. Loaded once at start; every template must render its kind's samples or the server does
// not start (as the SMS and WeChat templates).
//
// The HTML part is escaped (a customer name with "<" stays text); subject and plain text are not (they are not HTML).
import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { CalendarDate } from '../domain/dates.ts';
import { emailNoticeKinds, noticeEdgeSamples, noticeFileStem, noticeSamples, noticeSampleToday, type EmailNoticeKind, type NoticeVariables } from '../domain/notices.ts';
import { explainTemplateError, NoticeRenderError, NoticeTemplateError, noticeRenderOptions, registerNoticeHelpers, type TemplateProblem } from './notice-templates.ts';

export const emailParts = ['subject', 'html', 'text'] as const;
type EmailPart = (typeof emailParts)[number];

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export interface EmailRenderOptions {
  today: CalendarDate;
  /** the signed unsubscribe link for a customer; null for staff */
  unsubscribeUrl: string | null;
}

export interface EmailTemplates {
  render<K extends EmailNoticeKind>(kind: K, variables: NoticeVariables[K], options: EmailRenderOptions): RenderedEmail;
}

interface CompiledPart {
  file: string;
  text: string;
  template: Handlebars.TemplateDelegate;
}

const SAMPLE_UNSUBSCRIBE_URL = 'https://jd.example.cn/unsubscribe/email?token=sample';

function compileAll(dir: string, timeZone: string, problems: TemplateProblem[]) {
  const html = Handlebars.create();
  const plain = Handlebars.create();
  for (const env of [html, plain]) registerNoticeHelpers(env, timeZone);
  const partialsDir = path.join(dir, 'email', 'partials');
  if (fs.existsSync(partialsDir)) {
    for (const name of fs.readdirSync(partialsDir).filter((n) => n.endsWith('.hbs'))) {
      // footer.html.hbs is the HTML part's partial "footer", footer.text.hbs the plain part's
      const match = /^([a-z0-9-]+)\.(html|text)\.hbs$/.exec(name);
      if (!match) {
        problems.push({ file: `email/partials/${name}`, message: 'name e-mail partials <name>.html.hbs or <name>.text.hbs' });
        continue;
      }
      const text = fs.readFileSync(path.join(partialsDir, name), 'utf8').replace(/\n$/, '');
      (match[2] === 'html' ? html : plain).registerPartial(match[1]!, text);
    }
  }
  const parts = new Map<string, CompiledPart>();
  for (const kind of emailNoticeKinds) {
    for (const part of emailParts) {
      const file = `email/${noticeFileStem(kind)}.${part}.hbs`;
      const full = path.join(dir, file);
      if (!fs.existsSync(full)) {
        problems.push({ file, message: `missing: every e-mail notice (${emailNoticeKinds.join(', ')}) needs a subject, html and text template` });
        continue;
      }
      const text = fs.readFileSync(full, 'utf8').replace(/\r\n/g, '\n');
      const env = part === 'html' ? html : plain;
      try {
        const template = env.compile(text, { strict: true, noEscape: part !== 'html' });
        parts.set(`${kind}.${part}`, { file, text, template });
      } catch (error) {
        problems.push({ file, message: explainTemplateError(error, file, text) });
      }
    }
  }
  return parts;
}

function renderPart(part: CompiledPart, variables: unknown, options: EmailRenderOptions): string {
  try {
    return part.template({ ...(variables as object), unsubscribeUrl: options.unsubscribeUrl }, noticeRenderOptions('email', options.today));
  } catch (error) {
    throw new NoticeRenderError(part.file, explainTemplateError(error, part.file, part.text));
  }
}

function renderEmail(parts: Map<string, CompiledPart>, kind: EmailNoticeKind, variables: unknown, options: EmailRenderOptions): RenderedEmail {
  const get = (part: EmailPart) => {
    const compiled = parts.get(`${kind}.${part}`);
    if (!compiled) throw new NoticeRenderError(`email/${noticeFileStem(kind)}.${part}.hbs`, 'no such template');
    return renderPart(compiled, variables, options);
  };
  return {
    // a subject is one line
    subject: get('subject').replace(/\s+/g, ' ').trim(),
    html: get('html').trim() + '\n',
    text:
      get('text')
        .split('\n')
        .map((l) => l.trimEnd())
        .join('\n')
        .replace(/\n{3,}/g, '\n\n')
        .trim() + '\n',
  };
}

/** Renders every e-mail template against its kind's samples, collecting every problem (for `templates:check`). */
export function checkEmailTemplates(options: { dir: string; timeZone: string }): { renders: number; problems: TemplateProblem[] } {
  const problems: TemplateProblem[] = [];
  const parts = compileAll(options.dir, options.timeZone, problems);
  let renders = 0;
  const seen = new Set<string>();
  for (const kind of emailNoticeKinds) {
    const samples = [noticeSamples[kind], ...((noticeEdgeSamples[kind] ?? []) as unknown[])];
    for (const [i, sample] of samples.entries()) {
      for (const unsubscribeUrl of [SAMPLE_UNSUBSCRIBE_URL, null]) {
        renders++;
        try {
          const email = renderEmail(parts, kind, sample, { today: noticeSampleToday, unsubscribeUrl });
          if (email.subject === '') problems.push({ file: `email/${noticeFileStem(kind)}.subject.hbs`, message: 'renders an empty subject' });
        } catch (error) {
          if (error instanceof NoticeRenderError && error.problem === 'no such template') continue;
          const problem = error instanceof NoticeRenderError ? error.problem : String(error);
          const file = error instanceof NoticeRenderError ? error.file : `email/${noticeFileStem(kind)}`;
          // the same fault usually breaks every sample: reported once, with the first sample it broke
          const key = `${file}\u0000${problem}`;
          if (seen.has(key)) continue;
          seen.add(key);
          problems.push({ file, message: `${i === 0 ? 'the sample' : `edge sample ${i}`}: ${problem}` });
        }
      }
    }
  }
  return { renders, problems };
}

/** Reads the e-mail templates once; refuses to start (NoticeTemplateError) unless each renders every sample of its kind. */
export function loadEmailTemplates(options: { dir: string; timeZone: string }): EmailTemplates {
  const { problems } = checkEmailTemplates(options);
  if (problems.length > 0) throw new NoticeTemplateError(problems);
  const parts = compileAll(options.dir, options.timeZone, []);
  return {
    render: (kind, variables, renderOptions) => renderEmail(parts, kind, variables, renderOptions),
  };
}
