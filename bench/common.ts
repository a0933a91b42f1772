// Shared by every benchmark: the bench's fixed secrets and "today", the app's config, result files and
// small statistics/table helpers. Benchmarks run the real app (buildApp) against generated databases.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import { loadConfig, type Config } from '../server/config.ts';
import type { Clock } from '../server/shared/clock.ts';

export const BENCH_SECRET = 'bench-secret-0123456789-0123456789-abcdef';
export const BENCH_SYNC_TOKEN = 'bench-sync-token-0123456789';
export const BENCH_TIME_ZONE = 'Asia/Shanghai';
/** The bench's "now": 2026-11-24 10:00 in Shanghai. Generated plans are made on this day. */
export const BENCH_NOW = Date.parse('2026-11-24T10:00:00+08:00');
export const BENCH_TODAY = '2026-11-24';

export const benchDir = import.meta.dirname;
export const resultsDir = path.join(benchDir, 'results');

/** Starts at BENCH_NOW and advances with real time, so a run stays on BENCH_TODAY (runs last minutes). */
export function benchClock(): Clock {
  const startedAt = performance.now();
  return { now: () => BENCH_NOW + Math.floor(performance.now() - startedAt) };
}

/** `databasePath` null: none (PostgreSQL); `extra`: more of the environment (DATABASE_URL) */
export function benchConfig(databasePath: string | null, extra: Record<string, string> = {}): Config {
  return loadConfig({
    SYNC_TOKEN: BENCH_SYNC_TOKEN,
    JIEDIAN_SECRET: BENCH_SECRET,
    ...(databasePath === null ? {} : { DATABASE_PATH: databasePath }),
    TIMEZONE: BENCH_TIME_ZONE,
    QUIET_HOURS: '',
    ...extra,
  });
}

// ---- command line ---------------------------------------------------------------------------

