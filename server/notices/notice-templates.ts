// Loads the handlebars notice templates once at start, proves each renders its kind's samples, and renders notices.
//
// Decisions:
// - `noEscape: true`: SMS and WeChat texts are plain text handed to a provider, never HTML. HTML escaping would send
//   customers `A&amp;B` and `&#x27;`. Whoever shows a rendered text in a web page escapes it there.
// - `strict: true`, and the block helpers if/unless/each/with replaced by versions that refuse `undefined`: a
//   misspelt variable fails when the templates load, not in a customer's message. Strict mode alone does not check
//   helper arguments (`{{#if handlr}}`), hence the replacements; our own helpers refuse missing arguments too.
//   Samples are JSON, so a legitimately absent value is `null`, never `undefined`.
// - The SMS signature and, for customer notices, the opt-out hint 回TD退订 are added here, not in templates.
// - An SMS longer than MAX_SMS_SEGMENTS is shortened, least important part first: absurdly long names and numbers
//   (`name`, `maskName`, `number`) are cut to NAME_CHARS / NUMBER_CHARS by value-shortening's rules, then lists lose
//   items from the end (…等), then free text (`clip`: a customer's message, a handler's reply) is cut with '…', then
//   names and numbers are cut further, down to a character or four digits. Only what no rule may shorten (the
//   template's own wording, catalog step names) can still leave an SMS too long: render then throws
//   NoticeTooLongError, and the notice writer records that as an operator-visible failure. Only SMS are shortened.
import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { ChannelKind } from '../../channels/channel.ts';
import { formatChineseDate, formatChineseDateTime } from '../domain/chinese-dates.ts';
import { isCalendarDate, type CalendarDate } from '../domain/dates.ts';
import { maskName, maskPhone } from '../domain/masking.ts';
import { displayLength, shortenValue } from '../domain/value-shortening.ts';
import {
  isNoticeKind,
  noticeDefinitions,
  noticeEdgeSamples,
  noticeFileStem,
  noticeKinds,
  noticeSamples,
  noticeSampleToday,
  type NoticeKind,
  type NoticeVariables,
} from '../domain/notices.ts';
import { MAX_SMS_SEGMENTS, smsSegments, type SmsSegmentCount } from '../domain/sms-segments.ts';

export const OPT_OUT_HINT = '回TD退订';

/** The channels with text templates of their own (templates/sms/, templates/wechat/). */
export const textTemplateChannels = ['sms', 'wechat'] as const;
export type TextTemplateChannel = (typeof textTemplateChannels)[number];
/** The channels whose messages are these text templates; e-mails have theirs under templates/email/. */
export type TextChannel = Exclude<ChannelKind, 'email'>;

/**
 * WeCom messages to staff use the WeChat wording: both are chat messages without the SMS's length limit. The
 * Official Account sends template messages from its own field map (templates/wechat-oa.json); its outbox rows keep
 * the WeChat text for the record and the log fallback.
 */
const textTemplateChannelOf: Record<TextChannel, TextTemplateChannel> = { sms: 'sms', wechat: 'wechat', wecom: 'wechat', wechat_oa: 'wechat' };

export interface NoticeTemplatesOptions {
  /** the templates directory, holding sms/, wechat/ and partials/ */
  dir: string;
  smsSignature: string;
  timeZone: string;
  /** when given, a per-process override for a process not in this list is a problem */
  processCodes?: readonly string[];
}

export interface RenderOptions {
  /** picks `<kind>.<processCode>.hbs` over `<kind>.hbs` when that override exists */
  processCode?: string | null;
  /** the utility's today: dates in another year are written with their year */
  today: CalendarDate;
}

export interface RenderedNotice {
  text: string;
  /** SMS segments of `text`; null for WeChat */
  segments: number | null;
  /** true when an SMS was shortened to fit MAX_SMS_SEGMENTS */
  shortened: boolean;
}

export interface NoticeTemplates {
  render<K extends NoticeKind>(
    kind: K,
    channel: TextChannel,
    variables: NoticeVariables[K],
    options: RenderOptions,
  ): RenderedNotice;
}

export interface TemplateProblem {
  /** relative to the templates directory, e.g. `sms/step-started.hbs` */
  file: string;
  /** one line */
  message: string;
}

