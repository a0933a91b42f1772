// Template SMS (Aliyun, Tencent Cloud): a notice kind or chat reply maps to a template registered with the carrier
// and the values of its variables. The map is data (templates/sms-<provider>.json); this file reads its values out
// of a notice's variables, shortens them by the one rule (value-shortening.ts) and checks a map against samples.
import { formatChineseDate, formatChineseDateTime } from './chinese-dates.ts';
import type { CalendarDate } from './dates.ts';
import { maskName } from './masking.ts';
import { noticeEdgeSamples, noticeKinds, noticeSamples, noticeSampleToday } from './notices.ts';
import { MAX_SMS_SEGMENTS, smsSegments } from './sms-segments.ts';
import { shortenValue, utf16Length, type LengthMeasure, type ValueKind } from './value-shortening.ts';

export const templateProviders = ['aliyun', 'tencent'] as const;
export type TemplateProvider = (typeof templateProviders)[number];

/**
 * How a variable's value is written. name/masked_name/number/text are shortened to fit; the others (a code, a date,
 * a count) would be wrong when shortened, so a value of theirs that does not fit is a problem of the map.
 */
export const valueFormats = ['name', 'masked_name', 'number', 'text', 'code', 'date', 'datetime', 'count'] as const;
export type ValueFormat = (typeof valueFormats)[number];

const shortenAs: Partial<Record<ValueFormat, ValueKind>> = { name: 'name', masked_name: 'name', number: 'number', text: 'text' };

export interface TemplateVariable {
  /** the path of the value in the notice's variables, e.g. `step.name`; a reply's variables are flat */
  from: string;
  format: ValueFormat;
  /** at most this many characters; default: the provider's limit */
  maxChars?: number;
  /** written when the value is null (e.g. no next step); without it a null value is a problem */
  ifNull?: string;
}

export interface ProviderTemplate {
  /** the template code registered with the provider (Aliyun SMS_123456789, Tencent's numeric id) */
  templateId: string;
  /** the registered content, with ${name} (Aliyun) or {1} (Tencent) placeholders: for checks and logs */
  content: string;
  variables: Record<string, TemplateVariable>;
}

/** The chat replies a template provider can send back to a customer's SMS. */
export const replyTemplateKinds = [
  'progress',
  'hurry',
  'hurry_cooldown',
  'choose_application',
  'unbound',
  'bind_code_sent',
  'bind_code_throttled',
  'bind_code_limited',
  'bind_locked',
  'bound',
  'code_wrong',
  'code_expired',
  'knowledge',
  'muted',
  'unmuted',
  'rated',
  'rated_follow_up',
  'complaint',
  'fallback',
] as const;
export type ReplyTemplateKind = (typeof replyTemplateKinds)[number];

export interface SmsTemplateMap {
  provider: TemplateProvider;
  notices: Record<string, ProviderTemplate>;
  replies: Record<ReplyTemplateKind, ProviderTemplate>;
}

export interface ProviderLimits {
  /** a variable's value at most this many characters, as `measure` counts them */
  maxVariableChars: number;
  /** how the provider counts a value's characters */
  measure: LengthMeasure;
  /** Aliyun: named ${var}; Tencent: positional {1}, {2}… */
  placeholders: 'named' | 'positional';
}

export const providerLimits: Record<TemplateProvider, ProviderLimits> = {
  // Aliyun: a variable of type 其他 holds up to 35 characters. Tencent: a variable of a notification template holds up
  // to 12 (FailedOperation.TemplateParameterLengthLimit beyond). Both count a Chinese character, letter, digit,
  // punctuation mark or space as one; a character outside the BMP (rare CJK in names, emoji) is two UTF-16 units
  // to their length checks, so values are measured in UTF-16 units.
  aliyun: { maxVariableChars: 35, measure: utf16Length, placeholders: 'named' },
  tencent: { maxVariableChars: 12, measure: utf16Length, placeholders: 'positional' },
};

/** The notice kind of a chat reply sent as template SMS; its variables carry `template` (a ReplyTemplateKind). */
export const CHAT_REPLY_NOTICE_KIND = 'chat_reply';