export function numberFlag(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number, got "${argv[i + 1]}"`);
  return value;
}

export function booleanFlag(argv: string[], name: string): boolean {
  return argv.includes(`--${name}`);
}

// ---- statistics -----------------------------------------------------------------------------

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sortedAscending: ArrayLike<number>, p: number): number {
  const n = sortedAscending.length;
  if (n === 0) return NaN;
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  return sortedAscending[rank - 1]!;
}

// ---- output ---------------------------------------------------------------------------------

export function printTable(headers: string[], rows: (string | number)[][]): void {
  const cells = [headers, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: (string | number)[]) =>
    r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join('  ');
  console.log(line(headers));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells.slice(1)) console.log(line(r));
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(2);
}

export interface Verdict {
  pass: boolean;
  line: string;
}

export function verdict(checks: { label: string; value: number; target: number; atMost?: boolean; unit?: string }[]): Verdict {
  const parts = checks.map((c) => {
    const ok = c.atMost ? c.value <= c.target : c.value >= c.target;
    const unit = c.unit ?? '';
    return { ok, text: `${c.label} ${formatNumber(c.value)}${unit} ${c.atMost ? '≤' : '≥'} ${formatNumber(c.target)}${unit} ${ok ? 'ok' : 'MISSED'}` };
  });
  const pass = parts.every((p) => p.ok);
  return { pass, line: `verdict: ${pass ? 'PASS' : 'FAIL'} — ${parts.map((p) => p.text).join('; ')}` };
}

export function machine() {
  return {
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

export function writeResult(name: string, result: object): string {
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify({ name, finishedAt: new Date().toISOString(), machine: machine(), ...result }, null, 2) + '\n');
  return file;
}

// ---- child processes ------------------------------------------------------------------------

/**
 * Runs a TypeScript worker in its own Node process (so a load generator never shares the server's event
 * loop), sends it one message and resolves with its one reply. `onStarted` is called when the worker
 * reports that its measured work begins (after its own start-up), so the caller can snapshot counters.
 */
export function runWorker<Req, Res>(file: string, request: Req, onStarted?: () => void): Promise<Res> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = fork(file, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    child.on('message', (message) => {
      const reply = message as { kind: 'started' } | { kind: 'result'; result: Res } | { kind: 'error'; error: string };
      if (reply.kind === 'started') {
        onStarted?.();
        return;
      }
      settled = true;
      if (reply.kind === 'result') resolve(reply.result);
      else reject(new Error(`${path.basename(file)}: ${reply.error}`));
      child.disconnect();
    });
    child.once('error', (error) => {
      if (!settled) reject(error);
      settled = true;
    });
    child.once('exit', (code) => {
      if (!settled) reject(new Error(`${path.basename(file)} exited with ${code} before replying`));
      settled = true;
    });
    child.send(request as object);
  });
}

/** The worker side of runWorker: handles the one request and replies; `started()` marks the measured part. */
export function serveWorker<Req, Res>(handle: (request: Req, started: () => void) => Promise<Res>): void {
  process.once('message', (message) => {
    handle(message as Req, () => process.send!({ kind: 'started' })).then(
      (result) => process.send!({ kind: 'result', result }),
      (error: unknown) => process.send!({ kind: 'error', error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
  process.once('disconnect', () => process.exit(0));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---- CPU profiles ---------------------------------------------------------------------------

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** Profiles this process (the server's) while `work` runs, with the V8 inspector. */
export async function profiled<T>(work: () => Promise<T>): Promise<{ result: T; profile: CpuProfile }> {
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  try {
    const result = await work();
    const { profile } = (await post('Profiler.stop')) as { profile: CpuProfile };
    return { result, profile };
  } finally {
    session.disconnect();
  }
}

/** Self and inclusive time per function (by name and location), heaviest first. */
export function summarizeProfile(profile: CpuProfile, top = 25, root = process.cwd()): (string | number)[][] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const hits = new Map<number, number>();
  for (const s of profile.samples ?? []) hits.set(s, (hits.get(s) ?? 0) + 1);
  const total = profile.samples?.length ?? 0;
  const label = (n: ProfileNode) => {
    const url = n.callFrame.url.replace(/^file:\/\//, '').replace(root + '/', '');
    return `${n.callFrame.functionName || '(anonymous)'} ${url ? `${url.replace(/^.*node_modules\//, '~/')}:${n.callFrame.lineNumber + 1}` : ''}`.trim();
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, count] of hits) {
    const node = byId.get(id)!;
    self.set(label(node), (self.get(label(node)) ?? 0) + count);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      if (seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + count);
    }
  }
  const pct = (n: number) => Math.round((n / total) * 1000) / 10;
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([l, n]) => [l, pct(n), pct(inclusive.get(l) ?? 0)]);
}

export function inclusiveShare(profile: CpuProfile, functionNames: string[], root = process.cwd()): (string | number)[][] {
  void root;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const total = profile.samples?.length ?? 0;
  const counts = new Map<string, number>(functionNames.map((f) => [f, 0]));
  for (const s of profile.samples ?? []) {
    const seen = new Set<string>();
    for (let cur: number | undefined = s; cur !== undefined; cur = parent.get(cur)) {
      const name = byId.get(cur)!.callFrame.functionName;
      if (counts.has(name) && !seen.has(name)) {
        seen.add(name);
        counts.set(name, counts.get(name)! + 1);
      }
    }
  }
  return functionNames.map((f) => [f, Math.round(((counts.get(f) ?? 0) / total) * 1000) / 10]);
}

// ---- machine load -----------------------------------------------------------------------------

export interface CpuTicks {
  busy: number;
  total: number;
}

/** Whole-machine CPU ticks from /proc/stat (null where there is none). */
export function machineTicks(): CpuTicks | null {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
    const busy = user! + nice! + system! + irq! + softirq! + (steal ?? 0);
    return { busy, total: busy + idle! + iowait! };
  } catch {
    return null;
  }
}

/** CPU used by the whole machine since `before`, in percent of one core (200% = both of 2 cores busy). */
export function machineCpuPercentSince(before: CpuTicks | null): number {
  const after = machineTicks();
  if (!before || !after || after.total === before.total) return NaN;
  return ((after.busy - before.busy) / (after.total - before.total)) * os.availableParallelism() * 100;
}
