// Customers' access to their own applications: account number + query code → a 15-minute view token.
import { JiedianError } from '../errors.ts';
import { formatInstant } from '../domain/dates.ts';
import type { ProgressView } from '../domain/progress-view.ts';
import type { ServiceContext } from '../shared/context.ts';
import { queryCodeHmac } from '../applications/ingest.ts';
import type { ProgressViews } from '../applications/progress-views.ts';
import type { QueryCodeGuesses } from './query-code-guesses.ts';
import { createSignedTokens } from '../shared/signed-tokens.ts';

export const VIEW_TOKEN_TTL_MS = 15 * 60 * 1000;

export interface ViewClaims {
  /** account number */
  a: string;
  /** application numbers this token may read */
  n: string[];
}

/** `guesses`: the wrong-query-code limits this route shares with the kiosk/web chat. */
export function createCustomerAccess(ctx: ServiceContext, views: ProgressViews, guesses: QueryCodeGuesses) {
  const tokens = createSignedTokens<ViewClaims>(ctx.secret, 'view');

  function rateLimited(seconds: number): JiedianError {
    return new JiedianError('JD_RATE_LIMITED', `too many failed attempts; try again in ${seconds} seconds`, {
      headers: { 'retry-after': String(seconds) },
      body: { retryAfterSeconds: seconds },
    });
  }

  function grant(accountNo: string, applications: ProgressView[], now: number) {
    const expiresAt = now + VIEW_TOKEN_TTL_MS;
    return {
      viewToken: tokens.issue({ a: accountNo, n: applications.map((a) => a.applicationNo) }, expiresAt),
      expiresAt: formatInstant(expiresAt, ctx.timeZone),
      applications,
    };
  }

  return {
    /** `kiosk`: the request came from a business-hall kiosk with its device key (exempt from the account's ceiling). */
    async query(accountNo: string, queryCode: string, clientAddress: string, kiosk = false): Promise<{ viewToken: string; expiresAt: string; applications: ProgressView[] }> {
      const now = ctx.clock.now();
      const attempt = { accountNo, clientAddress, kiosk };
      const wait = await guesses.retryAfterSeconds(attempt, now);
      if (wait > 0) throw rateLimited(wait);
      const applications = await views.customerViewsOfAccount(accountNo, queryCodeHmac(ctx.secret, accountNo, queryCode));
      if (applications.length === 0) {
        await guesses.wrong(attempt, now);
        throw new JiedianError('JD_BAD_CREDENTIALS', 'account number and query code do not match');
      }
      await guesses.right(attempt);
      return grant(accountNo, applications, now);
    },

    /**
     * A view token for applications the customer proved another way (a WeChat binding's scope): the same token and
     * reply as a query with the query code. Applications of another account are left out.
     */
    async grantFor(accountNo: string, applicationNos: string[]): Promise<{ viewToken: string; expiresAt: string; applications: ProgressView[] }> {
      const applications = (await Promise.all(applicationNos.map((no) => views.customerView(no))))
        .filter((v): v is ProgressView => v !== undefined && v.accountNo === accountNo)
        .sort((x, y) => Date.parse(y.acceptedAt) - Date.parse(x.acceptedAt));
      return grant(accountNo, applications, ctx.clock.now());
    },

    /** The claims of a valid view token from an `Authorization: Bearer …` header; 401 otherwise. */
    claims(authorization: string | undefined): ViewClaims {
      const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : '';
      const claims = token ? tokens.verify(token, ctx.clock.now()) : null;
      if (!claims) throw new JiedianError('JD_UNAUTHORIZED', 'missing, invalid or expired view token');
      return claims;
    },

    verifyToken(token: string): ViewClaims | null {
      return tokens.verify(token, ctx.clock.now());
    },

    /** A valid token's claims and when it expires; null otherwise. */
    openToken(token: string): { claims: ViewClaims; expiresAt: number } | null {
      return tokens.open(token, ctx.clock.now());
    },

    /** The customer's view of an application the token covers; another account's application is 404. */
    async read(claims: ViewClaims, applicationNo: string): Promise<ProgressView> {
      const view = claims.n.includes(applicationNo) ? await views.customerView(applicationNo) : undefined;
      if (!view || view.accountNo !== claims.a) throw new JiedianError('JD_NOT_FOUND', `no application ${applicationNo} for this account`);
      return view;
    },
  };
}

export type CustomerAccess = ReturnType<typeof createCustomerAccess>;