export interface TemplateParams {
  templateId: string;
  /** variable name → value, in the template's order; Tencent's names are 1, 2, … */
  params: Record<string, string>;
  /** the content with the values filled in, without the sign name */
  text: string;
}

export interface RenderContext {
  /** the utility's today: dates in another year are written with their year */
  today: CalendarDate;
  timeZone: string;
}

function valueAt(variables: Record<string, unknown>, path: string): unknown {
  let value: unknown = variables;
  for (const key of path.split('.')) {
    if (value === null || value === undefined || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The written value before shortening, or null when there is none. */
function written(variable: TemplateVariable, raw: unknown, context: RenderContext): string | null {
  if (raw === null || raw === undefined || raw === '') return null;
  const year = Number(context.today.slice(0, 4));
  switch (variable.format) {
    case 'count':
      return String(Array.isArray(raw) ? raw.length : raw);
    case 'date':
      return formatChineseDate(String(raw), year, { weekday: false });
    case 'datetime':
      return typeof raw === 'number' ? formatChineseDateTime(raw, context.timeZone, year, { weekday: false }) : String(raw);
    case 'masked_name':
      return maskName(String(raw));
    default:
      return String(raw);
  }
}

export class TemplateValueError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`variable ${variable} ${problem}`);
    this.name = 'TemplateValueError';
  }
}

/** The value of one variable, shortened to its limit; throws TemplateValueError when it is missing or cannot fit. */
export function variableValue(name: string, variable: TemplateVariable, variables: Record<string, unknown>, limits: ProviderLimits, context: RenderContext): string {
  const max = variable.maxChars ?? limits.maxVariableChars;
  const value = written(variable, valueAt(variables, variable.from), context) ?? variable.ifNull ?? null;
  if (value === null) throw new TemplateValueError(name, `has no value (${variable.from} is empty and there is no ifNull)`);
  const length = limits.measure(value);
  if (length <= max) return value;
  const kind = shortenAs[variable.format];
  if (!kind) throw new TemplateValueError(name, `"${value}" is ${length} characters, over its limit of ${max}, and a ${variable.format} is not shortened`);
  return shortenValue(kind, value, max, limits.measure);
}

const placeholderPattern: Record<ProviderLimits['placeholders'], RegExp> = { named: /\$\{([A-Za-z0-9_]+)\}/g, positional: /\{(\d+)\}/g };

/** The placeholder names of a template's content, in order of appearance, each once. */
export function placeholdersOf(content: string, limits: ProviderLimits): string[] {
  return [...new Set(Array.from(content.matchAll(placeholderPattern[limits.placeholders]), (m) => m[1]!))];
}

export function renderTemplate(template: ProviderTemplate, variables: Record<string, unknown>, limits: ProviderLimits, context: RenderContext): TemplateParams {
  const params: Record<string, string> = {};
  for (const name of placeholdersOf(template.content, limits)) {
    const variable = template.variables[name];
    if (!variable) throw new TemplateValueError(name, 'is in the content but not mapped');
    params[name] = variableValue(name, variable, variables, limits, context);
  }
  const text = template.content.replace(placeholderPattern[limits.placeholders], (_, name: string) => params[name] ?? '');
  return { templateId: template.templateId, params, text };
}

/** The template a notice or chat reply goes out as; null when the map has none for it. */
export function templateFor(map: SmsTemplateMap, notice: { kind: string; variables: Record<string, unknown> }): ProviderTemplate | null {
  if (notice.kind === CHAT_REPLY_NOTICE_KIND) {
    const kind = notice.variables.template;
    return typeof kind === 'string' && (replyTemplateKinds as readonly string[]).includes(kind) ? map.replies[kind as ReplyTemplateKind] : null;
  }
  return map.notices[notice.kind] ?? null;
}

/**
 * The template SMS a notice or chat reply goes out as through `map` (code, parameters, filled-in text); null when the
 * map has no template for it. Throws TemplateValueError when a value is missing or cannot fit.
 */
