// `npm run bench -- <name> [flags]`: runs one benchmark. Each lives in its own file and exports
// `run(argv)`; it prints a table and a final verdict line and writes bench/results/<name>.json.
import os from 'node:os';

const benchmarks: Record<string, { describe: string; load: () => Promise<{ run: (argv: string[]) => Promise<void> }> }> = {
  query: { describe: 'GET /api/v1/progress/:applicationNo on 1M applications vs a bare route; fixed-rate p99 (--db postgres: on PostgreSQL, SQLite beside)', load: () => import('./query.ts') },
  ingest: { describe: 'POST /api/v1/sync/events in batches of 1000 vs raw inserts (--db postgres: on PostgreSQL, SQLite beside)', load: () => import('./ingest.ts') },
  instances: { describe: 'progress reads on one and on two server processes on one PostgreSQL database: rps, CPU of each process', load: () => import('./instances.ts') },
  notify: { describe: 'step events → SMS at a fake Twilio over loopback: notices/s and p99 commit→receipt at 1,000/s', load: () => import('./notify.ts') },
  ws: { describe: '5,000 WebSocket subscribers of one application: one change fanned out to all; time to the last, memory per idle connection', load: () => import('./ws.ts') },
  sweep: { describe: 'SLA sweep on 1M active applications: one interval\'s alerts vs a plain indexed SELECT of the same rows; event-loop stall', load: () => import('./sweep.ts') },
  refresh: { describe: 'the plan refresh job over every active plan a day old (20,000 applications): longest event-loop stall, vs computing the plans in memory', load: () => import('./refresh.ts') },
  generate: { describe: 'generate (or reuse) a benchmark database: --applications N --profile mixed|fresh|sla', load: () => import('./generate-db.ts') },
};

const [name, ...argv] = process.argv.slice(2);
const benchmark = name ? benchmarks[name] : undefined;
if (!benchmark) {
  console.error(`usage: npm run bench -- <name> [flags]\n${Object.entries(benchmarks).map(([n, b]) => `  ${n.padEnd(9)} ${b.describe}`).join('\n')}`);
  process.exit(2);
}
console.log(`cores: ${os.availableParallelism()}`);
const started = performance.now();
try {
  await (await benchmark.load()).run(argv);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
}
console.log(`(${name}: ${((performance.now() - started) / 1000).toFixed(0)} s)`);
