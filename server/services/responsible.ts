// Who is responsible for an application now: the handler of its current step, else whoever handled it last, else
// its account manager (客户经理); and that person's team, whose lead sees the application's queue items.
import type { ApplicationReadsNow } from '../applications/application-store.ts';

export function responsibleFor(store: ApplicationReadsNow, applicationNo: string) {
  const steps = store.steps(applicationNo);
  const current = steps.find((s) => s.status === 'in_progress' && s.handlerId);
  const last = current ?? [...steps].filter((s) => s.handlerId).sort((a, b) => (b.handlerAt ?? 0) - (a.handlerAt ?? 0))[0];
  const managerId = last ? null : store.application(applicationNo)?.accountManagerId;
  const handler = last?.handlerId ? store.handler(last.handlerId) : managerId ? store.handler(managerId) : undefined;
  return { handler, teamId: handler?.teamId ?? null };
}
