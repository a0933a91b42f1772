// The customers module: a customer's access to their own applications (account number + query code → a view token)
// and the one allowance of wrong query codes shared by every route a code can be typed into.
import fp from 'fastify-plugin';
import type { ServiceContext } from '../shared/context.ts';
import type { AttemptLog } from '../limits/attempt-log.ts';
import { createCustomerAccess, type CustomerAccess } from './customer-access.ts';
import { createQueryCodeGuesses, type QueryCodeGuesses } from './query-code-guesses.ts';

export interface CustomersModule {
  access: CustomerAccess;
  /** the wrong-query-code limits POST /api/v1/progress/query shares with the chat's binding */
  queryCodeGuesses: QueryCodeGuesses;
}

declare module 'fastify' {
  interface FastifyInstance {
    customers: CustomersModule;
  }
}

export interface CustomersPluginOptions {
  ctx: ServiceContext;
  /** where wrong query codes are counted (shared by every instance on one database) */
  attempts: AttemptLog;
}

export const customersPlugin = fp<CustomersPluginOptions>(
  async (app, { ctx, attempts }) => {
    const queryCodeGuesses = createQueryCodeGuesses(attempts, app.staff.securityNotices.raise);
    app.decorate('customers', {
      access: createCustomerAccess(ctx, app.applications.views, queryCodeGuesses),
      queryCodeGuesses,
    } satisfies CustomersModule);
  },
  { name: 'customers', dependencies: ['applications', 'staff'] },
);
