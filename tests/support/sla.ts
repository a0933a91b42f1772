// Time-limit scenarios shared by the SLA tests: the staff of tests/support/live.ts, and an application in design review.
import type { TestApp } from './app.ts';
import { completed, postEvents, putApplication, putHandler, started } from './notices.ts';
import { staffOf } from './live.ts';

export async function syncStaff(t: TestApp): Promise<void> {
  for (const [id, body] of Object.entries(staffOf)) await putHandler(t, id, body);
}

/** hv_single for a far requested date (so the due time is the step's limit): design review since `reviewAt`. */
export async function inDesignReview(t: TestApp, applicationNo: string, reviewAt: string, handlerId = 'H001', firstDay = '2026-11-20'): Promise<void> {
  await putApplication(t, applicationNo, { requestedConnectDate: '2027-06-30', acceptedAt: `${firstDay}T09:00:00+08:00` });
  await postEvents(t, [
    started(applicationNo, 'accept', `${firstDay}T09:00:00+08:00`, handlerId),
    completed(applicationNo, 'accept', `${firstDay}T10:00:00+08:00`, handlerId),
    started(applicationNo, 'survey', `${firstDay}T10:30:00+08:00`, handlerId),
    completed(applicationNo, 'survey', `${firstDay}T12:00:00+08:00`, handlerId),
    started(applicationNo, 'plan_reply', `${firstDay}T14:00:00+08:00`, handlerId),
    completed(applicationNo, 'plan_reply', `${firstDay}T16:00:00+08:00`, handlerId),
    started(applicationNo, 'design_review', reviewAt, handlerId),
  ]);
}

/**
 * lv_resident (5 workdays in all) whose slow accept (2 workdays, limit 1) and survey (3, limit 1) used up the limit,
 * connecting since Mon 2026-11-30 09:00.
 */
export async function applicationLimitUsedUp(t: TestApp, applicationNo: string): Promise<void> {
  await putApplication(t, applicationNo, { processCode: 'lv_resident', requestedConnectDate: undefined, acceptedAt: '2026-11-19T09:00:00+08:00' });
  await postEvents(t, [
    started(applicationNo, 'accept', '2026-11-19T09:00:00+08:00'),
    completed(applicationNo, 'accept', '2026-11-20T10:00:00+08:00'),
    started(applicationNo, 'survey', '2026-11-24T09:00:00+08:00'),
    completed(applicationNo, 'survey', '2026-11-26T16:00:00+08:00'),
    started(applicationNo, 'connect', '2026-11-30T09:00:00+08:00'),
  ]);
}
