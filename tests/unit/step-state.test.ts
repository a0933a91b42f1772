import { describe, expect, it } from 'vitest';
import { applyStepEvent, initialStepState, type StepEvent, type StepState } from '../../server/domain/step-state.ts';

const at = (iso: string) => Date.parse(iso);
const started = (iso: string, handlerId: string | null = null): StepEvent => ({ type: 'step_started', at: at(iso), handlerId });
const completed = (iso: string, handlerId: string | null = null): StepEvent => ({ type: 'step_completed', at: at(iso), handlerId });

const fold = (events: StepEvent[], from: StepState = initialStepState) => events.reduce(applyStepEvent, from);

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('step state from sync events', () => {
  it('a start puts a pending step in progress with that start as its actual start', () => {
    const state = fold([started('2026-11-21T10:00:00+08:00', 'H001')]);
    expect(state).toMatchObject({
      status: 'in_progress',
      actualStart: at('2026-11-21T10:00:00+08:00'),
      actualEnd: null,
      handlerId: 'H001',
    });
  });

  it('a completion after the start makes the step done with both actual dates', () => {
    const state = fold([started('2026-11-21T10:00:00+08:00'), completed('2026-11-23T16:00:00+08:00')]);
    expect(state).toMatchObject({
      status: 'done',
      actualStart: at('2026-11-21T10:00:00+08:00'),
      actualEnd: at('2026-11-23T16:00:00+08:00'),
    });
  });

  it('the same events in every arrival order give the same state', () => {
    // a start, a completion, a rework start and its completion, with handlers changing on the way
    const events = [
      started('2026-11-21T10:00:00+08:00', 'H001'),
      completed('2026-11-23T16:00:00+08:00', 'H001'),
      started('2026-11-24T09:00:00+08:00', 'H002'),
      completed('2026-11-25T11:00:00+08:00', 'H002'),
    ];
    const expected: StepState = {
      status: 'done',
      actualStart: at('2026-11-24T09:00:00+08:00'),
      actualEnd: at('2026-11-25T11:00:00+08:00'),
      lastStartedAt: at('2026-11-24T09:00:00+08:00'),
      lastCompletedAt: at('2026-11-25T11:00:00+08:00'),
      handlerId: 'H002',
      handlerAt: at('2026-11-25T11:00:00+08:00'),
    };
    for (const order of permutations(events)) expect(fold(order)).toEqual(expected);
  });

  it('events without a handler leave the handler of the newest event that names one, in any order', () => {
    // The marketing system often sends completions without a handler. The step was started by H001 on the
    // 21st and reassigned to H002 on the 22nd; the completion of the 23rd names nobody, so H002 stays.
    const events = [
      started('2026-11-21T10:00:00+08:00', 'H001'),
      started('2026-11-22T10:00:00+08:00', 'H002'),
      completed('2026-11-23T16:00:00+08:00', null),
    ];
    for (const order of permutations(events)) {
      expect(fold(order).handlerId, order.map((e) => e.handlerId).join(',')).toBe('H002');
      expect(fold(order).status).toBe('done');
    }
  });

  it('two events at the same instant naming different handlers settle on one handler whatever the order', () => {
    const a = started('2026-11-21T10:00:00+08:00', 'H001');
    const b = completed('2026-11-21T10:00:00+08:00', 'H002');
    expect(fold([a, b]).handlerId).toBe(fold([b, a]).handlerId);
  });

  it('an older event never rolls a completed step back', () => {
    const done = fold([started('2026-11-21T10:00:00+08:00'), completed('2026-11-23T16:00:00+08:00')]);
    // a start from before the completion arrives late (e.g. re-sent from an outbox)
    const afterLateStart = applyStepEvent(done, started('2026-11-22T08:00:00+08:00'));
    expect(afterLateStart.status).toBe('done');
    expect(afterLateStart.actualEnd).toBe(at('2026-11-23T16:00:00+08:00'));
    // an older completion does not move the end back either
    const afterOldCompletion = applyStepEvent(done, completed('2026-11-22T16:00:00+08:00'));
    expect(afterOldCompletion).toBe(done);
  });

  it('a completion that arrives before its start gives a done step once the start arrives', () => {
    const state = fold([completed('2026-11-23T16:00:00+08:00'), started('2026-11-21T10:00:00+08:00')]);
    expect(state).toMatchObject({
      status: 'done',
      actualStart: at('2026-11-21T10:00:00+08:00'),
      actualEnd: at('2026-11-23T16:00:00+08:00'),
    });
  });

  it('repeating an event changes nothing (the same state object comes back)', () => {
    const first = fold([started('2026-11-21T10:00:00+08:00', 'H001'), completed('2026-11-23T16:00:00+08:00', 'H001')]);
    expect(applyStepEvent(first, completed('2026-11-23T16:00:00+08:00', 'H001'))).toBe(first);
    expect(applyStepEvent(first, started('2026-11-21T10:00:00+08:00', 'H001'))).toBe(first);
  });

  it('a start newer than the completion reopens the step for rework', () => {
    const done = fold([started('2026-11-21T10:00:00+08:00'), completed('2026-11-23T16:00:00+08:00')]);
    const reopened = applyStepEvent(done, started('2026-11-24T09:00:00+08:00', 'H003'));
    expect(reopened).toMatchObject({
      status: 'in_progress',
      actualStart: at('2026-11-24T09:00:00+08:00'),
      actualEnd: null,
      handlerId: 'H003',
    });
  });

  it('the handler follows the newest event, not the last to arrive', () => {
    const state = fold([started('2026-11-22T10:00:00+08:00', 'H002'), started('2026-11-21T10:00:00+08:00', 'H001')]);
    expect(state.handlerId).toBe('H002');
    const handedOver = applyStepEvent(state, completed('2026-11-23T16:00:00+08:00', 'H003'));
    expect(handedOver.handlerId).toBe('H003');
  });

  it('a completion alone (start never synced) makes the step done without an actual start', () => {
    expect(fold([completed('2026-11-23T16:00:00+08:00')])).toMatchObject({
      status: 'done',
      actualStart: null,
      actualEnd: at('2026-11-23T16:00:00+08:00'),
    });
  });
});
