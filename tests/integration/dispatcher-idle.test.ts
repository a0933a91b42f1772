// dispatcher.idle(), what tests and benchmarks wait on, waits for a claim under way. On PostgreSQL a claim is
// committed before its answer comes back over the network: a look at the queue in that gap finds the row neither
// due nor in flight, and idle() used to resolve before the row was sent.
import { describe, expect, it } from 'vitest';
import type { Channel, ChannelKind } from '../../channels/channel.ts';
import { LogChannel } from '../../channels/log.ts';
import { openDatabase } from '../../db/client.ts';
import { createOutboxStore } from '../../db/outbox-store.ts';
import { createSqliteDeliveryQueue } from '../../db/sqlite/delivery-queue.ts';
import { createSqliteOutbox } from '../../db/sqlite/outbox.ts';
import type { DeliveryQueue } from '../../server/notices/delivery-queue.ts';
import { createDispatcher } from '../../server/notices/dispatcher.ts';
import { ManualClock } from '../../server/shared/clock.ts';
import { recordingLogger } from '../support/logger.ts';
import { DEFAULT_NOW } from '../support/app.ts';

describe('dispatcher.idle()', () => {
  it('resolves only once a row whose claim is committed but not yet answered has been sent and recorded', async () => {
    const database = openDatabase(':memory:');
    const store = createOutboxStore(database.db);
    const outbox = createSqliteOutbox(store);
    const clock = new ManualClock(DEFAULT_NOW);
    await outbox.insert({
      id: 'row-1',
      applicationNo: 'YX2026-0001',
      recipientKind: 'customer',
      recipientRef: '5300123456',
      channel: 'sms',
      address: '13800001111',
      noticeKind: 'step_started',
      variables: {},
      text: '【接电助手】用电申请YX2026-0001已进入“设计文件审核”环节',
      segments: 1,
      urgent: false,
      nextAttemptAt: clock.now(),
      createdAt: clock.now(),
    });

    // the claim is committed, and its answer is held back until the test lets it through
    const real = createSqliteDeliveryQueue(store);
    let committed!: () => void;
    const claimCommitted = new Promise<void>((resolve) => (committed = resolve));
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const queue: DeliveryQueue = {
      ...real,
      async claim(rows, now) {
        const ids = await real.claim(rows, now);
        committed();
        await answered;
        return ids;
      },
    };
    const { logger } = recordingLogger();
    const channels: Record<ChannelKind, Channel> = {
      sms: new LogChannel('sms', logger),
      wechat: new LogChannel('wechat', logger),
      wechat_oa: new LogChannel('wechat_oa', logger),
      wecom: new LogChannel('wecom', logger),
      email: new LogChannel('email', logger),
    };
    const dispatcher = createDispatcher({ queue, channels, clock, log: logger });
    await dispatcher.start();
    await claimCommitted;

    const idle = dispatcher.idle().then(async () => (await outbox.byId('row-1'))!.status);
    answer();
    // the log channel reports its sends delivered at once
    expect(await idle).toBe('delivered');
    await dispatcher.stop();
    database.close();
  });
});
