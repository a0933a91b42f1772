// A throwaway PostgreSQL cluster from Debian's server binaries (.ci/install-postgres installs them): initdb in a
// temporary directory, a server on a free port on 127.0.0.1, trust authentication for the superuser `jiedian`;
// stop() ends it and removes the directory. Used by the test suite's globalSetup (postgres-cluster.ts) and by the
// PostgreSQL benchmarks (bench/postgres.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface ThrowawayPostgres {
  /** a superuser URL of the cluster's `postgres` database */
  adminUrl: string;
  /** where the cluster lives (data/, server.log, the socket); removed by stop() */
  dir: string;
  /** the server's main process (its backends are its children) */
  postmasterPid(): number;
  stop(): void;
}

export interface ThrowawayPostgresOptions {
  /** server settings given to `postgres -c name=value` (after the defaults, so they replace them) */
  settings?: Record<string, string | number>;
}

/** The directory of initdb and pg_ctl: on the PATH, else the newest /usr/lib/postgresql/<version>/bin; undefined if none. */
export function postgresBinaries(): string | undefined {
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return path.dirname(fs.realpathSync(onPath));
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const versions = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] && path.join(root, versions[0], 'bin');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const DEFAULT_SETTINGS: Record<string, string | number> = { listen_addresses: '127.0.0.1', fsync: 'off', max_connections: 200 };

export async function startThrowawayPostgres(options: ThrowawayPostgresOptions = {}): Promise<ThrowawayPostgres> {
  const bin = postgresBinaries();
  if (!bin) throw new Error("no PostgreSQL server binaries (initdb): install Debian's postgresql (npm test runs .ci/install-postgres)");
  // The server refuses to run as root: as root, the cluster belongs to the postgres user Debian's package creates.
  const asRoot = process.getuid?.() === 0;
  const run = (command: string, args: string[]) =>
    asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, command), ...args], { stdio: 'pipe' }) : execFileSync(path.join(bin, command), args, { stdio: 'pipe' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiedian-pg-'));
  const data = path.join(dir, 'data');
  try {
    if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
    const port = await freePort();
    run('initdb', ['-D', data, '-U', 'jiedian', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const settings = Object.entries({ ...DEFAULT_SETTINGS, ...options.settings }).map(([name, value]) => `-c ${name}=${value}`);
    run('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-o', [`-p ${port}`, `-k ${dir}`, ...settings].join(' '), 'start']);
    let stopped = false;
    return {
      adminUrl: `postgres://jiedian@127.0.0.1:${port}/postgres`,
      dir,
      postmasterPid: () => Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n', 1)[0]),
      stop() {
        if (stopped) return;
        stopped = true;
        try {
          run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
