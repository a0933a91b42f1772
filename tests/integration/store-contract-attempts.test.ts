// The attempt log's contract (server/limits/attempt-log.ts): the single SQLite process's log in memory and the
// PostgreSQL table every instance shares give the same answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttemptLog } from '../../server/limits/attempt-log.ts';
import { storeImplementations } from '../support/store-contract.ts';

const T0 = Date.parse('2026-11-24T10:00:00+08:00');
const MINUTE = 60_000;

describe.each(storeImplementations)('the attempt log beside $name', (implementation) => {
  let attempts: AttemptLog;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const opened = await implementation.open();
    attempts = opened.attempts;
    close = opened.close;
  });
  afterAll(() => close());

  it('gives a key\'s attempts after an instant, oldest first, with their tags, and no other key\'s', async () => {
    await attempts.add('q/pair:a', T0 + 2000, 15 * MINUTE, '10.0.0.2');
    await attempts.add('q/pair:a', T0, 15 * MINUTE, '10.0.0.1');
    await attempts.add('q/pair:a', T0 + 1000, 15 * MINUTE);
    await attempts.add('q/pair:b', T0, 15 * MINUTE);
    expect(await attempts.since('q/pair:a', T0 - 1)).toEqual([
      { at: T0, tag: '10.0.0.1' },
      { at: T0 + 1000, tag: null },
      { at: T0 + 2000, tag: '10.0.0.2' },
    ]);
    // strictly after: an attempt exactly at the window's start no longer counts
    expect((await attempts.since('q/pair:a', T0)).map((a) => a.at)).toEqual([T0 + 1000, T0 + 2000]);
    expect(await attempts.since('q/pair:none', 0)).toEqual([]);
  });

  it('clears one key and leaves the others', async () => {
    await attempts.clear('q/pair:a');
    expect(await attempts.since('q/pair:a', 0)).toEqual([]);
    expect(await attempts.since('q/pair:b', 0)).toHaveLength(1);
  });

  it('forgets what a key tried longer ago than it keeps when it tries again', async () => {
    await attempts.add('chat/session:s1', T0, MINUTE);
    await attempts.add('chat/session:s1', T0 + 2 * MINUTE, MINUTE);
    expect((await attempts.since('chat/session:s1', 0)).map((a) => a.at)).toEqual([T0 + 2 * MINUTE]);
  });

  it('forgets every attempt made before an instant (the sweeper\'s job), whatever its key', async () => {
    await attempts.add('x:old', T0 - 10 * MINUTE, 60 * MINUTE);
    await attempts.add('x:new', T0 + 10 * MINUTE, 60 * MINUTE);
    await attempts.forgetBefore(T0 + 1);
    expect(await attempts.since('x:old', 0)).toEqual([]);
    expect(await attempts.since('q/pair:b', 0)).toEqual([]);
    expect((await attempts.since('x:new', 0)).map((a) => a.at)).toEqual([T0 + 10 * MINUTE]);
  });
});
