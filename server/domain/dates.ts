// Calendar dates (`YYYY-MM-DD` in the utility's time zone) and instants (epoch milliseconds), and the
// conversions between them. Time zones go through Intl, with formatters and offsets cached.

/** A calendar date `YYYY-MM-DD`, meaningful only together with a time zone. */
export type CalendarDate = string;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

interface Civil {
  year: number;
  month: number;
  day: number;
}

function civilFromDays(days: number): Civil {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;

function pad4(n: number): string {
  if (n < 0 || n > 9999) throw new RangeError(`year ${n} is outside 0000–9999`);
  return String(n).padStart(4, '0');
}

function digitsAt(s: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}

// Returns the day number, or NaN when `s` is not a real `YYYY-MM-DD` date.
function parseDayNumber(s: string): number {
  if (typeof s !== 'string' || s.length !== 10 || s[4] !== '-' || s[7] !== '-') return NaN;
  const year = digitsAt(s, 0, 4);
  const month = digitsAt(s, 5, 2);
  const day = digitsAt(s, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  return daysFromCivil(year, month, day);
}

/** True only for a `YYYY-MM-DD` string naming a real date (no 2026-02-29, no 2026-1-5). */
export function isCalendarDate(s: unknown): s is CalendarDate {
  return typeof s === 'string' && !Number.isNaN(parseDayNumber(s));
}

/** Days since 1970-01-01; throws a RangeError for anything but a real `YYYY-MM-DD` date. */
export function toDayNumber(date: CalendarDate): number {
  const n = parseDayNumber(date);
  if (Number.isNaN(n)) throw new RangeError(`"${String(date)}" is not a calendar date (YYYY-MM-DD)`);
  return n;
}

export function fromDayNumber(dayNumber: number): CalendarDate {
  if (!Number.isInteger(dayNumber)) throw new RangeError(`day number ${dayNumber} is not an integer`);
  const { year, month, day } = civilFromDays(dayNumber);
  return `${pad4(year)}-${pad2(month)}-${pad2(day)}`;
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  return fromDayNumber(toDayNumber(date) + days);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: CalendarDate): number {
  // 1970-01-01 was a Thursday.
  return (((toDayNumber(date) + 4) % 7) + 7) % 7;
}

// ---- time zones -------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      era: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function computeOffset(ms: number, timeZone: string): number {
  const wholeSecond = Math.floor(ms / 1000) * 1000;
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let bc = false;
  for (const part of formatterFor(timeZone).formatToParts(wholeSecond)) {
    switch (part.type) {
      case 'year': year = Number(part.value); break;
      case 'month': month = Number(part.value); break;
      case 'day': day = Number(part.value); break;
      case 'hour': hour = Number(part.value); break;
      case 'minute': minute = Number(part.value); break;
      case 'second': second = Number(part.value); break;
      case 'era': bc = part.value.startsWith('B'); break;
    }
  }
  if (bc) year = 1 - year;
  const localAsUtc = daysFromCivil(year, month, day) * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS + second * 1000;
  return localAsUtc - wholeSecond;
}

// Offsets cached per zone per UTC hour. An hour is cached only when its first and last millisecond
// share one offset, so an hour holding a transition (some fall on the half hour) is never cached.
const MAX_CACHED_HOURS_PER_ZONE = 100_000;
const offsetCache = new Map<string, Map<number, number>>();

/** The zone's UTC offset in milliseconds at instant `ms` (e.g. 28 800 000 for Asia/Shanghai). */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  if (!Number.isFinite(ms)) throw new RangeError(`instant ${ms} is not a finite number`);
  let zone = offsetCache.get(timeZone);
  if (zone === undefined) {
    zone = new Map();
    offsetCache.set(timeZone, zone);
  }
  const hour = Math.floor(ms / HOUR_MS);
  const cached = zone.get(hour);
  if (cached !== undefined) return cached;
  const atStart = computeOffset(hour * HOUR_MS, timeZone);
  const atEnd = computeOffset(hour * HOUR_MS + HOUR_MS - 1, timeZone);
  if (atStart !== atEnd) return computeOffset(ms, timeZone);
  if (zone.size >= MAX_CACHED_HOURS_PER_ZONE) zone.clear();
  zone.set(hour, atStart);
  return atStart;
}

