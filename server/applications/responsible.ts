// Who is responsible for an application now: the handler of its current step, else whoever handled it last, else
// its account manager (客户经理); and that person's team, whose lead sees the application's queue items.
import type { ApplicationStore } from './application-store.ts';

export async function responsibleFor(store: Pick<ApplicationStore, 'application' | 'steps' | 'handler'>, applicationNo: string) {
  const steps = await store.steps(applicationNo);
  const current = steps.find((s) => s.status === 'in_progress' && s.handlerId);
  const last = current ?? [...steps].filter((s) => s.handlerId).sort((a, b) => (b.handlerAt ?? 0) - (a.handlerAt ?? 0))[0];
  const managerId = last ? null : (await store.application(applicationNo))?.accountManagerId;
  const handlerId = last?.handlerId ?? managerId;
  const handler = handlerId ? await store.handler(handlerId) : undefined;
  return { handler, teamId: handler?.teamId ?? null };
}
