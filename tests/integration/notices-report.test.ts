// `notices:report` replays an application's whole life and counts the customer's texts. Its syncs are units of work
// the replay must wait for: counted before they commit (or cut off by closing the app), the report showed 0 texts.
import { describe, expect, it } from 'vitest';
import { replay } from '../../server/cli/notices-report.ts';
import { testConfig } from '../support/app.ts';

// the report runs with the configuration's defaults (the test configuration widens the late-event horizon)
const config = testConfig({ LATE_EVENT_HORIZON_HOURS: '24' });

describe('notices:report', () => {
  it('counts the texts of a live replay: the plan, the steps, the connection', async () => {
    const live = await replay(config, 'lv_resident', 'live');
    expect(live.kinds[0]).toBe('plan_created');
    expect(live.kinds.at(-1)).toBe('connected');
    expect(live.kinds).toContain('step_started');
    expect(live.texts).toBe(live.kinds.length);
    expect(live.segments).toBeGreaterThanOrEqual(live.texts);
  });

  it('counts one text for a 40-day backlog: the state the application is in', async () => {
    const backlog = await replay(config, 'lv_resident', 'backlog');
    expect(backlog).toMatchObject({ texts: 1, kinds: ['connected'] });
  });
});
