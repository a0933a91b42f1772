// templates/wechat-oa.json: per notice kind, the Official Account template's id (template message and/or
// subscription notice) and its typed fields, each filled from the notice's variables and held to WeChat's limits
// for its type. Values too long are shortened by the one rule (server/domain/value-shortening.ts).
import fs from 'node:fs';
import { calendarDateOf, isCalendarDate, zoneOffsetMs } from '../../server/domain/dates.ts';
import { maskName } from '../../server/domain/masking.ts';
import { displayLength, ELLIPSIS, shortenValue, type ValueKind } from '../../server/domain/value-shortening.ts';
import type { TemplateData } from './api.ts';

/** WeChat's typed template fields and their rules (订阅通知 / 模板消息 类目模板 field types). */
export const fieldTypes = ['thing', 'character_string', 'number', 'phrase', 'name', 'phone_number', 'date', 'time'] as const;
export type FieldType = (typeof fieldTypes)[number];

/** Maximum characters per type (dates and times have a fixed format instead). */
export const fieldLimits: Record<Exclude<FieldType, 'date' | 'time'>, number> = {
  thing: 20,
  character_string: 32,
  number: 32,
  phrase: 5,
  name: 10,
  phone_number: 17,
};

/** How a too-long value of each type is shortened: names keep their start, numbers their end. */
const shortening: Record<Exclude<FieldType, 'date' | 'time' | 'phrase'>, ValueKind> = {
  thing: 'text',
  character_string: 'number',
  number: 'number',
  name: 'name',
  phone_number: 'number',
};

/** What characters a type accepts (WeChat rejects the send with 47003 otherwise). */
const patterns: Partial<Record<FieldType, RegExp>> = {
  character_string: /^[\x21-\x7e]*$/,
  number: /^[0-9.]*$/,
  phrase: /^\p{Script=Han}*$/u,
  phone_number: /^[0-9+\-() ]*$/,
  date: /^\d{4}年\d{1,2}月\d{1,2}日$/,
  time: /^\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$/,
};

export interface FieldSpec {
  type: FieldType;
  /** text with `{{path}}` placeholders into the notice's variables; `{{path|mask}}` masks a name, `{{path|join}}` joins a list */
  value: string;
  /** used when the value comes out empty (a null variable: no handler, no next step) */
  fallback?: string;
}

export interface KindMapping {
  /** the template message's template_id (/cgi-bin/message/template/send) */
  templateId: string;
  /** the subscription notice's template id (/cgi-bin/message/subscribe/bizsend) */
  subscribeTemplateId: string;
  fields: Record<string, FieldSpec>;
}

export type TemplateMap = Record<string, KindMapping>;

export class TemplateMapError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'TemplateMapError';
  }
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.]*)\s*(?:\|\s*(mask|join)\s*)?\}\}/g;

/** Reads and checks the file's shape; every problem is one line naming the kind and field. */
export function parseTemplateMap(json: unknown): { map: TemplateMap; problems: string[] } {
  const problems: string[] = [];
  const map: TemplateMap = {};
  if (!json || typeof json !== 'object' || Array.isArray(json)) return { map, problems: ['the file must hold an object of notice kinds'] };
  for (const [kind, raw] of Object.entries(json as Record<string, unknown>)) {
    if (kind.startsWith('$')) continue; // "$comment"
    const entry = raw as Partial<KindMapping> | null;
    if (!entry || typeof entry !== 'object') {
      problems.push(`${kind}: must be an object with templateId, subscribeTemplateId and fields`);
      continue;
    }
    for (const id of ['templateId', 'subscribeTemplateId'] as const) {
      if (typeof entry[id] !== 'string' || entry[id] === '') problems.push(`${kind}: ${id} must be a non-empty string`);
    }
    const fields = entry.fields;
    if (!fields || typeof fields !== 'object' || Object.keys(fields).length === 0) {
      problems.push(`${kind}: fields must name at least one field`);
      continue;
    }
    for (const [key, spec] of Object.entries(fields)) {
      if (!/^[a-z_]+\d+$/.test(key)) problems.push(`${kind}.${key}: WeChat field keys look like thing1, time2`);
      if (!spec || !(fieldTypes as readonly string[]).includes(spec.type)) problems.push(`${kind}.${key}: type must be one of ${fieldTypes.join(', ')}`);
      else if (!key.startsWith(spec.type)) problems.push(`${kind}.${key}: a ${spec.type} field's key starts with "${spec.type}"`);
      if (!spec || typeof spec.value !== 'string' || spec.value === '') problems.push(`${kind}.${key}: value must be a non-empty string`);
      if (spec && spec.fallback !== undefined && (typeof spec.fallback !== 'string' || spec.fallback === '')) problems.push(`${kind}.${key}: fallback must be a non-empty string`);
    }
    map[kind] = entry as KindMapping;
  }
  return { map, problems };
}

export function loadTemplateMap(file: string): TemplateMap {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new TemplateMapError([`${file}: ${error instanceof Error ? error.message : String(error)}`]);
  }
  const { map, problems } = parseTemplateMap(json);
  if (problems.length > 0) throw new TemplateMapError(problems.map((p) => `${file}: ${p}`));
  return map;
}