export interface SampleRender {
  file: string;
  kind: NoticeKind;
  channel: TextTemplateChannel;
  processCode: string | null;
  text: string;
  /** null for WeChat */
  sms: SmsSegmentCount | null;
}

export interface TemplatesCheckResult {
  /** every template rendered with its kind's main sample (unshortened) */
  renders: SampleRender[];
  /** how many renders of edge samples were checked besides */
  edgeRenders: number;
  problems: TemplateProblem[];
}

/** The templates cannot be used; `problems` holds each one, and the message lists them one per line. */
export class NoticeTemplateError extends Error {
  constructor(readonly problems: TemplateProblem[]) {
    super(problems.map((p) => `${p.file}: ${p.message}`).join('\n'));
    this.name = 'NoticeTemplateError';
  }
}

/** A notice could not be rendered; the message names the template file. */
export class NoticeRenderError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'NoticeRenderError';
  }
}

/** An SMS that does not fit MAX_SMS_SEGMENTS even after shortening. */
export class NoticeTooLongError extends NoticeRenderError {
  constructor(
    file: string,
    readonly segments: number,
  ) {
    super(file, `renders to ${segments} SMS segments even when shortened (max ${MAX_SMS_SEGMENTS})`);
    this.name = 'NoticeTooLongError';
  }
}

// ---- loading --------------------------------------------------------------------------------------

interface Source {
  file: string;
  text: string;
}

interface TemplateFile extends Source {
  kind: NoticeKind;
  channel: TextTemplateChannel;
  processCode: string | null;
  template: Handlebars.TemplateDelegate;
}

interface RenderState {
  channel: ChannelKind;
  referenceYear: number;
  maxListItems: number | null;
  maxClipChars: number | null;
  /** names (`name`, `maskName`) and numbers (`number`) are shortened to these many characters when set */
  maxNameChars: number | null;
  maxNumberChars: number | null;
  longestList: number;
  longestClip: number;
  longestName: number;
  longestNumber: number;
}

interface HelperCallOptions {
  data?: { jd?: RenderState };
  loc?: { start: { line: number; column: number } };
}

type Env = typeof Handlebars;

const FILE_NAME = /^([a-z0-9]+(?:-[a-z0-9]+)*)(?:\.([a-z0-9_]+))?\.hbs$/;
const PARTIAL_NAME = /^([a-z0-9]+(?:-[a-z0-9]+)*)\.hbs$/;

/** An error with its place in the source (1-based line and column) that a helper or strict lookup raised. */
class TemplateFault extends Error {
  constructor(
    message: string,
    readonly line: number | null,
    readonly column: number | null,
  ) {
    super(message);
  }
}

/** An error already attributed to a file (a partial), passed up unchanged. */
class LocatedFault extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

function oneLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^-*\^$/.test(l));
  return lines.length <= 2 ? lines.join(' ') : `${lines[0]} ${lines[lines.length - 1]}`;
}

function show(value: unknown): string {
  if (value === undefined) return 'undefined (is the variable spelt right?)';
  return JSON.stringify(value) ?? String(value);
}

function where(line: number | null, column: number | null): string {
  return line === null ? '' : ` (line ${line}${column === null ? '' : `, column ${column}`})`;
}

// Turns whatever a render threw into one line that points into `source`.
function explain(error: unknown, source: Source): { file: string; message: string } {
  if (error instanceof LocatedFault) return { file: error.file, message: error.message };
  const lineOf = (line: number) => source.text.split('\n')[line - 1] ?? '';
  if (error instanceof TemplateFault) {
    let tag = '';
    if (error.line !== null && error.column !== null) {
      const rest = lineOf(error.line).slice(error.column - 1);
      const end = rest.indexOf('}}');
      if (rest.startsWith('{{') && end > 0) tag = rest.slice(0, end + 2) + ': ';
    }
    return { file: source.file, message: `${tag}${error.message}${where(error.line, error.column)}` };
  }
  if (error instanceof Error) {
    const e = error as Error & { lineNumber?: number; column?: number };
    const line = typeof e.lineNumber === 'number' ? e.lineNumber : null;
    const column = typeof e.column === 'number' ? e.column + 1 : null;
    const missing = /^"([^"]*)" not defined in /.exec(e.message);
    if (missing && line !== null && column !== null) {
      const tag = /^([\w@.\/\-\[\]]+)(\s+[^}]*)?\}\}/.exec(lineOf(line).slice(column - 1));
      // A name followed by arguments was meant as a helper.
      const what = tag?.[2] ? 'helper' : 'variable';
      return { file: source.file, message: `${what} "${tag?.[1] ?? missing[1]}" is not defined${where(line, column)}` };
    }
    const message = oneLine(e.message.replace(/ - \d+:\d+$/, ''));
    return { file: source.file, message: `${message}${where(line, column)}` };
  }
  return { file: source.file, message: String(error) };
}

