// Puts the demo data into a running service through the ingest (as the marketing system would), and moves a
// few applications along now and then so the pages have something to show.
import { and, asc, count, eq } from 'drizzle-orm';
import type { JiedianApp } from '../../server/app.ts';
import type { Database_ } from '../client.ts';
import type { ServiceContext } from '../../server/shared/context.ts';
import type { ApplicationsModule } from '../../server/applications/plugin.ts';
import type { StaffModule } from '../../server/staff/plugin.ts';
import { getProcess } from '../../server/domain/catalog.ts';
import { formatInstant } from '../../server/domain/dates.ts';
import { currentStepIndex, type ProgressView } from '../../server/domain/progress-view.ts';
import { createSqliteApplicationStore } from '../sqlite/application-store.ts';
import { MAX_EVENTS_PER_BATCH, type SyncEvent } from '../../server/schemas/sync.ts';
import { applications } from '../schema/applications.ts';
import { handlers, teams } from '../schema/reference.ts';
import { generateDemoData, type DemoAccount, type Rng } from './demo-data.ts';

/** The demo writes through the ingest, as the marketing system would, and reads the SQLite file it runs on. */
export interface DemoServices extends Pick<ApplicationsModule, 'ingest'> {
  database: Database_;
  context: ServiceContext;
}

/** What the demo uses of an app built on `database`: the database, the service context and the applications module. */
export const demoServicesOf = (app: JiedianApp, database: Database_): DemoServices & ApplicationsModule => ({ database, context: app.context, ...app.applications });

export interface SeedResult {
  seeded: boolean;
  applications: number;
  handlers: number;
  events: number;
  demoAccounts: DemoAccount[];
}

export interface DemoMove {
  applicationNo: string;
  /** the step just completed (or the last one done, when the next one was waiting to start) */
  from: { code: string; name: string } | null;
  to: { code: string; name: string };
}

function applicationCount(services: DemoServices): number {
  return services.database.db.select({ n: count() }).from(applications).get()?.n ?? 0;
}

/**
 * The sign-in the demo prints: the team lead who can open the most of the printed accounts' applications (so their
 * hurries and 转人工 reach that queue), and those accounts first.
 */
export async function demoStaffMember(
  services: { database: Database_ },
  staff: StaffModule,
  accounts: DemoAccount[] = [],
): Promise<{ handlerId: string; name: string; teamName: string; accounts: DemoAccount[] } | null> {
  const leads = services.database.db
    .select({ handlerId: handlers.id, name: handlers.name, teamName: teams.name })
    .from(handlers)
    .innerJoin(teams, eq(teams.id, handlers.teamId))
    .where(eq(handlers.role, 'team_lead'))
    .orderBy(asc(handlers.id))
    .all();
  let best: { lead: (typeof leads)[number]; seen: DemoAccount[] } | null = null;
  for (const lead of leads) {
    const who = await staff.auth.principal(lead.handlerId);
    const seen: DemoAccount[] = [];
    for (const account of who ? accounts : []) {
      let all = true;
      for (const no of account.applicationNos) all &&= await staff.access.canSee(who!, no);
      if (all) seen.push(account);
    }
    if (!best || seen.length > best.seen.length) best = { lead, seen };
  }
  if (!best) return null;
  return { ...best.lead, accounts: [...best.seen, ...accounts.filter((a) => !best!.seen.includes(a))] };
}

export const DEMO_ADMIN_ID = 'A900';

/** An admin for the demo (all teams' queues and statistics): made here, as `staff:admin` makes one, never synced. */
export async function demoAdmin(services: { database: Database_ } & Pick<ApplicationsModule, 'ingest'>): Promise<{ handlerId: string; name: string } | null> {
  const team = services.database.db.select({ id: teams.id, name: teams.name }).from(teams).orderBy(asc(teams.id)).get();
  if (!team) return null;
  if (!services.database.db.select({ id: handlers.id }).from(handlers).where(eq(handlers.id, DEMO_ADMIN_ID)).get()) {
    await services.ingest.upsertHandler(DEMO_ADMIN_ID, { name: '演示管理员', phone: '13900000900', teamId: team.id, teamName: team.name, role: 'team_lead' });
  }
  services.database.db.update(handlers).set({ role: 'admin' }).where(eq(handlers.id, DEMO_ADMIN_ID)).run();
  return { handlerId: DEMO_ADMIN_ID, name: '演示管理员' };
}

const statusNames: Record<string, string> = { active: '办理中', suspended: '已暂停', completed: '已完成', cancelled: '已撤销' };

/** One line per application of the account, as the database has it now (a restarted demo has moved on since). */
export async function describeAccountNow(services: Pick<ApplicationsModule, 'views'>, account: DemoAccount): Promise<string[]> {
  const lines: string[] = [];
  for (const no of account.applicationNos) lines.push(describeNow(no, await services.views.staffView(no)));
  return lines;
}

