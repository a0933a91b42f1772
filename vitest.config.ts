import os from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * The integration suite runs on both databases: the files below a second time with the app on PostgreSQL
 * (JIEDIAN_TEST_DB=postgres, tests/support/app.ts). They reach data through the app (HTTP, module decorators, store
 * ports, `t.sql`), so the same assertions hold on either. The other integration files are:
 * - the store contract tests (store-contract-*), which run every port's SQLite and PostgreSQL implementations side
 *   by side in one file;
 * - PostgreSQL by nature: several instances on one database (instances-postgres, *-instances, shared-limits-postgres)
 *   and the PostgreSQL pieces themselves (postgres-*);
 * - SQLite by nature: a database file, its locks and journal, or migrating an old SQLite file (binding-scope-migration,
 *   cli-database-and-settings, database-transactions, database-unavailable, server-process-database-faults,
 *   server-process-dispatch-crash, whose PostgreSQL twin is in instances-postgres, units-of-work: SQLite's write queue,
 *   dispatcher-idle and write-conflict-answer: one mechanism on a stand-in), and `npm run demo`, which is SQLite
 *   (demo-loop, demo-seed);
 * - without a database: channels and their fakes (channels-factory, sms-*, wechat-wechaty, wecom-channel) and commands
 *   that run in memory (chat-eval-cli, notices-report, templates-check-cli, node-version).
 */
const onBothDatabases = [
  'tests/integration/alert-names.test.ts',
  'tests/integration/app-decorators.test.ts',
  'tests/integration/applications-module.test.ts',
  'tests/integration/chat-bind-code-requests.test.ts',
  'tests/integration/cli-either-database.test.ts',
  'tests/integration/chat-binding-limits.test.ts',
  'tests/integration/chat-binding-scope.test.ts',
  'tests/integration/chat-bindings-channels.test.ts',
  'tests/integration/chat-codes-masked.test.ts',
  'tests/integration/chat-consult-live.test.ts',
  'tests/integration/chat-kiosk.test.ts',
  'tests/integration/chat-sms.test.ts',
  'tests/integration/chat-staff.test.ts',
  'tests/integration/chat-wechat-group-privacy.test.ts',
  'tests/integration/chat-wechat.test.ts',
  'tests/integration/cross-origin-and-operations.test.ts',
  'tests/integration/dispatcher-concurrency.test.ts',
  'tests/integration/email.test.ts',
  'tests/integration/guessing-strangers.test.ts',
  'tests/integration/hurry-answer-channels.test.ts',
  'tests/integration/hurry-chat-receipt.test.ts',
  'tests/integration/hurry-customer-step.test.ts',
  'tests/integration/hurry-flow.test.ts',
  'tests/integration/hurry-metrics.test.ts',
  'tests/integration/hurry-without-handler.test.ts',
  'tests/integration/import-cli.test.ts',
  'tests/integration/inbound-module.test.ts',
  'tests/integration/learnt-durations.test.ts',
  'tests/integration/live-ws.test.ts',
  'tests/integration/log-secrets.test.ts',
  'tests/integration/mute-application.test.ts',
  'tests/integration/notices-always-sent.test.ts',
  'tests/integration/notices-binding-scope.test.ts',
  'tests/integration/notices-module.test.ts',
  'tests/integration/notices-replay.test.ts',
  'tests/integration/notices-sms.test.ts',
  'tests/integration/notices-transaction.test.ts',
  'tests/integration/notices-wechat.test.ts',
  'tests/integration/operations.test.ts',
  'tests/integration/outbox-channels.test.ts',
  'tests/integration/outbox-crash-safety.test.ts',
  'tests/integration/outbox-in-doubt.test.ts',
  'tests/integration/plan-refresh.test.ts',
  'tests/integration/progress-api.test.ts',
  'tests/integration/progress-views-stored.test.ts',
  'tests/integration/query-code-guesses.test.ts',
  'tests/integration/requested-date-edges.test.ts',
  'tests/integration/risk-chat.test.ts',
  'tests/integration/risk-complaint-beside.test.ts',
  'tests/integration/risk-followup.test.ts',
  'tests/integration/risk-handling-limit.test.ts',
  'tests/integration/risk-items-review.test.ts',
  'tests/integration/risk-items.test.ts',
  'tests/integration/risk-monthly.test.ts',
  'tests/integration/risk-stats-bounds.test.ts',
  'tests/integration/risk-template-sms.test.ts',
  'tests/integration/risks-module.test.ts',
  'tests/integration/server-process.test.ts',
  'tests/integration/shutdown-connections.test.ts',
  'tests/integration/sla-alerts-other-process.test.ts',
  'tests/integration/sla-alerts.test.ts',
  'tests/integration/sla-backlog.test.ts',
  'tests/integration/sla-stats.test.ts',
  'tests/integration/sms-template-crash.test.ts',
  'tests/integration/sms-template-lengths.test.ts',
  'tests/integration/sms-template-limits.test.ts',
  'tests/integration/sms-template-providers.test.ts',
  'tests/integration/sms-template-replies.test.ts',
  'tests/integration/staff-auth.test.ts',
  'tests/integration/staff-module.test.ts',
  'tests/integration/staff-password-cli.test.ts',
  'tests/integration/sync-api.test.ts',
  'tests/integration/wechat-bot-lifecycle.test.ts',
  'tests/integration/wechat-oa.test.ts',
  'tests/integration/wecom-staff.test.ts',
  'tests/integration/working-hours.test.ts',
];

export default defineConfig({
  test: {
    // builds server/web/dist/ (the kiosk and staff pages) for the browser tests in tests/e2e/, and starts a throwaway
    // PostgreSQL cluster for the PostgreSQL tests
    globalSetup: ['tests/e2e/support/build-pages.ts', 'tests/support/postgres-cluster.ts'],
    environment: 'node',
    // vitest's default on 2 cores is one worker; most of a test file's time waits on a server, a browser, a child
    // process or PostgreSQL, so two files at once keep the cores busy and the suite within CI's 20 minutes
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: [
      { extends: true, test: { name: 'sqlite', include: ['tests/**/*.test.ts'] } },
      // each test makes, migrates and drops a database of its own: slower than SQLite's :memory:
      { extends: true, test: { name: 'postgres', include: onBothDatabases, env: { JIEDIAN_TEST_DB: 'postgres' }, testTimeout: 60_000 } },
    ],
  },
});
