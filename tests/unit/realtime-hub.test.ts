import { describe, expect, it } from 'vitest';
import { createInProcessHub } from '../../server/realtime/hub.ts';

describe('the in-process realtime hub', () => {
  it('delivers the one serialised message to every subscriber of the topic, and only of that topic', () => {
    const hub = createInProcessHub();
    const got: string[] = [];
    hub.subscribe('a', (m) => got.push(`1:${m}`));
    hub.subscribe('a', (m) => got.push(`2:${m}`));
    hub.subscribe('b', (m) => got.push(`3:${m}`));
    expect(hub.publish('a', 'hello')).toBe(2);
    expect(got).toEqual(['1:hello', '2:hello']);
    expect(hub.publish('c', 'nobody')).toBe(0);
  });

  it('keeps delivering to the others when one subscriber throws, and reports the error', () => {
    const errors: unknown[] = [];
    const hub = createInProcessHub((error) => errors.push(error));
    const got: string[] = [];
    hub.subscribe('a', () => {
      throw new Error('socket gone');
    });
    hub.subscribe('a', (m) => got.push(m));
    hub.publish('a', 'x');
    expect(got).toEqual(['x']);
    expect(errors).toEqual([new Error('socket gone')]);
  });

  it('forgets a topic when its last subscriber leaves', () => {
    const hub = createInProcessHub();
    const unsubscribe = hub.subscribe('a', () => {});
    expect(hub.hasSubscribers('a')).toBe(true);
    unsubscribe();
    expect(hub.hasSubscribers('a')).toBe(false);
  });

  it('does not drop later subscribers when an old unsubscribe runs again', () => {
    const hub = createInProcessHub();
    const send = () => {};
    const first = hub.subscribe('a', send);
    const second = hub.subscribe('a', send);
    first();
    const got: string[] = [];
    hub.subscribe('a', (m) => got.push(m));
    second();
    hub.publish('a', 'still here');
    expect(got).toEqual(['still here']);
  });
});