function lookup(variables: unknown, path: string): unknown {
  let value: unknown = variables;
  for (const part of path.split('.')) {
    // a null on the way (no handler, no next step) makes the whole path null, not unknown
    if (value === null) return null;
    if (typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function wechatDate(date: string): string {
  return `${Number(date.slice(0, 4))}年${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`;
}

function wechatTime(ms: number, timeZone: string): string {
  const local = new Date(ms + zoneOffsetMs(ms, timeZone));
  const hh = String(local.getUTCHours()).padStart(2, '0');
  const mm = String(local.getUTCMinutes()).padStart(2, '0');
  return `${wechatDate(calendarDateOf(ms, timeZone))} ${hh}:${mm}`;
}

/** One field's value from the variables, in its type's format and within its limit; throws on what cannot be. */
export function fieldValue(kind: string, key: string, spec: FieldSpec, variables: unknown, timeZone: string): string {
  let raw: unknown = null;
  const text = spec.value.replace(PLACEHOLDER, (_all, path: string, filter: string | undefined) => {
    const value = lookup(variables, path);
    if (value === undefined) throw new TemplateMapError([`${kind}.${key}: no variable "${path}"`]);
    raw = value;
    if (value === null) return '';
    if (filter === 'mask') return maskName(String(value));
    if (filter === 'join') return Array.isArray(value) ? value.join('、') : String(value);
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
  if (text.trim() === '' && spec.fallback !== undefined) return fieldValue(kind, key, { type: spec.type, value: spec.fallback }, variables, timeZone);
  let out: string;
  if (spec.type === 'date' || spec.type === 'time') {
    // a date field holds one date variable: a calendar date, or an instant (epoch ms) for time
    if (typeof raw === 'number') out = spec.type === 'time' ? wechatTime(raw, timeZone) : wechatDate(calendarDateOf(raw, timeZone));
    else if (typeof raw === 'string' && isCalendarDate(raw)) out = spec.type === 'date' ? wechatDate(raw) : `${wechatDate(raw)} 00:00`;
    else throw new TemplateMapError([`${kind}.${key}: a ${spec.type} field needs a date or an instant, got "${text}"`]);
  } else if (spec.type === 'phrase') {
    out = text;
    if (displayLength(out) > fieldLimits.phrase) throw new TemplateMapError([`${kind}.${key}: phrase "${out}" is longer than ${fieldLimits.phrase} characters`]);
  } else if (spec.type === 'thing' || spec.type === 'name') {
    out = shortenValue(shortening[spec.type], text.trim(), fieldLimits[spec.type]);
  } else {
    // letters-and-digits types cannot carry the ellipsis: the same rule keeps one more character, then the mark goes
    const shortened = shortenValue(shortening[spec.type], text.trim(), fieldLimits[spec.type] + 1);
    out = displayLength(shortened) > fieldLimits[spec.type] ? shortened.slice(ELLIPSIS.length) : shortened;
  }
  const pattern = patterns[spec.type];
  if (pattern && !pattern.test(out)) throw new TemplateMapError([`${kind}.${key}: "${out}" is not a valid ${spec.type}`]);
  if (out === '') throw new TemplateMapError([`${kind}.${key}: the value is empty (WeChat refuses empty fields)`]);
  return out;
}

/** The template's data for one notice; throws TemplateMapError when the kind is not mapped or a field cannot be filled. */
export function templateData(map: TemplateMap, kind: string, variables: unknown, timeZone: string): { mapping: KindMapping; data: TemplateData } {
  const mapping = map[kind];
  if (!mapping) throw new TemplateMapError([`${kind}: not in templates/wechat-oa.json`]);
  const data: TemplateData = {};
  for (const [key, spec] of Object.entries(mapping.fields)) data[key] = { value: fieldValue(kind, key, spec, variables, timeZone) };
  return { mapping, data };
}

export interface TemplateMapCheck {
  /** each kind's main sample as sent: the template data */
  renders: { kind: string; data: TemplateData }[];
  /** sample renders checked, edge samples included */
  checked: number;
  problems: string[];
}

/**
 * templates:check for the map: the file's shape, every kind that reaches customers mapped (`required`), no kind that
 * is not a notice, and every sample (`samples[kind]`, main first) filling every field within its type's rules.
 */
export function checkTemplateMap(file: string, required: readonly string[], known: readonly string[], samples: Record<string, unknown[]>, timeZone: string): TemplateMapCheck {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    return { renders: [], checked: 0, problems: [error instanceof Error ? error.message : String(error)] };
  }
  const { map, problems } = parseTemplateMap(json);
  const renders: TemplateMapCheck['renders'] = [];
  let checked = 0;
  for (const kind of required) if (!map[kind]) problems.push(`${kind}: not mapped (customers get this notice)`);
  for (const kind of Object.keys(map)) {
    if (!known.includes(kind)) {
      problems.push(`${kind}: no such notice kind`);
      continue;
    }
    const list = samples[kind] ?? [];
    list.forEach((variables, i) => {
      checked += 1;
      try {
        const { data } = templateData(map, kind, variables, timeZone);
        if (i === 0) renders.push({ kind, data });
      } catch (error) {
        if (error instanceof TemplateMapError) problems.push(...error.problems.map((p) => (i === 0 ? p : `${p} (edge sample ${i})`)));
        else throw error;
      }
    });
  }
  return { renders, checked, problems };
}
