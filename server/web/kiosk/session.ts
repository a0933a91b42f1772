// One customer's time at the kiosk: their token, applications, socket, timers and in-flight requests. Dropping the
// session (dispose) is how the kiosk forgets them: nothing of it survives into the next customer's session.
import type { LiveSocket } from '../shared/live.ts';
import type { CustomerRating, ProgressView } from '../shared/contract.ts';

export interface HurryState {
  /** what the line under the button says */
  message: string;
  tone: 'info' | 'ok' | 'warn';
  /** browser time (ms) until which the button rests (the cooldown) */
  cooldownUntil: number | null;
  /** when the step can be hurried again, as the server says it (an instant in the utility's zone) */
  againAt?: string | null;
  busy: boolean;
  /**
   * The server refused the press: the step had just moved on to a customer-side one (409, `side: 'customer'`).
   * `whileStep` is the step this page still showed; the message holds until the live update brings the new one.
   */
  refusal?: { whileStep: string | null };
}

/** The card's 进度通知 switch: null while its state is being read. */
export interface NoticeState {
  muted: boolean | null;
  busy: boolean;
  /** a failed switch says so beside it */
  failed: boolean;
}

/** The satisfaction question (回访) on a switched-on application's card. */
export interface RatingState {
  /** null: none was asked of this application */
  rating: CustomerRating | null;
  /** the score tapped, not yet sent */
  chosen: number | null;
  comment: string;
  busy: boolean;
  /** what the line under the question says after a send */
  message: string | null;
  tone: 'info' | 'ok' | 'warn';
  /** answered here, in this session: the card thanks the customer instead of asking */
  answered: boolean;
}

function randomSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');
}

export class KioskSession {
  token: string | null = null;
  tokenExpiresAt: string | null = null;
  applications = new Map<string, ProgressView>();
  hurries = new Map<string, HurryState>();
  notices = new Map<string, NoticeState>();
  ratings = new Map<string, RatingState>();
  socket: LiveSocket | null = null;
  chat: { signedIn(applications: number): void } | null = null;
  /** the chat route's session id: a new one per customer, so the chatbot's memory of the last one is not theirs */
  readonly chatSessionId = randomSessionId();
  readonly abort = new AbortController();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  disposed = false;
  /** the customer did something that an idle reset must clear (e.g. used the chat) */
  used = false;

  /** setInterval that dies with the session */
  every(ms: number, fn: () => void): void {
    const timer = setInterval(() => {
      if (!this.disposed) fn();
    }, ms);
    this.timers.add(timer);
  }

  dispose(): void {
    this.disposed = true;
    this.abort.abort();
    this.socket?.close();
    this.socket = null;
    for (const timer of this.timers) clearInterval(timer);
    this.timers.clear();
    this.token = null;
    this.tokenExpiresAt = null;
    this.applications.clear();
    this.hurries.clear();
    this.ratings.clear();
  }
}