interface AstNode {
  type: string;
  loc?: { start: { line: number; column: number }; end: { line: number; column: number } };
  name?: { original?: unknown };
  body?: AstNode[];
  program?: AstNode | null;
  inverse?: AstNode | null;
}

// Handlebars treats a partial alone on its line as "standalone" and drops that line's break; our partials end
// without one (so they work inline), so a standalone call would glue two lines together. Only inline calls are allowed.
function standalonePartials(ast: AstNode, text: string): string[] {
  const lines = text.split('\n');
  const found: string[] = [];
  const visit = (node: AstNode | null | undefined): void => {
    if (!node) return;
    if ((node.type === 'PartialStatement' || node.type === 'PartialBlockStatement') && node.loc) {
      const { start, end } = node.loc;
      const line = lines[start.line - 1] ?? '';
      if (start.line === end.line && line.slice(0, start.column).trim() === '' && line.slice(end.column).trim() === '') {
        found.push(
          `{{> ${String(node.name?.original)}}} stands alone on line ${start.line}, which drops the line break after it; ` +
            'write it inline with text, e.g. "{{> name}}。"',
        );
      }
    }
    node.body?.forEach(visit);
    visit(node.program);
    visit(node.inverse);
  };
  visit(ast);
  return found;
}

function readSources(dir: string, sub: string, problems: TemplateProblem[], required: boolean): Source[] {
  const full = path.join(dir, sub);
  let names: string[];
  try {
    names = fs.readdirSync(full).filter((n) => n.endsWith('.hbs')).sort();
  } catch {
    if (required) problems.push({ file: `${sub}/`, message: `directory not found in ${dir}` });
    return [];
  }
  return names.map((name) => ({
    file: `${sub}/${name}`,
    text: fs.readFileSync(path.join(full, name), 'utf8').replace(/\r\n/g, '\n'),
  }));
}

function parse(env: Env, source: Source, problems: TemplateProblem[]): AstNode | null {
  try {
    const ast = env.parse(source.text) as unknown as AstNode;
    const standalone = standalonePartials(ast, source.text);
    for (const message of standalone) problems.push({ file: source.file, message });
    return standalone.length === 0 ? ast : null;
  } catch (error) {
    problems.push(explain(error, source));
    return null;
  }
}

const COMPILE_OPTIONS = { strict: true, noEscape: true } as const;

function stateOf(options: HelperCallOptions): RenderState {
  const state = options.data?.jd;
  if (!state) throw new TemplateFault('rendered without render state', null, null);
  return state;
}

