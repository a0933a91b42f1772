// `npm run jiedian -- chat:eval`: the accuracy report with its confusion table, the held-out set, and latency.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { textSink } from '../support/text-sink.ts';
import { main } from '../../server/cli/index.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function fixture(lines: { text: string; intent: string }[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiedian-chat-eval-'));
  dirs.push(dir);
  const file = path.join(dir, 'utterances.jsonl');
  fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return file;
}

async function run(args: string[]) {
  const out = textSink();
  const err = textSink();
  const code = await main(['chat:eval', ...args], { stdin: new PassThrough(), stdout: out.stream, stderr: err.stream, env: {} });
  return { code, out: out.text(), err: err.text() };
}

describe('npm run jiedian -- chat:eval', () => {
  it('prints accuracy per intent, a confusion table, the held-out accuracy and the latency percentiles', async () => {
    const file = fixture([
      { text: '我的申请到哪一步了', intent: 'query_progress' },
      { text: '催一下', intent: 'hurry' },
      { text: '停电了找谁', intent: 'faq' },
      { text: '退订', intent: 'unsubscribe' },
    ]);
    const { out, err } = await run([file]);
    expect(err).toBe('');
    expect(out).toContain('overall: 4/4 = 100.0%');
    expect(out).toMatch(/query_progress +1\/1 +100\.0%/);
    expect(out).toContain('confusion (rows: labelled, columns: recognised):');
    expect(out).toMatch(/held-out set .*: \d+\/\d+ = [\d.]+%/);
    expect(out).toMatch(/chat turn, all +n=\d+ +p50 [\d.]+ ms +p95 [\d.]+ ms +p99 [\d.]+ ms/);
    expect(out).toMatch(/targets: accuracy ≥ 95% — 100\.0% met; reply p99 ≤ 5 ms — [\d.]+ ms (met|NOT met)/);
  });

  it('exits 1 and lists the misses when accuracy is below target', async () => {
    const file = fixture([
      { text: '我的申请到哪一步了', intent: 'hurry' },
      { text: '催一下', intent: 'hurry' },
    ]);
    const { code, out } = await run([file]);
    expect(code).toBe(1);
    expect(out).toContain('overall: 1/2 = 50.0%');
    expect(out).toContain('hurry → query_progress: 我的申请到哪一步了');
  });

  it('is listed in the help', async () => {
    const out = textSink();
    await main(['help'], { stdin: new PassThrough(), stdout: out.stream, stderr: textSink().stream, env: {} });
    expect(out.text()).toContain('chat:eval');
  });
});
