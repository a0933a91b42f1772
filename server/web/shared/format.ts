// Dates as people read them. The API gives instants with the utility's offset (2026-11-24T09:30:00+08:00) and
// calendar dates (2026-11-24): both are shown in the utility's own time, read straight from the text, so a
// browser set to another zone shows the same day and hour as the SMS the customer got.

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** 2027-03-01 → 2027年3月1日 */
export function longDate(date: string | null | undefined): string {
  const m = date ? DATE.exec(date) ?? INSTANT.exec(date) : null;
  if (!m) return '—';
  return `${m[1]}年${Number(m[2])}月${Number(m[3])}日`;
}

/** 2027-03-01 → 3月1日 */
export function shortDate(date: string | null | undefined): string {
  const m = date ? DATE.exec(date) ?? INSTANT.exec(date) : null;
  if (!m) return '—';
  return `${Number(m[2])}月${Number(m[3])}日`;
}

/** A date without its year when it is in `year` (the year the page speaks in), else with it: 3月1日 / 2027年3月1日 */
export function dateIn(date: string | null | undefined, year: number): string {
  const m = date ? DATE.exec(date) ?? INSTANT.exec(date) : null;
  if (!m) return '—';
  return Number(m[1]) === year ? `${Number(m[2])}月${Number(m[3])}日` : `${m[1]}年${Number(m[2])}月${Number(m[3])}日`;
}

/**
 * A range of dates, each year said once: 12月3日 – 12月8日, 12月31日 – 2027年1月5日 (crossing into another year),
 * 2027年1月21日 – 1月22日 (both in another year than the page's).
 */
export function dateRange(start: string, end: string, year: number): string {
  if (start === end) return dateIn(start, year);
  const startYear = Number(start.slice(0, 4));
  return `${dateIn(start, year)} – ${dateIn(end, startYear)}`;
}

/** A due time as a customer reads it: the day alone when it is the end of the day (23:59), else the day and hour. */
export function dueText(instant: string, year: number): string {
  const m = INSTANT.exec(instant);
  if (!m) return '—';
  const day = dateIn(instant.slice(0, 10), year);
  return `${m[4]}:${m[5]}` === '23:59' ? day : `${day} ${m[4]}:${m[5]}`;
}

/** The year the page speaks in for a view: its last update's, so dates in it need no year */
export function yearOf(instant: string): number {
  return Number(instant.slice(0, 4));
}

/** 2026-11-24T09:30:00+08:00 → 11月24日 09:30 */
export function shortInstant(instant: string | null | undefined): string {
  const m = instant ? INSTANT.exec(instant) : null;
  if (!m) return '—';
  return `${Number(m[2])}月${Number(m[3])}日 ${m[4]}:${m[5]}`;
}

/** 2026-11-24T09:30:00+08:00 → 2026-11-24 09:30 */
export function fullInstant(instant: string | null | undefined): string {
  const m = instant ? INSTANT.exec(instant) : null;
  if (!m) return '—';
  return `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}`;
}

/** A wait in words: 3 小时 20 分钟 / 4 分 05 秒 / 12 秒 */
export function waitText(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)} 小时 ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} 分钟`;
  if (s >= 60) return `${Math.floor(s / 60)} 分 ${String(s % 60).padStart(2, '0')} 秒`;
  return `${s} 秒`;
}

/** today as YYYY-MM-DD in a time zone */
export function todayIn(timeZone: string, now = Date.now()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

export const statusNames: Record<string, string> = {
  active: '办理中',
  suspended: '已暂停',
  completed: '已完成',
  cancelled: '已撤销',
};
