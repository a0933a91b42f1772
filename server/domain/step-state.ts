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
  /** `at` of the event that named the handler: only a newer event naming a handler replaces it */
  handlerAt: number | null;
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
  handlerAt: null,
};

/**
 * The newest start and the newest completion are kept; the step is done when its newest completion is not
 * older than its newest start (a start after a completion reopens it for rework). The handler is the one
 * named by the newest event that names one (an event without a handler says nothing about it; at the same
 * instant the greater id wins, so the order of arrival never matters). Returns the same object when the
 * event changes nothing.
 */
export function applyStepEvent(state: StepState, event: StepEvent): StepState {
  const lastStartedAt =
    event.type === 'step_started' ? Math.max(state.lastStartedAt ?? -Infinity, event.at) : state.lastStartedAt;
  const lastCompletedAt =
    event.type === 'step_completed' ? Math.max(state.lastCompletedAt ?? -Infinity, event.at) : state.lastCompletedAt;
  const takesHandler =
    event.handlerId !== null &&
    (state.handlerAt === null ||
      event.at > state.handlerAt ||
      (event.at === state.handlerAt && (state.handlerId === null || event.handlerId > state.handlerId)));
  const handlerId = takesHandler ? event.handlerId : state.handlerId;
  const handlerAt = takesHandler ? event.at : state.handlerAt;

  const done = lastCompletedAt !== null && (lastStartedAt === null || lastCompletedAt >= lastStartedAt);
  const status: StepStatus = done ? 'done' : lastStartedAt !== null ? 'in_progress' : 'pending';
  const next: StepState = {
    status,
    actualStart: lastStartedAt,
    actualEnd: done ? lastCompletedAt : null,
    lastStartedAt,
    lastCompletedAt,
    handlerId,
    handlerAt,
  };
  const unchanged =
    next.status === state.status &&
    next.actualStart === state.actualStart &&
    next.actualEnd === state.actualEnd &&
    next.lastStartedAt === state.lastStartedAt &&
    next.lastCompletedAt === state.lastCompletedAt &&
    next.handlerId === state.handlerId &&
    next.handlerAt === state.handlerAt;
  return unchanged ? state : next;
}
