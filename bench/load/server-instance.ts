// One instance of the server for bench/instances.ts: server/main.ts's startServer with the environment it is given
// (DATABASE_URL, …) and the bench's clock, so the generated plans (made on BENCH_TODAY) are current and no plan
// refresh or overdue sweep rewrites the data under the load; its port is reported to the parent over IPC. A
// disconnect from the parent stops it the way SIGTERM does.
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../server/config.ts';
import { startServer } from '../../server/main.ts';
import { benchClock } from '../common.ts';

const { app } = await startServer(loadConfig(), { clock: benchClock() });
process.send!({ kind: 'listening', port: (app.server.address() as AddressInfo).port });
process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