export function renderNotice(map: SmsTemplateMap, notice: { kind: string; variables: Record<string, unknown> }, context: RenderContext): TemplateParams | null {
  const template = templateFor(map, notice);
  return template ? renderTemplate(template, notice.variables, providerLimits[map.provider], context) : null;
}

// ---- reading and checking a map ----------------------------------------------------------------------

export interface TemplateMapProblem {
  /** e.g. `notices.step_started.variables.stepName` */
  where: string;
  message: string;
}

/** Samples for the chat replies' variables (the notices have theirs in notices.ts). */
export const replySamples: Record<ReplyTemplateKind, Record<string, unknown>[]> = {
  progress: [
    { applicationNo: 'YX2026-0001', stepName: '设计文件审核', expectedDate: '2027-01-15' },
    { applicationNo: 'YX2026-000123456', stepName: '客户受电工程竣工检验及装表接电', expectedDate: null },
  ],
  hurry: [{ applicationNo: 'YX2026-0001', reference: 'CB2611230007', stepName: '设计文件审核' }],
  hurry_cooldown: [
    { applicationNo: 'YX2026-0001', reference: 'CB2611230007', hours: '24' },
    { applicationNo: 'YX2026-000123456', reference: null, hours: '1' },
  ],
  choose_application: [{ count: '2', applicationNo: 'YX2026-0001' }, { count: '12', applicationNo: 'YX2026-000123456' }],
  unbound: [{}],
  bind_code_sent: [{ validMinutes: '10' }],
  bind_code_throttled: [{}],
  bind_code_limited: [{ minutes: '60' }],
  bind_locked: [{ minutes: '60' }],
  bound: [{ accountNo: '5300****56' }],
  code_wrong: [{ attemptsLeft: '4' }],
  code_expired: [{}],
  knowledge: [{ question: '办理低压居民新装需要准备哪些材料，可以线上办理吗？' }],
  muted: [{ applicationNo: 'YX2026-0001' }, { applicationNo: 'YX2026-000123456' }],
  unmuted: [{ applicationNo: 'YX2026-0001' }, { applicationNo: 'YX2026-000123456' }],
  rated: [{ score: 5 }],
  rated_follow_up: [{ score: 2 }],
  complaint: [
    { reference: 'ZX2611240001', handlerName: '李*', handlerPhone: '13912345678' },
    { reference: 'ZX2611240001', handlerName: null, handlerPhone: null },
  ],
  fallback: [{}],
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a parsed JSON map; the problems say what is malformed (an empty list means it can be used). */
export function readTemplateMap(json: unknown, provider: TemplateProvider): { map: SmsTemplateMap | null; problems: TemplateMapProblem[] } {
  const problems: TemplateMapProblem[] = [];
  const problem = (where: string, message: string) => problems.push({ where, message });
  if (!isRecord(json)) return { map: null, problems: [{ where: '(file)', message: 'must be a JSON object' }] };
  if (json.provider !== provider) problem('provider', `must be "${provider}"`);
  const section = (name: 'notices' | 'replies'): Record<string, ProviderTemplate> => {
    const raw = json[name];
    if (!isRecord(raw)) {
      problem(name, 'must be an object of templates');
      return {};
    }
    const out: Record<string, ProviderTemplate> = {};
    for (const [key, entry] of Object.entries(raw)) {
      const where = `${name}.${key}`;
      if (!isRecord(entry) || typeof entry.templateId !== 'string' || entry.templateId === '' || typeof entry.content !== 'string' || !isRecord(entry.variables)) {
        problem(where, 'must have templateId, content and variables');
        continue;
      }
      const variables: Record<string, TemplateVariable> = {};
      for (const [v, spec] of Object.entries(entry.variables)) {
        if (!isRecord(spec) || typeof spec.from !== 'string' || !(valueFormats as readonly string[]).includes(spec.format as string)) {
          problem(`${where}.variables.${v}`, `must have from and a format (${valueFormats.join(', ')})`);
          continue;
        }
        if (spec.maxChars !== undefined && (typeof spec.maxChars !== 'number' || !Number.isInteger(spec.maxChars) || spec.maxChars < 1)) {
          problem(`${where}.variables.${v}`, 'maxChars must be a whole number ≥ 1');
          continue;
        }
        if (spec.ifNull !== undefined && typeof spec.ifNull !== 'string') {
          problem(`${where}.variables.${v}`, 'ifNull must be a string');
          continue;
        }
        variables[v] = spec as unknown as TemplateVariable;
      }
      out[key] = { templateId: entry.templateId, content: entry.content, variables };
    }
    return out;
  };
  const notices = section('notices');
  const replies = section('replies');
  if (problems.length > 0) return { map: null, problems };
  return { map: { provider, notices, replies: replies as SmsTemplateMap['replies'] }, problems };
}

export interface TemplateMapCheck {
  problems: TemplateMapProblem[];
  /** each template rendered with its first sample, signed, with its segment count */
  renders: { where: string; templateId: string; text: string; segments: number }[];
}

/**
 * Checks a map against the notice kinds and their samples: every kind and reply mapped, every placeholder mapped
 * and filled for every sample, each value within its limit (and no limit above the provider's), and the signed
 * text within MAX_SMS_SEGMENTS.
 */
export function checkTemplateMap(map: SmsTemplateMap, signName: string, timeZone: string, kinds: readonly string[] = noticeKinds): TemplateMapCheck {
  const limits = providerLimits[map.provider];
  const problems: TemplateMapProblem[] = [];
  const renders: TemplateMapCheck['renders'] = [];
  const context = { today: noticeSampleToday, timeZone };
  const samplesOf = (kind: string): Record<string, unknown>[] => {
    const main = (noticeSamples as Record<string, unknown>)[kind];
    const edge = ((noticeEdgeSamples as Record<string, unknown[] | undefined>)[kind] ?? []) as Record<string, unknown>[];
    return main === undefined ? edge : [main as Record<string, unknown>, ...edge];
  };
  const check = (where: string, template: ProviderTemplate | undefined, samples: Record<string, unknown>[]) => {
    if (!template) {
      problems.push({ where, message: 'is not mapped to a template' });
      return;
    }
    const placeholders = placeholdersOf(template.content, limits);
    for (const name of placeholders) if (!template.variables[name]) problems.push({ where: `${where}.variables.${name}`, message: 'is in the content but not mapped' });
    for (const [name, variable] of Object.entries(template.variables)) {
      if (!placeholders.includes(name)) problems.push({ where: `${where}.variables.${name}`, message: 'is mapped but not in the content' });
      if ((variable.maxChars ?? 0) > limits.maxVariableChars) {
        problems.push({ where: `${where}.variables.${name}`, message: `maxChars ${variable.maxChars} is over ${map.provider}'s limit of ${limits.maxVariableChars}` });
      }
    }
    samples.forEach((sample, i) => {
      try {
        const rendered = renderTemplate(template, sample, limits, context);
        const segments = smsSegments(signName + rendered.text).segments;
        if (segments > MAX_SMS_SEGMENTS) problems.push({ where, message: `renders to ${segments} SMS segments with sample ${i + 1} (max ${MAX_SMS_SEGMENTS})` });
        if (i === 0) renders.push({ where, templateId: template.templateId, text: signName + rendered.text, segments });
      } catch (error) {
        if (!(error instanceof TemplateValueError)) throw error;
        problems.push({ where: `${where}.variables.${error.variable}`, message: `${error.message.replace(/^variable \S+ /, '')} (sample ${i + 1})` });
      }
    });
  };
  for (const kind of kinds) check(`notices.${kind}`, map.notices[kind], samplesOf(kind));
  for (const kind of Object.keys(map.notices)) if (!kinds.includes(kind)) problems.push({ where: `notices.${kind}`, message: 'is not a notice kind' });
  for (const kind of replyTemplateKinds) check(`replies.${kind}`, map.replies[kind], replySamples[kind]);
  return { problems, renders };
}
