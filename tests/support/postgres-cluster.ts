// vitest globalSetup: a throwaway PostgreSQL cluster for the PostgreSQL tests, from Debian's server binaries
// (.ci/install-postgres installs them), on a free port on 127.0.0.1, in a temporary directory removed afterwards.
// JIEDIAN_TEST_PG_URL (a superuser URL of a server already running) replaces it. Tests take a database of their own
// from it with `freshPostgresDatabase()` (tests/support/postgres.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** a superuser URL of the test cluster, or '' when there is none (then `postgresUnavailable` says why) */
    postgresAdminUrl: string;
    postgresUnavailable: string;
  }
}

function findBinaries(): string | undefined {
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  if (process.env.JIEDIAN_TEST_PG_URL) {
    project.provide('postgresAdminUrl', process.env.JIEDIAN_TEST_PG_URL);
    project.provide('postgresUnavailable', '');
    return undefined;
  }
  const bin = findBinaries();
  if (!bin) {
    project.provide('postgresAdminUrl', '');
    project.provide('postgresUnavailable', 'no PostgreSQL server binaries (initdb): install Debian\'s postgresql (npm test runs .ci/install-postgres) or set JIEDIAN_TEST_PG_URL');
    return undefined;
  }
  // The server refuses to run as root: as root, the cluster belongs to the postgres user Debian's package creates.
  const asRoot = process.getuid?.() === 0;
  const run = (command: string, args: string[]) =>
    asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, command), ...args], { stdio: 'pipe' }) : execFileSync(path.join(bin, command), args, { stdio: 'pipe' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiedian-pg-'));
  const data = path.join(dir, 'data');
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
  const port = await freePort();
  run('initdb', ['-D', data, '-U', 'jiedian', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  run('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`, 'start']);
  project.provide('postgresAdminUrl', `postgres://jiedian@127.0.0.1:${port}/postgres`);
  project.provide('postgresUnavailable', '');
  return () => {
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}