function registerHelpers(env: Env, timeZone: string): void {
  const helper = (
    name: string,
    params: { min: number; max: number },
    fn: (args: unknown[], state: RenderState, options: HelperCallOptions) => unknown,
  ) => {
    env.registerHelper(name, function (this: unknown, ...all: unknown[]) {
      const options = all[all.length - 1] as HelperCallOptions;
      const args = all.slice(0, -1);
      const fault = (problem: string) =>
        new TemplateFault(problem, options.loc?.start.line ?? null, options.loc ? options.loc.start.column + 1 : null);
      if (args.length < params.min || args.length > params.max) {
        const count = params.min === params.max ? `${params.min}` : `${params.min}–${params.max}`;
        throw fault(`${name} takes ${count} argument(s), got ${args.length}`);
      }
      try {
        return fn.call(this, args, stateOf(options), options);
      } catch (error) {
        if (error instanceof TemplateFault || error instanceof LocatedFault) throw error;
        throw fault(error instanceof Error ? error.message : String(error));
      }
    });
  };
  const text = (value: unknown, what: string): string => {
    if (typeof value !== 'string') throw new Error(`needs ${what}, got ${show(value)}`);
    return value;
  };
  const strings = (value: unknown): string[] => {
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' || typeof v === 'number')) {
      throw new Error(`needs a list of texts, got ${show(value)}`);
    }
    return value.map(String);
  };

  helper('date', { min: 1, max: 1 }, ([value], state) => {
    if (!isCalendarDate(value)) throw new Error(`needs a YYYY-MM-DD date, got ${show(value)}`);
    return formatChineseDate(value, state.referenceYear);
  });
  // A date without its weekday, for the secondary dates of a text that must stay short (a step notice's next start).
  helper('day', { min: 1, max: 1 }, ([value], state) => {
    if (!isCalendarDate(value)) throw new Error(`needs a YYYY-MM-DD date, got ${show(value)}`);
    return formatChineseDate(value, state.referenceYear).replace(/（[^）]*）$/, '');
  });
  helper('datetime', { min: 1, max: 1 }, ([value], state) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new Error(`needs an instant in epoch milliseconds, got ${show(value)}`);
    }
    return formatChineseDateTime(value, timeZone, state.referenceYear);
  });
  // Names keep their first characters, numbers their last digits (value-shortening.ts), in SMS that are too long.
  const shortened = (kind: 'name' | 'number', value: string, state: RenderState): string => {
    if (state.channel !== 'sms') return value;
    const length = displayLength(value);
    if (kind === 'name') state.longestName = Math.max(state.longestName, length);
    else state.longestNumber = Math.max(state.longestNumber, length);
    const limit = kind === 'name' ? state.maxNameChars : state.maxNumberChars;
    return limit === null ? value : shortenValue(kind, value, limit);
  };
  helper('name', { min: 1, max: 1 }, ([value], state) => shortened('name', text(value, 'a name'), state));
  helper('number', { min: 1, max: 1 }, ([value], state) => shortened('number', text(value, 'a number'), state));
  helper('maskName', { min: 1, max: 1 }, ([value], state) => maskName(shortened('name', text(value, 'a name'), state)));
  helper('maskPhone', { min: 1, max: 1 }, ([value]) => maskPhone(text(value, 'a phone number')));
  // SMS: one line joined with '；' (cut to the first items + 等 when the SMS is too long); WeChat: numbered lines,
  // each starting on a new line, so a label can precede it: "请您配合：{{list tasks}}".
  helper('list', { min: 1, max: 1 }, ([value], state) => {
    const items = strings(value);
    state.longestList = Math.max(state.longestList, items.length);
    if (state.channel !== 'sms') return items.map((item, i) => `\n${i + 1}. ${item}`).join('');
    const limit = state.maxListItems;
    if (limit !== null && items.length > limit) return items.slice(0, limit).join('；') + '等';
    return items.join('；');
  });
  helper('join', { min: 1, max: 2 }, ([value, separator]) => {
    const sep = separator === undefined ? '、' : text(separator, 'a separator');
    return strings(value).join(sep);
  });
  // Free text from people: whitespace folded in SMS, and the part cut first when an SMS is too long.
  helper('clip', { min: 1, max: 1 }, ([value], state) => {
    const raw = text(value, 'a text');
    if (state.channel !== 'sms') return raw.trim();
    const chars = Array.from(raw.replace(/\s+/g, ' ').trim());
    state.longestClip = Math.max(state.longestClip, chars.length);
    const limit = state.maxClipChars;
    return limit !== null && chars.length > limit ? chars.slice(0, limit).join('') + '…' : chars.join('');
  });
  helper('eq', { min: 2, max: 2 }, ([a, b]) => {
    if (a === undefined || b === undefined) throw new Error(`compares ${show(a)} with ${show(b)}`);
    return a === b;
  });

  for (const name of ['if', 'unless', 'each', 'with']) {
    const builtIn = env.helpers[name] as (...args: unknown[]) => unknown;
    env.registerHelper(name, function (this: unknown, ...all: unknown[]) {
      const options = all[all.length - 1] as HelperCallOptions;
      if (all.length !== 2 || all[0] === undefined) {
        throw new TemplateFault(
          all.length !== 2 ? `#${name} takes 1 argument` : `#${name} got undefined (is the variable spelt right?)`,
          options.loc?.start.line ?? null,
          options.loc ? options.loc.start.column + 1 : null,
        );
      }
      return builtIn.apply(this, all);
    });
  }
}

