// The satisfaction follow-up (回访): a switched-on application's customer is asked to rate the process 1–5 (in the
// connection notice, which ends "回复1-5为本次服务评分" on every channel, and at the kiosk the next time they query); one rating per application, a second
// one replacing it within 7 days; a low score or an unhappy comment raises a risk item.
import { findProcess } from '../domain/catalog.ts';
import { formatInstant } from '../domain/dates.ts';
import { isNegativeComment } from '../domain/rating.ts';
import { normalize } from '../domain/chat/normalize.ts';
import type { Rating } from './risk-store.ts';
import type { Stores, Transact } from '../stores.ts';
import type { ServiceContext } from '../shared/context.ts';
import type { IngestChanges } from '../applications/ingest.ts';
import { responsibleFor } from '../applications/responsible.ts';
import type { RiskService } from './risk-items.ts';

/** A second rating replaces the first within this long of it; then the window closes. */
export const RATING_CHANGE_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

export interface RatingView {
  askedAt: string;
  score: number | null;
  comment: string | null;
  channel: string | null;
  ratedAt: string | null;
  changeableUntil: string | null;
}

/** What the customer sees of their application's follow-up (the kiosk asks it the next time they query). */
export interface CustomerRatingView {
  score: number | null;
  comment: string | null;
  ratedAt: string | null;
  /** whether a rating may still be given, or the one given replaced */
  open: boolean;
  changeableUntil: string | null;
}

export type RatingOutcome =
  | { kind: 'rated'; applicationNo: string; score: number; replaced: boolean; followUp: boolean }
  /** rated more than 7 days ago: the rating stands */
  | { kind: 'closed'; applicationNo: string }
  /** no rating was asked of this application */
  | { kind: 'not_asked' };

export interface RatingServiceOptions {
  ctx: ServiceContext;
  /** for reads outside a transaction */
  stores: Stores;
  transact: Transact;
  riskService: Pick<RiskService, 'recordWithin' | 'announce'>;
}

export function createRatingService(options: RatingServiceOptions) {
  const { ctx, stores, transact } = options;
  const risks = stores.risks;
  const instant = (ms: number | null) => (ms === null ? null : formatInstant(ms, ctx.timeZone));

  function view(row: Rating): RatingView {
    return {
      askedAt: instant(row.askedAt)!,
      score: row.score,
      comment: row.comment,
      channel: row.channel,
      ratedAt: instant(row.ratedAt),
      changeableUntil: instant(row.firstRatedAt === null ? null : row.firstRatedAt + RATING_CHANGE_WINDOW_MS),
    };
  }

  /** Whether a rating for the row may still be given or changed at `now`. */
  const open = (row: Rating, now: number) => row.firstRatedAt === null || now <= row.firstRatedAt + RATING_CHANGE_WINDOW_MS;

  return {
    view,
    ofApplication: async (applicationNo: string): Promise<RatingView | null> => {
      const row = await risks.rating(applicationNo);
      return row ? view(row) : null;
    },

    /** The follow-up as the customer sees it; null when no rating was asked of this application. */
    async customerView(applicationNo: string): Promise<CustomerRatingView | null> {
      const row = await risks.rating(applicationNo);
      if (!row) return null;
      return {
        score: row.score,
        comment: row.comment,
        ratedAt: instant(row.ratedAt),
        open: open(row, ctx.clock.now()),
        changeableUntil: instant(row.firstRatedAt === null ? null : row.firstRatedAt + RATING_CHANGE_WINDOW_MS),
      };
    },

    /**
     * The ingest hook: the last step of an application completing asks its customer to rate the process, once. The
     * question itself rides on the `connected` notice (its rating hint), so switching on is one text, not two.
     * Inside the ingest's unit of work, through its stores.
     */
    async onIngest(changes: IngestChanges, within: Stores): Promise<void> {
      const now = ctx.clock.now();
      for (const { applicationNo, stepCode, from } of changes.completedSteps) {
        if (from === 'done') continue;
        const application = await within.applications.application(applicationNo);
        if (!application || application.status === 'cancelled') continue;
        if (findProcess(ctx.catalog, application.processCode)?.steps.at(-1)?.code !== stepCode) continue;
        const { handler, teamId } = await responsibleFor(within.applications, applicationNo);
        await within.risks.askRating({ applicationNo, teamId, handlerId: handler?.id ?? null, askedAt: now });
      }
    },

    /** Among `applicationNos`, the one a rating answer is for: the latest asked whose window is still open. */
    async pendingAmong(applicationNos: readonly string[]): Promise<string | null> {
      const now = ctx.clock.now();
      const rows = (await Promise.all(applicationNos.map((no) => risks.rating(no)))).filter((r): r is Rating => r !== null && open(r, now));
      rows.sort((a, b) => b.askedAt - a.askedAt);
      return rows[0]?.applicationNo ?? null;
    },

    /** Applications asked to rate that were sent to `phone` (an SMS reply from a number that never bound). */
    askedOfPhone: (phone: string) => risks.ratingsOfPhone(phone),

    async rate(input: { applicationNo: string; score: number; comment: string | null; channel: string }): Promise<RatingOutcome> {
      const now = ctx.clock.now();
      const negativeComment = isNegativeComment(input.comment === null ? null : normalize(input.comment).compact);
      const { outcome, recorded } = await transact(async (all) => {
        // a rating arriving twice at once (two instances, a redelivered reply) is judged one after the other
        await all.risks.lockApplication(input.applicationNo);
        const row = await all.risks.rating(input.applicationNo);
        if (!row) return { outcome: { kind: 'not_asked' } as RatingOutcome, recorded: null };
        if (!open(row, now)) return { outcome: { kind: 'closed', applicationNo: row.applicationNo } as RatingOutcome, recorded: null };
        const replaced = row.score !== null;
        await all.risks.answerRating(row.applicationNo, { score: input.score, comment: input.comment, channel: input.channel, ratedAt: now, firstRatedAt: row.firstRatedAt ?? now });
        const recorded = await options.riskService.recordWithin(all, {
          applicationNo: row.applicationNo,
          kind: 'rating',
          source: input.channel,
          stepCode: null,
          score: input.score,
          negativeComment,
          detail: input.comment ? `${input.score}分：${input.comment}` : `${input.score}分`,
        });
        const outcome: RatingOutcome = { kind: 'rated', applicationNo: row.applicationNo, score: input.score, replaced, followUp: recorded.rules.includes('low_rating') };
        return { outcome, recorded };
      });
      if (recorded) await options.riskService.announce(recorded);
      return outcome;
    },
  };
}

export type RatingService = ReturnType<typeof createRatingService>;
