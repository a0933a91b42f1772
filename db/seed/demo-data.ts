// Deterministic demo data for 玉溪供电局: two 业扩 teams and ~200 applications at every stage of every
// process, in the sync API's shapes, laid out on the working-day calendar backwards from `now`.
import type { WorkingCalendar } from '../../server/domain/calendar.ts';
import { getProcess, type Catalog, type Process } from '../../server/domain/catalog.ts';
import { addDays, calendarDateOf, formatInstant, startOfDay, toDayNumber, type CalendarDate } from '../../server/domain/dates.ts';
import { planApplication, type StepRecord } from '../../server/domain/planner.ts';
import type { ApplicationBody, HandlerBody, SyncEvent } from '../../server/schemas/sync.ts';

// ---- seeded randomness ------------------------------------------------------------------------

export interface Rng {
  /** [0, 1) */
  next(): number;
  /** an integer in [min, max] */
  int(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  shuffle<T>(items: T[]): T[];
  digits(count: number): string;
}

/** mulberry32: small, fast and good enough for demo data; the same seed gives the same data. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)]!,
    shuffle(items) {
      for (let i = items.length - 1; i > 0; i--) {
        const j = int(0, i);
        [items[i], items[j]] = [items[j]!, items[i]!];
      }
      return items;
    },
    digits: (count) => Array.from({ length: count }, () => String(int(0, 9))).join(''),
  };
}

// ---- output shapes ----------------------------------------------------------------------------

export type DemoHandler = HandlerBody & { handlerId: string };
export type DemoApplication = ApplicationBody & { applicationNo: string };

export interface DemoAccount {
  accountNo: string;
  queryCode: string;
  customerName: string;
  applicationNos: string[];
  /** what the account shows, for the demo's printout */
  note: string;
}

export interface DemoData {
  handlers: DemoHandler[];
  applications: DemoApplication[];
  events: SyncEvent[];
  demoAccounts: DemoAccount[];
}

export interface DemoDataOptions {
  now: number;
  catalog: Catalog;
  calendar: WorkingCalendar;
  timeZone: string;
  seed?: number;
  applicationCount?: number;
}

export const DEMO_SEED = 20_261_124;

// ---- people and places --------------------------------------------------------------------------

const teams = [
  {
    teamId: 'T01',
    teamName: '业扩一班',
    lead: { handlerId: 'H100', name: '杨建国' },
    handlers: [
      { handlerId: 'H101', name: '李明' },
      { handlerId: 'H102', name: '赵丽萍' },
      { handlerId: 'H103', name: '张伟' },
      { handlerId: 'H104', name: '普文华' },
    ],
    districts: ['红塔区', '江川区', '澄江市', '华宁县'],
  },
  {
    teamId: 'T02',
    teamName: '业扩二班',
    lead: { handlerId: 'H200', name: '王海燕' },
    handlers: [
      { handlerId: 'H201', name: '刘洋' },
      { handlerId: 'H202', name: '陈静' },
      { handlerId: 'H203', name: '何志刚' },
      { handlerId: 'H204', name: '刀玉梅' },
    ],
    districts: ['通海县', '易门县', '峨山县', '新平县', '元江县'],
  },
] as const;

const streets: Record<string, readonly string[]> = {
  红塔区: ['玉兴路', '聂耳路', '红塔大道', '珊瑚路', '东风南路', '抚仙路', '凤凰路', '南北大街', '龙马路', '康井路'],
  江川区: ['星云路', '江城大道', '龙泉路', '宁海路'],
  澄江市: ['凤麓路', '抚仙湖路', '禄充路', '东浦路'],
  通海县: ['秀山路', '礼乐路', '杞麓路', '通湖路'],
  华宁县: ['宁州路', '华溪路', '盘溪路'],
  易门县: ['龙泉路', '方屯路', '浦贝路'],
  峨山县: ['双江路', '嶍峨路', '化念路'],
  新平县: ['平甸路', '戛洒路', '桂山路'],
  元江县: ['澧江路', '红河路', '甘庄路'],
};
// 红塔区 is the city: most applications come from there.
const districtWeights: [string, number][] = [
  ['红塔区', 30], ['江川区', 9], ['澄江市', 9], ['通海县', 9], ['华宁县', 6], ['易门县', 6], ['峨山县', 6], ['新平县', 7], ['元江县', 6],
];
const communities = ['玉苑', '凤凰城', '珊瑚园', '聂耳花园', '星云湖畔', '秀山名苑', '抚仙苑', '龙泉新村', '阳光城', '金色家园'];
const villages = ['大营', '小石桥', '海门', '路居', '九溪', '杨广', '里山', '高大', '化念', '戛洒'];

