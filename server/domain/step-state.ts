// How a step's state follows from its sync events. Decided by each event's `at`, never by arrival order,
// so events may arrive in any order, twice, or late, and the step ends up the same.

export type StepStatus = 'pending' | 'in_progress' | 'done';

export interface StepState {
  status: StepStatus;
  actualStart: number | null;
  actualEnd: number | null;
  lastStartedAt: number | null;
  lastCompletedAt: number | null;
  handlerId: string | null;
}

export interface StepEvent {
  type: 'step_started' | 'step_completed';
  at: number;
  handlerId: string | null;
}

export const initialStepState: StepState = {
  status: 'pending',
  actualStart: null,
  actualEnd: null,
  lastStartedAt: null,
  lastCompletedAt: null,
  handlerId: null,
};

/**
 * The newest start and the newest completion are kept; the step is done when its newest completion is not
 * older than its newest start (a start after a completion reopens it for rework). Returns the same object
 * when the event changes nothing.
 */
export function applyStepEvent(state: StepState, event: StepEvent): StepState {
  const lastStartedAt =
    event.type === 'step_started' ? Math.max(state.lastStartedAt ?? -Infinity, event.at) : state.lastStartedAt;
  const lastCompletedAt =
    event.type === 'step_completed' ? Math.max(state.lastCompletedAt ?? -Infinity, event.at) : state.lastCompletedAt;
  const newest = Math.max(state.lastStartedAt ?? -Infinity, state.lastCompletedAt ?? -Infinity);
  const handlerId = event.handlerId !== null && event.at >= newest ? event.handlerId : state.handlerId;

  const done = lastCompletedAt !== null && (lastStartedAt === null || lastCompletedAt >= lastStartedAt);
  const status: StepStatus = done ? 'done' : lastStartedAt !== null ? 'in_progress' : 'pending';
  const next: StepState = {
    status,
    actualStart: lastStartedAt,
    actualEnd: done ? lastCompletedAt : null,
    lastStartedAt,
    lastCompletedAt,
    handlerId,
  };
  const unchanged =
    next.status === state.status &&
    next.actualStart === state.actualStart &&
    next.actualEnd === state.actualEnd &&
    next.lastStartedAt === state.lastStartedAt &&
    next.lastCompletedAt === state.lastCompletedAt &&
    next.handlerId === state.handlerId;
  return unchanged ? state : next;
}
