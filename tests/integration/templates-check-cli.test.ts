// `npm run jiedian -- templates:check [DIR]` as a utility runs it on an edited copy of templates/ before deploying:
// exit 1 and a FAIL line for a broken template SMS map, or for a missing map of the provider SMS_PROVIDER selects.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { textSink } from '../support/text-sink.ts';
import { main } from '../../server/cli/index.ts';

const projectRoot = path.resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A copy of the shipped templates/, edited by `edit`. */
function templatesCopy(edit: (dir: string) => void = () => {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiedian-templates-'));
  dirs.push(dir);
  fs.cpSync(path.join(projectRoot, 'templates'), dir, { recursive: true });
  edit(dir);
  return dir;
}

function editMap(dir: string, provider: 'aliyun' | 'tencent', change: (map: { notices: Record<string, unknown> }) => void) {
  const file = path.join(dir, `sms-${provider}.json`);
  const map = JSON.parse(fs.readFileSync(file, 'utf8')) as { notices: Record<string, unknown> };
  change(map);
  fs.writeFileSync(file, JSON.stringify(map, null, 2));
}

async function run(args: string[], env: Record<string, string> = {}) {
  const out = textSink();
  const err = textSink();
  const code = await main(['templates:check', ...args], { stdin: new PassThrough(), stdout: out.stream, stderr: err.stream, env });
  return { code, out: out.text(), err: err.text() };
}

const aliyunEnv = {
  SMS_PROVIDER: 'aliyun',
  ALIYUN_ACCESS_KEY_ID: 'LTAI5t0123',
  ALIYUN_ACCESS_KEY_SECRET: 'secret-0123',
  ALIYUN_SMS_SIGN_NAME: '接电助手',
  SMS_CALLBACK_TOKEN: 'c'.repeat(16),
};

describe('npm run jiedian -- templates:check', () => {
  it('exits 1 from the command line on a broken map in the directory given, naming the problem; 0 on the shipped one', async () => {
    const broken = templatesCopy((dir) => editMap(dir, 'tencent', (map) => delete map.notices.weekly_digest));
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli/index.ts', 'templates:check', broken], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(out).toMatch(/^FAIL sms-tencent\.json: notices\.weekly_digest is not mapped to a template$/m);
    expect(code).toBe(1);

    expect((await run([templatesCopy()])).code).toBe(0);
  }, 120_000);

  it('exits 1 when the map of the provider SMS_PROVIDER selects is missing; another provider\'s missing map is no problem', async () => {
    const withoutAliyun = templatesCopy((dir) => fs.rmSync(path.join(dir, 'sms-aliyun.json')));

    const selected = await run([withoutAliyun], aliyunEnv);
    expect(selected.code).toBe(1);
    expect(selected.out).toMatch(/^FAIL sms-aliyun\.json: missing, and SMS_PROVIDER=aliyun sends every notice through it$/m);

    const other = await run([withoutAliyun], { SMS_PROVIDER: 'log' });
    expect(other.code).toBe(0);
    expect(other.out).not.toContain('FAIL');
  });

  it('refuses a directory that is not there, and more than one argument', async () => {
    const missing = await run([path.join(os.tmpdir(), 'jiedian-no-such-templates')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('is not a directory');
    expect((await run(['a', 'b'])).code).toBe(2);
  });
});
