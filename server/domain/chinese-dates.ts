// Dates and times as customers read them: 11月28日（周六）, 2027年3月1日（周一）, 11月28日（周六）17:30.
import { calendarDateOf, toDayNumber, weekday, zoneOffsetMs, type CalendarDate } from './dates.ts';

const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'] as const;
const DAY_MS = 86_400_000;

/**
 * `2026-11-28` → `11月28日（周六）`. The year is written out (`2027年3月1日（周一）`) when the date is not in
 * `referenceYear` (normally the year of today); without a reference year it is left out.
 * Throws a RangeError for anything but a real `YYYY-MM-DD` date.
 */
export function formatChineseDate(date: CalendarDate, referenceYear?: number, options: { weekday?: boolean } = {}): string {
  toDayNumber(date);
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  const yearPart = referenceYear === undefined || referenceYear === year ? '' : `${year}年`;
  // a template SMS variable has room for the date only (12 characters at Tencent)
  return `${yearPart}${month}月${day}日` + (options.weekday === false ? '' : `（${WEEKDAYS[weekday(date)]}）`);
}

/** Instant `ms` as the wall clock in `timeZone` reads it: `11月28日（周六）17:30` (year as in formatChineseDate). */
export function formatChineseDateTime(ms: number, timeZone: string, referenceYear?: number, options: { weekday?: boolean } = {}): string {
  if (!Number.isFinite(ms)) throw new RangeError(`instant ${String(ms)} is not a finite number`);
  const local = ms + zoneOffsetMs(ms, timeZone);
  const minutesOfDay = Math.floor((((local % DAY_MS) + DAY_MS) % DAY_MS) / 60_000);
  const hh = String(Math.floor(minutesOfDay / 60)).padStart(2, '0');
  const mm = String(minutesOfDay % 60).padStart(2, '0');
  return `${formatChineseDate(calendarDateOf(ms, timeZone), referenceYear, options)}${hh}:${mm}`;
}
