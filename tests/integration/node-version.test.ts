// The Node.js version the README promises (20) installs the locked dependencies without engine warnings, and the
// CLI's help points at documents a user of this repository has.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { usage } from '../../server/cli/index.ts';

const root = path.resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('Node.js version', () => {
  it('package.json promises the running major version, and `npm ci` of the lockfile warns of no unsupported engine', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
    const promised = Number(/^>=(\d+)/.exec(pkg.engines.node)?.[1]);
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(promised);
    expect(fs.readFileSync(path.join(root, 'README.md'), 'utf8')).toContain(`Node.js ${promised}`);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiedian-npm-ci-'));
    dirs.push(dir);
    for (const file of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(root, file), path.join(dir, file));
    const { stdout, stderr } = await promisify(execFile)('npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir });
    expect(stdout + stderr).not.toMatch(/EBADENGINE/);
  });
});

describe('CLI help', () => {
  it('points at the README and /docs, not at a contract file users do not have', () => {
    const help = usage();
    expect(help).not.toContain('API.md');
    expect(help).toContain('README');
    expect(help).toContain('/docs');
  });
});
