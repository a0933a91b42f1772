// The satisfaction follow-up (回访): a switched-on application's customer is asked to rate the process 1–5 (in the
// connection notice, which ends "回复1-5为本次服务评分" on every channel, and at the kiosk the next time they query); one rating per application, a second
// one replacing it within 7 days; a low score or an unhappy comment raises a risk item.
import { findProcess } from '../domain/catalog.ts';
import { formatInstant } from '../domain/dates.ts';
import { isNegativeComment } from '../domain/rating.ts';
import { normalize } from '../domain/chat/normalize.ts';
import type { RatingRow, RiskStore } from '../../db/risk-store.ts';
import type { ServiceContext } from './context.ts';
import type { IngestChanges } from '../applications/ingest.ts';
import { responsibleFor } from './responsible.ts';
import type { RiskService } from './risks.ts';

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

export function createRatingService(options: { ctx: ServiceContext; risks: RiskStore; riskService: Pick<RiskService, 'record'> }) {
  const { ctx, risks } = options;
  const instant = (ms: number | null) => (ms === null ? null : formatInstant(ms, ctx.timeZone));

  function view(row: RatingRow): RatingView {
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
  const open = (row: RatingRow, now: number) => row.firstRatedAt === null || now <= row.firstRatedAt + RATING_CHANGE_WINDOW_MS;

  return {
    view,
    ofApplication: (applicationNo: string) => {
      const row = risks.rating(applicationNo);
      return row ? view(row) : null;
    },

    /** The follow-up as the customer sees it; null when no rating was asked of this application. */
    customerView(applicationNo: string): CustomerRatingView | null {
      const row = risks.rating(applicationNo);
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
     */
    onIngest(changes: IngestChanges): void {
      const now = ctx.clock.now();
      for (const { applicationNo, stepCode, from } of changes.completedSteps) {
        if (from === 'done') continue;
        const application = ctx.store.application(applicationNo);
        if (!application || application.status === 'cancelled') continue;
        if (findProcess(ctx.catalog, application.processCode)?.steps.at(-1)?.code !== stepCode) continue;
        const { handler, teamId } = responsibleFor(ctx, applicationNo);
        risks.askRating({ applicationNo, teamId, handlerId: handler?.id ?? null, askedAt: now });
      }
    },

    /** Among `applicationNos`, the one a rating answer is for: the latest asked whose window is still open. */
    pendingAmong(applicationNos: readonly string[]): string | null {
      const now = ctx.clock.now();
      const rows = applicationNos.map((no) => risks.rating(no)).filter((r): r is RatingRow => r !== undefined && open(r, now));
      rows.sort((a, b) => b.askedAt - a.askedAt);
      return rows[0]?.applicationNo ?? null;
    },

    /** Applications asked to rate that were sent to `phone` (an SMS reply from a number that never bound). */
    askedOfPhone: (phone: string) => risks.ratingsOfPhone(phone),

    rate(input: { applicationNo: string; score: number; comment: string | null; channel: string }): RatingOutcome {
      const now = ctx.clock.now();
      return ctx.database.transaction((): RatingOutcome => {
        const row = risks.rating(input.applicationNo);
        if (!row) return { kind: 'not_asked' };
        if (!open(row, now)) return { kind: 'closed', applicationNo: row.applicationNo };
        const replaced = row.score !== null;
        risks.updateRating(row.applicationNo, { score: input.score, comment: input.comment, channel: input.channel, ratedAt: now, firstRatedAt: row.firstRatedAt ?? now });
        const negativeComment = isNegativeComment(input.comment === null ? null : normalize(input.comment).compact);
        const { rules } = options.riskService.record({
          applicationNo: row.applicationNo,
          kind: 'rating',
          source: input.channel,
          stepCode: null,
          score: input.score,
          negativeComment,
          detail: input.comment ? `${input.score}分：${input.comment}` : `${input.score}分`,
        });
        return { kind: 'rated', applicationNo: row.applicationNo, score: input.score, replaced, followUp: rules.includes('low_rating') };
      });
    },
  };
}

export type RatingService = ReturnType<typeof createRatingService>;
