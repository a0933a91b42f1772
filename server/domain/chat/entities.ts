// What a customer's message names: account numbers (户号), application numbers (工单号), codes, phones, dates.
import { addDays, isCalendarDate, type CalendarDate } from '../dates.ts';

export interface Entities {
  /** 户号: a run of 8–20 digits that is not a mobile number */
  accountNos: string[];
  /** 工单号, upper-case as written, e.g. YX2026-0001 */
  applicationNos: string[];
  /** 6-digit numbers on their own: binding codes or query codes */
  codes: string[];
  /** mainland mobile numbers */
  phones: string[];
  /** dates the customer mentions, resolved against today, YYYY-MM-DD */
  dates: CalendarDate[];
}

// Letters then digits with an optional separator: YX2026-0001, YX20260001, GD2026_000123; not the SMS commands
// with an account number glued on (BD5300123456).
const APPLICATION_NO = /(?<![0-9a-z])(?!(?:bd|jd|cb|td)\d)([a-z]{1,6})[-_]?(\d{4})([-_]?)(\d{2,8})(?![0-9a-z])/giu;
const DIGIT_RUN = /(?<![0-9a-z])\d+(?![0-9a-z])/giu;
// `bd5300123456`, `户号5300123456`: digits glued to a short command or word still count.
const GLUED_DIGITS = /(?<=^|[^0-9a-z])(?:bd|jd|cb)(\d{6,20})(?![0-9])/giu;
const MOBILE = /^1[3-9]\d{9}$/;

export function isApplicationNo(text: string): boolean {
  APPLICATION_NO.lastIndex = 0;
  const match = APPLICATION_NO.exec(text);
  return match !== null && match[0].length === text.length;
}