function describeNow(no: string, view: ProgressView | undefined): string {
  if (!view) return `${no} 不存在`;
  const step = view.currentStep;
  const where = view.status === 'active' && step ? `，当前“${step.name}”${step.side === 'customer' ? '（客户方）' : step.handler ? `（${step.handler.name}）` : ''}` : '';
  const expected = view.status === 'active' && view.expectedConnectDate ? `，预计接电 ${view.expectedConnectDate}${view.plan.feasible === false ? '（晚于要求日期）' : ''}` : '';
  return `${no} ${view.processName} ${statusNames[view.status]}${where}${expected}`;
}

/** Seeds only an empty database (no applications), so restarting the demo keeps what it had. */
export async function seedDemo(services: DemoServices, now: number): Promise<SeedResult> {
  const existing = applicationCount(services);
  if (existing > 0) return { seeded: false, applications: existing, handlers: 0, events: 0, demoAccounts: [] };
  const { context, ingest } = services;
  const data = generateDemoData({ now, catalog: context.catalog, calendar: context.calendar, timeZone: context.timeZone });

  for (const { handlerId, ...body } of data.handlers) await ingest.upsertHandler(handlerId, body);
  for (const { applicationNo, ...body } of data.applications) await ingest.upsertApplication(applicationNo, body);
  for (let i = 0; i < data.events.length; i += MAX_EVENTS_PER_BATCH) {
    const result = await ingest.ingestEvents(data.events.slice(i, i + MAX_EVENTS_PER_BATCH));
    const rejected = result.rejected[0];
    // Generated data that the ingest refuses is a bug in the generator, not something to skip quietly.
    if (rejected) throw new Error(`demo event ${rejected.eventId ?? '?'} rejected: ${rejected.message}`);
  }
  return {
    seeded: true,
    applications: data.applications.length,
    handlers: data.handlers.length,
    events: data.events.length,
    demoAccounts: data.demoAccounts,
  };
}

/**
 * Moves up to `limit` active applications one step: completes the step in progress and starts the next
 * (or starts a step that was waiting). The last step is left alone: completing an application is the
 * marketing system's call (its status), not a step event.
 */
export async function advanceDemo(services: DemoServices, now: number, rng: Rng, limit = 3): Promise<DemoMove[]> {
  const { database, context, ingest } = services;
  const { catalog } = context;
  const store = createSqliteApplicationStore(database).store;
  const active = database.db
    .select({ applicationNo: applications.applicationNo, processCode: applications.processCode, accountManagerId: applications.accountManagerId })
    .from(applications)
    .where(eq(applications.status, 'active'))
    .all();

  const moves: DemoMove[] = [];
  const events: SyncEvent[] = [];
  const stamp = now.toString(36);
  for (const application of rng.shuffle(active)) {
    if (moves.length >= limit) break;
    const process = getProcess(catalog, application.processCode);
    const steps = await store.steps(application.applicationNo);
    const index = currentStepIndex(steps.map((s) => s.status));
    const current = steps[index];
    if (!current) continue;
    const running = current.status === 'in_progress';
    if (running && index === steps.length - 1) continue;
    const target = running ? steps[index + 1]! : current;
    if (target.status !== 'pending') continue;
    const targetStep = process.steps.find((s) => s.code === target.stepCode)!;
    const previous = running ? current : steps[index - 1];

    // the team of the first step whose handler is known
    let team: string | undefined;
    for (const s of steps) if (!team && s.handlerId) team = (await store.handler(s.handlerId))?.teamId;
    const members = team
      ? database.db.select({ id: handlers.id }).from(handlers).where(and(eq(handlers.teamId, team), eq(handlers.role, 'handler'))).all().map((h) => h.id)
      : [];
    const handlerId = targetStep.side === 'customer' ? application.accountManagerId : members.length > 0 ? rng.pick(members) : null;

    const at = formatInstant(now, context.timeZone);
    if (running) {
      events.push({ eventId: `EV-${application.applicationNo}-${current.stepCode}-C-${stamp}`, applicationNo: application.applicationNo, stepCode: current.stepCode, type: 'step_completed', at, handlerId: current.handlerId });
    }
    events.push({ eventId: `EV-${application.applicationNo}-${target.stepCode}-S-${stamp}`, applicationNo: application.applicationNo, stepCode: target.stepCode, type: 'step_started', at, handlerId });
    const nameOf = (code: string) => process.steps.find((s) => s.code === code)!.name;
    moves.push({
      applicationNo: application.applicationNo,
      from: previous ? { code: previous.stepCode, name: nameOf(previous.stepCode) } : null,
      to: { code: target.stepCode, name: targetStep.name },
    });
  }
  if (events.length > 0) {
    const result = await ingest.ingestEvents(events);
    const rejected = result.rejected[0];
    if (rejected) throw new Error(`demo event ${rejected.eventId ?? '?'} rejected: ${rejected.message}`);
  }
  return moves;
}

export function describeMove(move: DemoMove): string {
  return `${move.applicationNo}: ${move.from?.name ?? '—'} → ${move.to.name}`;
}