const surnames = ['李', '王', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭', '何', '高', '罗', '郑', '梁', '谢', '唐', '许', '普', '施', '段', '钱', '尹', '鲁', '自', '者'];
const givenNames = ['建华', '丽萍', '志强', '秀英', '海燕', '国庆', '文斌', '晓东', '云峰', '玉梅', '春花', '德明', '红梅', '永刚', '家豪', '子涵', '思远', '桂芬', '兴旺', '正华', '金凤', '雪梅', '俊杰', '佳怡', '浩然', '树林', '琼', '涛', '敏', '勇', '芳', '磊'];
const brands = ['鑫源', '福瑞', '金穗', '宏达', '恒泰', '云岭', '兴华', '瑞丰', '聚源', '嘉禾', '德润', '滇中', '星云', '秀山', '华溪', '润泽', '宏盛', '永昌', '康达', '红土'];
const smallIndustries = ['食品', '商贸', '餐饮管理', '汽车维修', '农产品', '印务', '茶业', '花卉'];
const shops = ['便利店', '米线店', '茶庄', '五金店', '汽修厂', '超市', '烧烤店', '花卉店', '农家乐', '加工坊'];
const bigIndustries = ['食品', '烟草机械', '建材', '冷链物流', '矿业', '农业开发', '生物科技', '医药', '新材料', '酒店管理', '房地产开发', '水泥'];
const mobilePrefixes = ['130', '131', '133', '135', '136', '137', '138', '139', '150', '151', '152', '153', '158', '159', '180', '181', '183', '186', '187', '188', '189'];

function weighted<T>(rng: Rng, entries: readonly [T, number][]): T {
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let r = rng.next() * total;
  for (const [value, weight] of entries) {
    r -= weight;
    if (r < 0) return value;
  }
  return entries[entries.length - 1]![0];
}

function personName(rng: Rng): string {
  return rng.pick(surnames) + rng.pick(givenNames);
}

function customerName(rng: Rng, processCode: string, district: string, company: boolean): string {
  if (processCode === 'lv_resident') return personName(rng);
  if (processCode === 'lv_business') {
    return company || rng.chance(0.5) ? `玉溪市${district}${rng.pick(brands)}${rng.pick(smallIndustries)}有限公司` : `${district}${rng.pick(brands)}${rng.pick(shops)}`;
  }
  return rng.chance(0.75) ? `玉溪市${district}${rng.pick(brands)}${rng.pick(bigIndustries)}有限公司` : `云南${rng.pick(brands)}${rng.pick(bigIndustries)}股份有限公司`;
}

function address(rng: Rng, processCode: string, district: string): string {
  const street = `玉溪市${district}${rng.pick(streets[district]!)}${rng.int(1, 388)}号`;
  if (processCode !== 'lv_resident') return rng.chance(0.3) ? `玉溪市${district}${rng.pick(brands)}工业园区${rng.int(1, 30)}号地块` : street;
  if (district !== '红塔区' && rng.chance(0.35)) return `玉溪市${district}${rng.pick(villages)}村${rng.int(1, 120)}号`;
  return rng.chance(0.6) ? `${street}${rng.pick(communities)}小区${rng.int(1, 24)}栋${rng.int(1, 4)}单元${rng.int(1, 18)}0${rng.int(1, 4)}室` : street;
}

function capacityKva(rng: Rng, processCode: string): number {
  switch (processCode) {
    case 'lv_resident':
      return rng.pick([4, 8, 8, 10, 12, 16]);
    case 'lv_business':
      return rng.pick([20, 30, 50, 80, 100, 125, 160]);
    case 'hv_single':
      return rng.pick([250, 315, 400, 500, 630, 800, 1000, 1250, 1600]);
    default:
      return rng.pick([1250, 1600, 2000, 2500, 3150, 4000, 5000]);
  }
}

// ---- one application's history ------------------------------------------------------------------

const WORK_START = 8 * 60 + 30;
const WORK_END = 17 * 60 + 30;
/** ~90 calendar days */
const MAX_AGE_WORKDAYS = 58;

type Stage =
  | { kind: 'in_progress'; step: number }
  /** the previous steps are done, `step` has not started yet */
  | { kind: 'waiting'; step: number }
  | { kind: 'completed' };

interface StepTiming {
  /** workdays the step takes, counting its start and end day */
  duration: number;
  /** workdays between the previous step's completion and this step's start */
  wait: number;
  startFraction: number;
  endFraction: number;
}

interface PlacedEvent {
  step: number;
  type: SyncEvent['type'];
  /** workday ordinal relative to acceptance */
  day: number;
  minute: number;
}

function stepDuration(rng: Rng, process: Process, index: number): number {
  const step = process.steps[index]!;
  if (step.side === 'customer') return process.code === 'hv_dual' ? rng.int(20, 40) : rng.int(15, 35);
  const limit = step.limitWorkdays ?? step.typicalWorkdays;
  // Now and then a step runs over its limit: the staff pages need some overdue history.
  if (rng.chance(0.08)) return limit + rng.int(1, 2);
  return Math.min(limit, Math.max(1, step.typicalWorkdays + rng.int(-1, 1)));
}

function waitBefore(rng: Rng, process: Process, index: number): number {
  if (index === 0) return 0;
  const quick = () => (rng.chance(0.6) ? 0 : 1);
  // Waits for the customer: an appointment, a design, wiring or a meter box not ready yet.
  const customerDelay = (max: number) => (rng.chance(0.4) ? rng.int(2, max) : quick());
  switch (process.steps[index]!.code) {
    case 'survey':
      return customerDelay(6);
    case 'design_review':
      return rng.int(2, 12);
    case 'construction':
      return rng.int(0, 3);
    case 'completion_inspection':
      return rng.int(1, 5);
    case 'external_works':
      return customerDelay(12);
    case 'connect':
      return process.code.startsWith('lv_') ? customerDelay(20) : quick();
    default:
      return quick();
  }
}

/** Lays the events out in workdays from acceptance; each event later than the one before. */
function layOut(timings: StepTiming[], stage: Stage, acceptMinute: number): PlacedEvent[] {
  const events: PlacedEvent[] = [];
  const lastStarted = stage.kind === 'completed' ? timings.length - 1 : stage.kind === 'in_progress' ? stage.step : stage.step - 1;
  const lastCompleted = stage.kind === 'completed' ? timings.length - 1 : stage.step - 1;
  let day = 0;
  let minute = acceptMinute;
  const between = (fraction: number, from: number) => from + Math.floor(fraction * (WORK_END - from));
  for (let i = 0; i <= lastStarted; i++) {
    const t = timings[i]!;
    if (i > 0) {
      if (t.wait === 0 && minute + 15 < WORK_END) {
        minute = between(t.startFraction, minute + 15);
      } else {
        day += Math.max(1, t.wait);
        minute = between(t.startFraction, WORK_START);
      }
    }
    events.push({ step: i, type: 'step_started', day, minute });
    if (i > lastCompleted) break;
    if (t.duration === 1 && minute + 30 < WORK_END) {
      minute = between(t.endFraction, minute + 30);
    } else {
      day += Math.max(1, t.duration - 1);
      minute = between(t.endFraction, WORK_START);
    }
    events.push({ step: i, type: 'step_completed', day, minute });
  }
  return events;
}

interface Draft {
  process: Process;
  status: ApplicationBody['status'];
  accountNo: string;
  queryCode: string;
  customerName: string;
  address: string;
  phone: string;
  capacityKva: number;
  accountManagerId: string | null;
  requestedConnectDate: CalendarDate | null;
  acceptedAt: number;
  steps: StepRecord[];
  events: (Omit<SyncEvent, 'eventId' | 'applicationNo'> & { atMs: number })[];
  feasibility: 'none' | 'infeasible' | 'tight' | 'comfortable';
  /** one of the applications that put every step of its process on show */
  showcase: boolean;
  applicationNo: string;
}

// ---- the generator ------------------------------------------------------------------------------

export function generateDemoData(options: DemoDataOptions): DemoData {
  const { now, catalog, calendar, timeZone } = options;
  const rng = createRng(options.seed ?? DEMO_SEED);
  const total = options.applicationCount ?? 200;
  const today = calendarDateOf(now, timeZone);
  const nowMinute = Math.floor((now - startOfDay(today, timeZone)) / 60_000);
  // Workdays are counted back from today's ordinal (the next workday's on a day off, as the planner does).
  const todayOrdinal = calendar.workdayOrdinal(today);
  const todayUsable = calendar.isWorkday(today) && nowMinute > WORK_START + 10;
  const instantOf = (ordinal: number, minute: number) => {
    // Working hours already past today are squeezed into the part of the day before now.
    const squeezed = ordinal === todayOrdinal && nowMinute < WORK_END ? WORK_START + ((minute - WORK_START) * (nowMinute - 1 - WORK_START)) / (WORK_END - WORK_START) : minute;
    return startOfDay(calendar.dateOfWorkdayOrdinal(ordinal), timeZone) + Math.floor(squeezed * 60) * 1000;
  };

  const handlers: DemoHandler[] = teams.flatMap((team) =>
    [{ ...team.lead, role: 'team_lead' as const }, ...team.handlers.map((h) => ({ ...h, role: 'handler' as const }))].map((h) => ({
      handlerId: h.handlerId,
      name: h.name,
      phone: `139${rng.digits(8)}`,
      teamId: team.teamId,
      teamName: team.teamName,
      role: h.role,
    })),
  );

  const share: [string, number][] = [['lv_resident', 0.45], ['lv_business', 0.27], ['hv_single', 0.18], ['hv_dual', 0.1]];
  const processCodes = rng.shuffle(
    share.flatMap(([code, fraction], k) => {
      const count = k === share.length - 1 ? total - share.slice(0, -1).reduce((s, [, f]) => s + Math.round(f * total), 0) : Math.round(fraction * total);
      return Array.from({ length: count }, () => code);
    }),
  );

  const usedAccounts = new Set<string>();
  const newAccountNo = () => {
    let accountNo: string;
    do accountNo = `53${rng.digits(8)}`;
    while (usedAccounts.has(accountNo));
    usedAccounts.add(accountNo);
    return accountNo;
  };

  const seenPerProcess = new Map<string, number>();
  const drafts: Draft[] = processCodes.map((processCode) => {
    const process = getProcess(catalog, processCode);
    const n = process.steps.length;
    const seen = seenPerProcess.get(processCode) ?? 0;
    seenPerProcess.set(processCode, seen + 1);

    // The first n applications of each process stand at each of its steps, so every stage is on show.
    let stage: Stage;
    if (seen < n) stage = { kind: 'in_progress', step: seen };
    else if (seen === n || rng.chance(0.03)) stage = { kind: 'completed' };
    else {
      // Longer steps hold more applications at any moment.
      const step = weighted(rng, process.steps.map((s, i): [number, number] => [i, s.typicalWorkdays + 1]));
      stage = step > 0 && rng.chance(0.15) ? { kind: 'waiting', step } : { kind: 'in_progress', step };
    }

    const district = weighted(rng, districtWeights);
    const team = teams.find((t) => (t.districts as readonly string[]).includes(district))!;
    const teamHandlers = team.handlers.map((h) => h.handlerId);
    const accountManagerId = processCode.startsWith('hv_') ? rng.pick(teamHandlers) : null;
    const timings: StepTiming[] = process.steps.map((_, i) => ({
      duration: stepDuration(rng, process, i),
      wait: waitBefore(rng, process, i),
      startFraction: rng.next() * 0.5,
      endFraction: rng.next(),
    }));
    const acceptMinute = WORK_START + rng.int(0, 7 * 60);

    // Workdays from the last event's day to today (0: earlier today): how long the current step has run,
    // or the idle time. A utility step started s workdays ago is overdue once s reaches its limit.
    let sinceLast: number;
    if (stage.kind === 'completed') sinceLast = rng.int(1, 40);
    else if (stage.kind === 'waiting') sinceLast = rng.int(0, Math.max(1, timings[stage.step]!.wait));
    else {
      const step = process.steps[stage.step]!;
      const t = timings[stage.step]!;
      const limit = step.limitWorkdays;
      if (limit !== null && rng.chance(0.1)) sinceLast = limit + rng.int(0, 2);
      else sinceLast = rng.int(0, Math.max(0, Math.min(t.duration, limit ?? t.duration) - 1));
      // Before work starts today (or on a day off) a one-day step started on an earlier day is already
      // overdue; such a step has simply not started yet (acceptance: done, the next step not started).
      if (sinceLast === 0 && !todayUsable && limit === 1 && (stage.step > 0 || seen >= n)) stage = { kind: 'waiting', step: Math.max(1, stage.step) };
    }

    let placed = layOut(timings, stage, acceptMinute);
    let span = placed[placed.length - 1]!.day + sinceLast;
    // Keep acceptance within ~90 days: drop customer delays first, then shorten construction.
    if (span > MAX_AGE_WORKDAYS) {
      timings.forEach((t) => (t.wait = 0));
      placed = layOut(timings, stage, acceptMinute);
      span = placed[placed.length - 1]!.day + sinceLast;
    }
    const construction = process.steps.findIndex((s) => s.side === 'customer');
    if (span > MAX_AGE_WORKDAYS && construction >= 0) {
      timings[construction]!.duration = Math.max(15, timings[construction]!.duration - (span - MAX_AGE_WORKDAYS));
      placed = layOut(timings, stage, acceptMinute);
      span = placed[placed.length - 1]!.day + sinceLast;
    }
    if (span > MAX_AGE_WORKDAYS) sinceLast = Math.max(0, sinceLast - (span - MAX_AGE_WORKDAYS));
    if (sinceLast === 0 && !todayUsable) sinceLast = 1;
    const acceptedOrdinal = todayOrdinal - sinceLast - placed[placed.length - 1]!.day;

    const handlerFor = (i: number) => {
      const step = process.steps[i]!;
      if (step.side === 'customer') return accountManagerId;
      if (accountManagerId && (step.code === 'plan_reply' || step.code === 'contract')) return accountManagerId;
      return rng.pick(teamHandlers);
    };
    const stepHandlers = process.steps.map((_, i) => handlerFor(i));
    const events = placed.map((e) => {
      const atMs = instantOf(acceptedOrdinal + e.day, e.minute);
      return { stepCode: process.steps[e.step]!.code, type: e.type, at: formatInstant(atMs, timeZone), atMs, handlerId: stepHandlers[e.step] ?? null };
    });
    const steps: StepRecord[] = process.steps.map((s) => {
      const started = events.find((e) => e.stepCode === s.code && e.type === 'step_started');
      const completed = events.find((e) => e.stepCode === s.code && e.type === 'step_completed');
      return {
        code: s.code,
        status: completed ? 'done' : started ? 'in_progress' : 'pending',
        actualStart: started?.atMs ?? null,
        actualEnd: completed?.atMs ?? null,
      };
    });

    return {
      process,
      status: stage.kind === 'completed' ? 'completed' : 'active',
      accountNo: newAccountNo(),
      queryCode: rng.digits(6),
      customerName: customerName(rng, processCode, district, stage.kind === 'completed'),
      address: address(rng, processCode, district),
      phone: `${rng.pick(mobilePrefixes)}${rng.digits(8)}`,
      capacityKva: capacityKva(rng, processCode),
      accountManagerId,
      requestedConnectDate: null,
      acceptedAt: events[0]!.atMs,
      steps,
      events,
      feasibility: 'none',
      showcase: seen < n,
      applicationNo: '',
    };
  });

  // A couple of long-running high-voltage applications are on hold (the customer paused the project).
  drafts
    .filter((d) => !d.showcase && d.process.code.startsWith('hv_') && d.status === 'active' && d.steps.some((s) => s.status === 'in_progress') && d.steps.filter((s) => s.status === 'done').length >= 2)
    .slice(-2)
    .forEach((d) => (d.status = 'suspended'));

  for (const draft of drafts) chooseRequestedDate(rng, draft, { today, calendar, timeZone });

  // A few small businesses come back for a high-voltage connection on the same account.
  const expanding = drafts.filter((d) => d.status === 'active' && d.process.code === 'hv_single' && !d.showcase);
  drafts
    .filter((d) => d.status === 'completed' && d.process.code === 'lv_business' && d.customerName.endsWith('有限公司'))
    .slice(0, 3)
    .forEach((earlier) => {
      const later = expanding.find((d) => d.acceptedAt > earlier.acceptedAt);
      if (!later) return;
      expanding.splice(expanding.indexOf(later), 1);
      Object.assign(later, { accountNo: earlier.accountNo, queryCode: earlier.queryCode, customerName: earlier.customerName, phone: earlier.phone });
    });

  // 工单号 follow acceptance order, numbered per year.
  drafts.sort((a, b) => a.acceptedAt - b.acceptedAt);
  const perYear = new Map<string, number>();
  for (const draft of drafts) {
    const year = calendarDateOf(draft.acceptedAt, timeZone).slice(0, 4);
    const seq = (perYear.get(year) ?? 0) + 1;
    perYear.set(year, seq);
    draft.applicationNo = `YX${year}-${String(seq).padStart(4, '0')}`;
  }

  const applications: DemoApplication[] = drafts.map((d) => ({
    applicationNo: d.applicationNo,
    accountNo: d.accountNo,
    customerName: d.customerName,
    processCode: d.process.code,
    capacityKva: d.capacityKva,
    address: d.address,
    phone: d.phone,
    queryCode: d.queryCode,
    requestedConnectDate: d.requestedConnectDate,
    acceptedAt: formatInstant(d.acceptedAt, timeZone),
    status: d.status,
    accountManagerId: d.accountManagerId,
  }));

  const events: SyncEvent[] = drafts
    .flatMap((d) =>
      d.events.map((e) => ({
        sortKey: e.atMs,
        event: {
          eventId: `EV-${d.applicationNo}-${e.stepCode}-${e.type === 'step_started' ? 'S' : 'C'}`,
          applicationNo: d.applicationNo,
          stepCode: e.stepCode,
          type: e.type,
          at: e.at,
          handlerId: e.handlerId,
        },
      })),
    )
    .sort((a, b) => a.sortKey - b.sortKey || a.event.eventId.localeCompare(b.event.eventId))
    .map((e) => e.event);

  return { handlers, applications, events, demoAccounts: pickDemoAccounts(drafts) };
}

/**
 * Requested dates against what the planner can do from today: ~20% none, some infeasible (before the
 * earliest date the remaining steps can finish), some tight (needs compression), the rest comfortable.
 */
function chooseRequestedDate(rng: Rng, draft: Draft, at: { today: CalendarDate; calendar: WorkingCalendar; timeZone: string }): void {
  const { today, calendar, timeZone } = at;
  const r = rng.next();
  if (r < 0.2) return;
  const plan = planApplication({ process: draft.process, steps: draft.steps, requestedConnectDate: null, today, calendar, timeZone });
  const expected = plan.expectedConnectDate!;
  if (draft.status === 'completed') {
    draft.requestedConnectDate = addDays(expected, rng.int(0, 20));
    draft.feasibility = 'comfortable';
    return;
  }
  const earliest = plan.earliestFeasibleDate!;
  const acceptedDate = calendarDateOf(draft.acceptedAt, timeZone);
  const lowest = toDayNumber(today) > toDayNumber(acceptedDate) ? today : addDays(acceptedDate, 1);
  const room = toDayNumber(earliest) - toDayNumber(lowest);
  if (r < 0.33 && room >= 1) {
    draft.requestedConnectDate = addDays(lowest, rng.int(0, room - 1));
    draft.feasibility = 'infeasible';
  } else if (r < 0.55) {
    const from = calendar.workdayOrdinal(earliest);
    const to = Math.max(from, calendar.workdayOrdinal(expected) - 1);
    draft.requestedConnectDate = calendar.dateOfWorkdayOrdinal(rng.int(from, to));
    draft.feasibility = 'tight';
  } else {
    draft.requestedConnectDate = addDays(expected, rng.int(5, 45));
    draft.feasibility = 'comfortable';
  }
}

function pickDemoAccounts(drafts: Draft[]): DemoAccount[] {
  const byAccount = new Map<string, Draft[]>();
  for (const d of drafts) byAccount.set(d.accountNo, [...(byAccount.get(d.accountNo) ?? []), d]);
  const current = (d: Draft) => d.steps.find((s) => s.status === 'in_progress')?.code;
  const account = (d: Draft, note: string): DemoAccount => ({
    accountNo: d.accountNo,
    queryCode: d.queryCode,
    customerName: d.customerName,
    applicationNos: byAccount.get(d.accountNo)!.map((x) => x.applicationNo),
    note,
  });
  const picks: DemoAccount[] = [];
  const add = (d: Draft | undefined, note: string) => {
    if (d && !picks.some((p) => p.accountNo === d.accountNo)) picks.push(account(d, note));
  };
  add(
    drafts.find((d) => d.process.code === 'hv_single' && d.status === 'active' && d.feasibility === 'comfortable' && current(d) === 'construction'),
    '高压单电源，客户受电工程施工中，要求接电日期可满足',
  );
  add(drafts.find((d) => d.process.code === 'lv_resident' && d.status === 'active' && current(d) === 'survey'), '低压居民新装，现场勘查中');
  add(drafts.find((d) => d.status === 'active' && d.feasibility === 'infeasible'), '要求接电日期早于最早可行日期');
  add(
    drafts.find((d) => byAccount.get(d.accountNo)!.length > 1 && d.status === 'active'),
    '同一户号两个工单：低压已接电，高压进行中',
  );
  return picks;
}