/** Application numbers compared as staff and customers write them: case and separators ignored. */
export function sameApplicationNo(a: string, b: string): boolean {
  const key = (s: string) => s.toUpperCase().replace(/[^0-9A-Z]/g, '');
  return key(a) === key(b);
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

/** `plain` is NormalizedText.plain (half-width, simplified, punctuation kept). */
export function extractEntities(plain: string, today: CalendarDate): Entities {
  const applicationNos: string[] = [];
  let rest = plain.replace(APPLICATION_NO, (whole) => {
    applicationNos.push(whole.toUpperCase());
    return ' ';
  });
  const dates = extractDates(rest, today);
  // a date's digits are not an account number or a code
  rest = rest.replace(DATE_SPANS, ' ');
  rest = rest.replace(GLUED_DIGITS, (_whole, digits: string) => ` ${digits} `);
  const accountNos: string[] = [];
  const codes: string[] = [];
  const phones: string[] = [];
  for (const [run] of rest.matchAll(DIGIT_RUN)) {
    if (MOBILE.test(run)) phones.push(run);
    else if (run.length >= 8 && run.length <= 20) accountNos.push(run);
    else if (run.length === 6) codes.push(run);
  }
  return { accountNos: unique(accountNos), applicationNos: unique(applicationNos), codes: unique(codes), phones: unique(phones), dates: unique(dates) };
}

const TOKEN = /[0-9a-zA-Z０-９ａ-ｚＡ-Ｚ]+/gu;
const halfWidth = (text: string) => text.replace(/[０-９ａ-ｚＡ-Ｚ]/gu, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
export const CODE_MASK = '******';

/**
 * The text to keep on record (chat_messages, a consult's text): every run that could be a binding code or a query
 * code — 6–12 letters and digits with a digit in them — masked; account numbers (8–20 digits, also glued to a
 * command: BD5300123456), application numbers and mobile numbers are kept, staff need them.
 */
export function maskCodes(text: string): string {
  // half-width keeps every character's place: the application numbers' spans are the text's
  APPLICATION_NO.lastIndex = 0; // matchAll starts where isApplicationNo's exec left the shared regex
  const applicationNos = [...halfWidth(text).matchAll(APPLICATION_NO)].map((m) => [m.index, m.index + m[0].length] as const);
  return text.replace(TOKEN, (run: string, at: number) => {
    if (applicationNos.some(([from, to]) => at < to && at + run.length > from)) return run;
    const plain = halfWidth(run);
    const glued = /^(bd|jd|cb|td)(\d+)$/iu.exec(plain);
    if (glued) return glued[2]!.length >= 8 ? run : run.slice(0, 2) + maskRun(glued[2]!, run.slice(2));
    return maskRun(plain, run);
  });
}

function maskRun(plain: string, run: string): string {
  if (/^\d+$/u.test(plain) && plain.length >= 8) return run; // an account number or a phone
  if (/^\d+(?:kva|kw|kv|mva|mw)$/iu.test(plain)) return run; // a capacity, 630kVA
  if (plain.length >= 6 && plain.length <= 12 && /\d/u.test(plain)) return CODE_MASK;
  return run;
}

const CODE_PREFIX = /^(?:我的|我)?(?:收到的?)?(?:验证码|查询密码|密码|code)?(?:是|为|:)?/u;

/**
 * The code in a message sent while a code is awaited: the whole message is one token of 4–12 letters and digits
 * with at least one digit (a query code may hold letters), optionally after "验证码"/"查询密码"; or a lone 6-digit
 * number inside a sentence ("我收到验证码了 482913").
 */
export function codeCandidate(compact: string, entities: Pick<Entities, 'codes'>): string | null {
  const bare = compact.replace(CODE_PREFIX, '');
  if (/^[0-9a-z]{4,12}$/.test(bare) && /\d/.test(bare)) return bare;
  return entities.codes.length === 1 ? entities.codes[0]! : null;
}

// --- dates ---------------------------------------------------------------------------------------------------

const DATE_SPANS =
  /(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?|(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?|(\d{1,2})\s*[号日](?=\s*(?:前|之前|以前|左右|能|可以|可不可以|通电|送电|接电|用电))/gu;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function date(year: number, month: number, day: number): CalendarDate | null {
  const text = `${year}-${pad(month)}-${pad(day)}`;
  return isCalendarDate(text) ? text : null;
}

function lastDayOfMonth(year: number, month: number): CalendarDate {
  const next = month === 12 ? `${year + 1}-01-01` : `${year}-${pad(month + 1)}-01`;
  return addDays(next, -1);
}

/** The next occurrence on or after today of a month/day without a year (3月1日 said in November is next March). */
function upcoming(month: number, day: number, today: CalendarDate): CalendarDate | null {
  const year = Number(today.slice(0, 4));
  const thisYear = date(year, month, day);
  if (thisYear && thisYear >= today) return thisYear;
  return date(year + 1, month, day);
}

function extractDates(plain: string, today: CalendarDate): CalendarDate[] {
  const found: CalendarDate[] = [];
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  for (const m of plain.matchAll(DATE_SPANS)) {
    let resolved: CalendarDate | null = null;
    if (m[1]) resolved = date(Number(m[1]), Number(m[2]), Number(m[3]));
    else if (m[4]) resolved = upcoming(Number(m[4]), Number(m[5]), today);
    else if (m[6]) {
      const day = Number(m[6]);
      const thisMonth = date(year, month, day);
      resolved = thisMonth && thisMonth >= today ? thisMonth : month === 12 ? date(year + 1, 1, day) : date(year, month + 1, day);
    }
    if (resolved) found.push(resolved);
  }
  const relative: [RegExp, () => CalendarDate][] = [
    [/今天/u, () => today],
    [/明天/u, () => addDays(today, 1)],
    [/后天/u, () => addDays(today, 2)],
    [/(?<!下个?)月底/u, () => lastDayOfMonth(year, month)],
    [/下个?月底/u, () => (month === 12 ? lastDayOfMonth(year + 1, 1) : lastDayOfMonth(year, month + 1))],
    [/下个?月(?!底)/u, () => (month === 12 ? lastDayOfMonth(year + 1, 1) : lastDayOfMonth(year, month + 1))],
    [/年底|年前/u, () => `${year}-12-31`],
  ];
  for (const [pattern, resolve] of relative) if (pattern.test(plain)) found.push(resolve());
  return found;
}