function registerPartials(env: Env, dir: string, problems: TemplateProblem[]): void {
  for (const source of readSources(dir, 'partials', problems, false)) {
    const match = PARTIAL_NAME.exec(path.basename(source.file));
    if (!match) {
      problems.push({ file: source.file, message: 'partial names are kebab-case, e.g. handler-line.hbs' });
      continue;
    }
    // Partials are phrases used inline: the file's final line break is not part of them.
    const trimmed = { file: source.file, text: source.text.replace(/\n$/, '') };
    const ast = parse(env, trimmed, problems);
    if (!ast) continue;
    const compiled = env.compile(ast, COMPILE_OPTIONS);
    env.registerPartial(match[1]!, (context: unknown, options?: Handlebars.RuntimeOptions) => {
      try {
        return compiled(context, options);
      } catch (error) {
        if (error instanceof LocatedFault) throw error;
        const { file, message } = explain(error, trimmed);
        throw new LocatedFault(file, message);
      }
    });
  }
}

interface Loaded {
  templates: Map<string, TemplateFile>;
  problems: TemplateProblem[];
  smsSignature: string;
}

const keyOf = (channel: TextTemplateChannel, kind: NoticeKind, processCode: string | null) =>
  processCode === null ? `${channel}/${kind}` : `${channel}/${kind}.${processCode}`;

function loadSources(options: NoticeTemplatesOptions): Loaded {
  const problems: TemplateProblem[] = [];
  const env = Handlebars.create();
  registerHelpers(env, options.timeZone);
  registerPartials(env, options.dir, problems);
  const templates = new Map<string, TemplateFile>();
  for (const channel of textTemplateChannels) {
    for (const source of readSources(options.dir, channel, problems, true)) {
      const match = FILE_NAME.exec(path.basename(source.file));
      const kind = match?.[1]?.replaceAll('-', '_');
      if (!match || !isNoticeKind(kind)) {
        problems.push({
          file: source.file,
          message:
            `no notice kind "${kind ?? path.basename(source.file)}"; name templates after the kind with dashes ` +
            '(step-started.hbs), optionally with a process (step-started.hv_single.hbs)',
        });
        continue;
      }
      const processCode = match[2] ?? null;
      if (processCode !== null && options.processCodes && !options.processCodes.includes(processCode)) {
        problems.push({ file: source.file, message: `no process "${processCode}" in the catalog` });
        continue;
      }
      if (channel === 'sms') {
        const signed = options.smsSignature !== '' && source.text.includes(options.smsSignature);
        if (signed || source.text.includes(OPT_OUT_HINT)) {
          problems.push({
            file: source.file,
            message: `contains the signature or "${OPT_OUT_HINT}"; the renderer adds both, templates must not`,
          });
          continue;
        }
      }
      const ast = parse(env, source, problems);
      if (!ast) continue;
      templates.set(keyOf(channel, kind, processCode), {
        ...source,
        kind,
        channel,
        processCode,
        template: env.compile(ast, COMPILE_OPTIONS),
      });
    }
  }
  for (const kind of noticeKinds) {
    for (const channel of textTemplateChannels) {
      const file = `${channel}/${noticeFileStem(kind)}.hbs`;
      // A file that is there but broken has its problem reported already.
      if (!templates.has(keyOf(channel, kind, null)) && !problems.some((p) => p.file === file)) {
        problems.push({ file, message: 'missing: every notice kind needs an sms and a wechat template' });
      }
    }
  }
  return { templates, problems, smsSignature: options.smsSignature };
}

// ---- rendering ------------------------------------------------------------------------------------

function referenceYearOf(today: CalendarDate): number {
  if (!isCalendarDate(today)) throw new RangeError(`today must be a YYYY-MM-DD date, got ${show(today)}`);
  return Number(today.slice(0, 4));
}

function renderBody(file: TemplateFile, variables: unknown, state: RenderState): string {
  try {
    return file.template(variables, { data: { jd: state } });
  } catch (error) {
    const { file: where, message } = explain(error, file);
    throw new NoticeRenderError(where === file.file ? file.file : `${where} (in ${file.file})`, message);
  }
}