/** The calendar date in `timeZone` at instant `ms`. */
export function calendarDateOf(ms: number, timeZone: string): CalendarDate {
  return fromDayNumber(Math.floor((ms + zoneOffsetMs(ms, timeZone)) / DAY_MS));
}

// The instants at which the zone's wall clock reads `localMs` (local time written as if UTC):
// one normally, two in a fold, none in a gap (then the instant the gap ends is returned in both).
function instantsAtLocal(localMs: number, timeZone: string): { earlier: number; later: number } {
  // Offsets a day either side bound any transition near localMs (zones change at most once a day).
  const before = zoneOffsetMs(localMs - DAY_MS, timeZone);
  const after = zoneOffsetMs(localMs + DAY_MS, timeZone);
  const candidates: number[] = [];
  for (const offset of before === after ? [before] : [before, after]) {
    const t = localMs - offset;
    if (zoneOffsetMs(t, timeZone) === offset) candidates.push(t);
  }
  if (candidates.length > 0) {
    return { earlier: Math.min(...candidates), later: Math.max(...candidates) };
  }
  // A gap: find the first instant whose wall clock is past localMs.
  let lo = localMs - Math.max(before, after);
  let hi = localMs - Math.min(before, after);
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (mid + zoneOffsetMs(mid, timeZone) >= localMs) hi = mid;
    else lo = mid + 1;
  }
  return { earlier: lo, later: lo };
}

/** The first millisecond of `date` in `timeZone`. */
export function startOfDay(date: CalendarDate, timeZone: string): number {
  return instantsAtLocal(toDayNumber(date) * DAY_MS, timeZone).earlier;
}

/** The last millisecond of `date` in `timeZone`. */
export function endOfDay(date: CalendarDate, timeZone: string): number {
  return instantsAtLocal((toDayNumber(date) + 1) * DAY_MS, timeZone).later - 1;
}

function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const totalSeconds = Math.abs(offsetMs) / 1000;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  // Only historical local mean times have second offsets; RFC 9557 allows ±HH:MM:SS for them.
  return `${sign}${pad2(hours)}:${pad2(minutes)}${seconds === 0 ? '' : ':' + pad2(seconds)}`;
}

/** ISO 8601 with the zone's offset and no milliseconds: `2026-11-24T09:30:00+08:00`. */
export function formatInstant(ms: number, timeZone: string): string {
  const offset = zoneOffsetMs(ms, timeZone);
  const local = Math.floor(ms / 1000) * 1000 + offset;
  const dayNumber = Math.floor(local / DAY_MS);
  const timeOfDay = local - dayNumber * DAY_MS;
  const hh = Math.floor(timeOfDay / HOUR_MS);
  const mm = Math.floor((timeOfDay % HOUR_MS) / MINUTE_MS);
  const ss = Math.floor((timeOfDay % MINUTE_MS) / 1000);
  return `${fromDayNumber(dayNumber)}T${pad2(hh)}:${pad2(mm)}:${pad2(ss)}${formatOffset(offset)}`;
}

const INSTANT_PATTERN =
  /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):(\d{2})(?::(\d{2}))?)$/;

/** Parses an ISO 8601 instant that carries `Z` or an explicit offset; anything else gives null. */
export function parseInstant(iso: string): number | null {
  if (typeof iso !== 'string') return null;
  const m = INSTANT_PATTERN.exec(iso);
  if (m === null) return null;
  const [, date, hh, mi, ss, fraction, zulu, sign, oh, om, os] = m;
  const dayNumber = parseDayNumber(date ?? '');
  const hour = Number(hh);
  const minute = Number(mi);
  const second = ss === undefined ? 0 : Number(ss);
  if (Number.isNaN(dayNumber) || hour > 23 || minute > 59 || second > 59) return null;
  const millis = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  let offset = 0;
  if (zulu === undefined) {
    const offsetHours = Number(oh);
    const offsetMinutes = Number(om);
    const offsetSeconds = os === undefined ? 0 : Number(os);
    if (offsetHours > 23 || offsetMinutes > 59 || offsetSeconds > 59) return null;
    offset = (sign === '-' ? -1 : 1) * (offsetHours * HOUR_MS + offsetMinutes * MINUTE_MS + offsetSeconds * 1000);
  }
  return dayNumber * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS + second * 1000 + millis - offset;
}
