// `npm run jiedian -- notices:report`: replays one application per process through its whole life (every step
// started and completed), as live events a minute apart and as a backlog 40 days old arriving one event per sync, on
// an in-memory database, and prints the customer's texts and SMS segments — to compare with the seed practice's ~4.
import type { Writable } from 'node:stream';
import { buildApp } from '../app.ts';
import type { Config } from '../config.ts';
import { openDatabase } from '../../db/client.ts';
import { ManualClock } from '../shared/clock.ts';
import { CATCH_UP_SETTLE_MS } from '../notices/writer.ts';
import { loadReferenceData } from '../shared/reference-data.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** a Tuesday, 09:00 in Shanghai: working hours, no quiet hours */
const START = Date.parse('2026-11-24T09:00:00+08:00');
/** the seed practice: 600 texts to 150 customers */
export const SEED_TEXTS_PER_CUSTOMER = 4;

export interface ReplayCount {
  processCode: string;
  replay: 'live' | 'backlog';
  texts: number;
  segments: number;
  kinds: string[];
}

/** One application of `processCode` through its whole life; counted once every sync has committed and its texts went out. */
export async function replay(config: Config, processCode: string, mode: 'live' | 'backlog'): Promise<ReplayCount> {
  const database = openDatabase(':memory:');
  const clock = new ManualClock(mode === 'live' ? START : START + 40 * DAY + 2 * 60 * MINUTE);
  // no SMS credentials: texts go to the log channel, unpaced; the counts are what would be sent
  const app = await buildApp({ config: { ...config, twilio: null, wechaty: null, quietHours: null }, database, clock, logger: false, startSweeper: false });
  await app.ready();
  const { context } = app;
  const { outbox } = app.stores;
  const { ingest } = app.applications;
  const { dispatcher } = app.notices;
  try {
    await ingest.upsertHandler('H001', { name: '李明', phone: '13912345678', teamId: 'T01', teamName: '业扩一班', role: 'handler' });
    const applicationNo = `RP-${processCode}`;
    await ingest.upsertApplication(applicationNo, {
      accountNo: '5300123456', customerName: '玉溪某某食品有限公司', processCode, phone: '13800001111', queryCode: '482913',
      acceptedAt: new Date(START).toISOString(), status: 'active',
    });
    const steps = context.catalog.processes.find((p) => p.code === processCode)!.steps.map((s) => s.code);
    let at = START;
    let n = 0;
    const event = async (stepCode: string, type: 'step_started' | 'step_completed') => {
      if (mode === 'live') clock.advance(MINUTE);
      at = mode === 'live' ? clock.now() : at + (type === 'step_started' ? 2 * 60 * MINUTE : 4 * DAY);
      await ingest.ingestEvents([{ eventId: `RP-${processCode}-${++n}`, applicationNo, stepCode, type, at: new Date(at).toISOString(), handlerId: 'H001' }]);
    };
    for (const step of steps) {
      await event(step, 'step_started');
      await dispatcher.idle();
      await event(step, 'step_completed');
      await dispatcher.idle();
    }
    clock.advance(CATCH_UP_SETTLE_MS + 24 * 60 * MINUTE);
    dispatcher.wake();
    await dispatcher.idle();
    const sent = (await outbox.ofApplication(applicationNo)).reverse().filter((r) => r.recipientKind === 'customer' && (r.status === 'sent' || r.status === 'delivered'));
    return { processCode, replay: mode, texts: sent.length, segments: sent.reduce((sum, r) => sum + r.segments, 0), kinds: sent.map((r) => r.noticeKind) };
  } finally {
    await app.close();
    database.close();
  }
}

/** Replays every process both ways and prints one line each; returns the counts. */
export async function runNoticesReport(config: Config, out: Writable): Promise<ReplayCount[]> {
  const counts: ReplayCount[] = [];
  out.write('process       replay   texts  segments  texts sent\n');
  for (const processCode of loadReferenceData(config).catalog.processes.map((p) => p.code)) {
    for (const mode of ['backlog', 'live'] as const) {
      const c = await replay(config, processCode, mode);
      counts.push(c);
      out.write(`${c.processCode.padEnd(13)} ${c.replay.padEnd(8)} ${String(c.texts).padStart(5)}  ${String(c.segments).padStart(8)}  ${c.kinds.join(', ')}\n`);
    }
  }
  out.write(`seed practice: about ${SEED_TEXTS_PER_CUSTOMER} texts per customer (600 texts to 150 customers)\n`);
  return counts;
}