function finishWechat(body: string): string {
  return body
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// Template line breaks only help authors read SMS templates: an SMS is one paragraph.
function finishSms(body: string, signature: string, customer: boolean): string {
  const flat = body
    .split('\n')
    .map((l) => l.trim())
    .join('');
  if (!customer) return signature + flat;
  // The hint must read as its own sentence: a space after a trailing link (keeps it clickable), a full stop after
  // unpunctuated text (a reply or rating hint at the end).
  const separator = /[\x21-\x7e]$/.test(flat) ? ' ' : /[。！？…”）」]$/.test(flat) || flat === '' ? '' : '。';
  return signature + flat + separator + OPT_OUT_HINT;
}

interface Limits {
  maxListItems: number | null;
  maxClipChars: number | null;
  maxNameChars: number | null;
  maxNumberChars: number | null;
}

const UNLIMITED: Limits = { maxListItems: null, maxClipChars: null, maxNameChars: null, maxNumberChars: null };
/** What a name or number is cut to before anything else is: longer ones are not what a reader needs. */
const NAME_CHARS = 12;
const NUMBER_CHARS = 16;
/** The further cuts when lists and free text are already as short as they go, least harmful first. */
const LAST_RESORT: readonly { name: number; number: number }[] = [
  { name: 6, number: 12 },
  { name: 3, number: 8 },
  { name: 1, number: 4 },
];

function newState(channel: ChannelKind, referenceYear: number, limits: Limits = UNLIMITED): RenderState {
  return { channel, referenceYear, ...limits, longestList: 0, longestClip: 0, longestName: 0, longestNumber: 0 };
}

interface SmsAttempt {
  text: string;
  count: SmsSegmentCount;
  state: RenderState;
}

function renderSms(
  loaded: Loaded,
  file: TemplateFile,
  variables: unknown,
  referenceYear: number,
  shorten: boolean,
): SmsAttempt & { shortened: boolean } {
  const customer = noticeDefinitions[file.kind].audience === 'customer';
  const attempt = (limits: Limits): SmsAttempt => {
    const state = newState('sms', referenceYear, limits);
    const text = finishSms(renderBody(file, variables, state), loaded.smsSignature, customer);
    return { text, count: smsSegments(text), state };
  };
  const fits = (a: SmsAttempt) => a.count.segments <= MAX_SMS_SEGMENTS;
  const full = attempt(UNLIMITED);
  if (fits(full) || !shorten) return { ...full, shortened: false };

  const capped: Limits = {
    ...UNLIMITED,
    maxNameChars: full.state.longestName > NAME_CHARS ? NAME_CHARS : null,
    maxNumberChars: full.state.longestNumber > NUMBER_CHARS ? NUMBER_CHARS : null,
  };
  if (capped.maxNameChars !== null || capped.maxNumberChars !== null) {
    const a = attempt(capped);
    if (fits(a)) return { ...a, shortened: true };
  }
  for (let items = full.state.longestList - 1; items >= 1; items--) {
    const a = attempt({ ...capped, maxListItems: items });
    if (fits(a)) return { ...a, shortened: true };
  }
  const listed: Limits = { ...capped, maxListItems: full.state.longestList > 1 ? 1 : null };
  // The longest clip that fits, by bisection: a shorter clip never makes the text longer.
  let best: SmsAttempt | null = null;
  let lo = 1;
  let hi = full.state.longestClip - 1;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    const a = attempt({ ...listed, maxClipChars: mid });
    if (fits(a)) {
      best = a;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  if (best) return { ...best, shortened: true };
  const clipped: Limits = { ...listed, maxClipChars: full.state.longestClip > 0 ? 1 : null };
  let shortest = attempt(clipped);
  for (const cut of LAST_RESORT) {
    if (full.state.longestName <= cut.name && full.state.longestNumber <= cut.number) continue;
    shortest = attempt({
      ...clipped,
      maxNameChars: full.state.longestName > cut.name ? cut.name : null,
      maxNumberChars: full.state.longestNumber > cut.number ? cut.number : null,
    });
    if (fits(shortest)) return { ...shortest, shortened: true };
  }
  throw new NoticeTooLongError(file.file, shortest.count.segments);
}

function pick(loaded: Loaded, kind: NoticeKind, channel: TextTemplateChannel, processCode: string | null | undefined): TemplateFile {
  const file =
    (processCode ? loaded.templates.get(keyOf(channel, kind, processCode)) : undefined) ??
    loaded.templates.get(keyOf(channel, kind, null));
  if (!file) throw new NoticeRenderError(`${channel}/${noticeFileStem(kind)}.hbs`, 'no such template');
  return file;
}

function renderFile(
  loaded: Loaded,
  file: TemplateFile,
  variables: unknown,
  today: CalendarDate,
  shorten: boolean,
): RenderedNotice & { sms: SmsSegmentCount | null } {
  const referenceYear = referenceYearOf(today);
  if (file.channel === 'sms') {
    const result = renderSms(loaded, file, variables, referenceYear, shorten);
    return { text: result.text, segments: result.count.segments, shortened: result.shortened, sms: result.count };
  }
  const text = finishWechat(renderBody(file, variables, newState(file.channel, referenceYear)));
  return { text, segments: null, shortened: false, sms: null };
}

// ---- for other template families (e-mail) ----------------------------------------------------------

/** Registers the notice helpers (date, datetime, maskName, list, …) on another Handlebars environment. */
export function registerNoticeHelpers(env: Env, timeZone: string): void {
  registerHelpers(env, timeZone);
}

/** The runtime options a template of such an environment renders with, as a `channel` message written `today`. */
export function noticeRenderOptions(channel: ChannelKind, today: CalendarDate): Handlebars.RuntimeOptions {
  return { data: { jd: newState(channel, referenceYearOf(today)) } };
}

/** One line naming the place in `source` of what a render or parse threw. */
export function explainTemplateError(error: unknown, file: string, text: string): string {
  return explain(error, { file, text }).message;
}

// ---- checking -------------------------------------------------------------------------------------

function checkLoaded(loaded: Loaded): TemplatesCheckResult {
  const problems = [...loaded.problems];
  const renders: SampleRender[] = [];
  let edgeRenders = 0;
  const seen = new Set<string>();
  // The same fault usually breaks every sample: report it once, with the first sample it broke.
  const fail = (file: TemplateFile, error: unknown, sample: string) => {
    const where = error instanceof NoticeRenderError ? error.file : file.file;
    const problem =
      error instanceof NoticeRenderError ? error.problem : error instanceof Error ? error.message : String(error);
    const key = `${where}\u0000${problem}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push({ file: where, message: `${sample}: ${problem}` });
  };
  for (const file of loaded.templates.values()) {
    try {
      const main = renderFile(loaded, file, noticeSamples[file.kind], noticeSampleToday, false);
      const { kind, channel, processCode } = file;
      renders.push({ file: file.file, kind, channel, processCode, text: main.text, sms: main.sms });
      if (main.sms && main.sms.segments > MAX_SMS_SEGMENTS) {
        const { segments, units, encoding } = main.sms;
        const unit = encoding === 'ucs2' ? 'UCS-2 characters' : 'GSM-7 characters';
        problems.push({
          file: file.file,
          message: `the sample renders to ${segments} SMS segments (max ${MAX_SMS_SEGMENTS}; ${units} ${unit})`,
        });
      }
    } catch (error) {
      fail(file, error, 'the sample');
    }
    const edges = (noticeEdgeSamples[file.kind] ?? []) as unknown[];
    edges.forEach((sample, i) => {
      edgeRenders++;
      try {
        renderFile(loaded, file, sample, noticeSampleToday, true);
      } catch (error) {
        fail(file, error, `edge sample ${i + 1}`);
      }
    });
  }
  return { renders, edgeRenders, problems };
}

/** Reads and renders every template against the samples, collecting every problem (for `templates:check`). */
export function checkNoticeTemplates(options: NoticeTemplatesOptions): TemplatesCheckResult {
  return checkLoaded(loadSources(options));
}

/**
 * Reads every template and partial once, and refuses to start (NoticeTemplateError, one line per problem) unless
 * every kind has an sms and a wechat template, every template renders every sample of its kind, and every
 * main-sample SMS fits MAX_SMS_SEGMENTS unshortened.
 */
export function loadNoticeTemplates(options: NoticeTemplatesOptions): NoticeTemplates {
  const loaded = loadSources(options);
  const { problems } = checkLoaded(loaded);
  if (problems.length > 0) throw new NoticeTemplateError(problems);
  return {
    render(kind, channel, variables, renderOptions) {
      if (!isNoticeKind(kind)) throw new NoticeRenderError(`${channel}/?`, `no notice kind ${show(kind)}`);
      const file = pick(loaded, kind, textTemplateChannelOf[channel], renderOptions.processCode);
      const { text, segments, shortened } = renderFile(loaded, file, variables, renderOptions.today, true);
      return { text, segments, shortened };
    },
  };
}
