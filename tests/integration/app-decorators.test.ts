// What buildApp hands every plugin and command-line tool beside the modules: the configuration and the service
// context are the app's own decorators, the ones it was built with; no bag of services (app.jiedian) is left.
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../support/app.ts';

describe('the app', () => {
  it('is decorated with the configuration and the service context it was built with', async () => {
    const t = await buildTestApp({ env: { TIMEZONE: 'Asia/Urumqi' } });
    expect(t.app.config).toBe(t.config);
    expect(t.app.context.clock).toBe(t.clock);
    expect(t.app.context.timeZone).toBe('Asia/Urumqi');
    expect(t.app.context.catalog.processes.map((p) => p.code)).toContain('hv_single');
    expect(t.app.hasDecorator('jiedian')).toBe(false);
  });
});
