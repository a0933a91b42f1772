// The CLI refuses a database that does not exist for commands that work on existing data (naming the path, creating
// nothing), and `import` asks only for what it uses, every missing setting in one message.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../server/cli/index.ts';
import { openDatabase } from '../../db/client.ts';
import { textSink } from '../support/text-sink.ts';
import { applicationBody, buildTestApp, handlerBody, SECRET } from '../support/app.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiedian-cli-'));
  dirs.push(dir);
  return dir;
}

async function run(argv: string[], env: Record<string, string>, stdin = '') {
  const stdout = textSink();
  const stderr = textSink();
  const code = await main(argv, { stdin: stdin ? Readable.from([Buffer.from(stdin)]) : new PassThrough(), stdout: stdout.stream, stderr: stderr.stream, env });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('commands that work on existing data refuse a database that does not exist', () => {
  for (const [argv, stdin] of [
    [['staff:password', 'H200'], 'correct horse battery\n'],
    [['staff:admin', 'H200'], ''],
    [['sla:sweep'], ''],
  ] as const) {
    it(`${argv[0]} names the missing path, exits 2 and creates no file`, async () => {
      const dir = tempDir();
      const missing = path.join(dir, 'data', 'jiedian.db');
      const result = await run([...argv], { DATABASE_PATH: missing }, stdin);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        `jiedian: no database at ${missing}; set DATABASE_PATH to the server's database file (\`npm start\` creates it; the demo's is data/demo.db)\n`,
      );
      expect(fs.readdirSync(dir)).toEqual([]);
    });
  }

  it('staff:password still works on a database that exists', async () => {
    const file = path.join(tempDir(), 'jiedian.db');
    const t = await buildTestApp({ databasePath: file });
    await t.app.applications.ingest.upsertHandler('H200', handlerBody() as never);
    const result = await run(['staff:password', 'H200'], { DATABASE_PATH: file }, 'correct horse battery\n');
    expect(result).toMatchObject({ code: 0, stdout: 'password set for H200 (李明, handler)\n' });
  });
});

describe('npm run jiedian -- import: settings', () => {
  function exportFile(): string {
    const file = path.join(tempDir(), 'export.jsonl');
    fs.writeFileSync(
      file,
      [JSON.stringify({ handlerId: 'H001', ...handlerBody() }), JSON.stringify({ applicationNo: 'YX2026-0001', ...applicationBody() })].join('\n') + '\n',
    );
    return file;
  }

  it('reports every missing setting in one message and changes nothing', async () => {
    const dir = tempDir();
    const result = await run(['import', exportFile()], {});
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(result.stderr).toMatch(/^jiedian: configuration error: JIEDIAN_SECRET, DATABASE_PATH are required: JIEDIAN_SECRET \(.+\); DATABASE_PATH \(.+\)\n$/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('does not ask for SYNC_TOKEN, which it does not use', async () => {
    const databasePath = path.join(tempDir(), 'imported.db');
    const result = await run(['import', exportFile()], { JIEDIAN_SECRET: SECRET, DATABASE_PATH: databasePath });
    expect(result.stdout).toBe('accepted 2, duplicates 0, parked 0, rejected 0\n');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`jiedian: creating a new database at ${databasePath}\n`);
    const database = openDatabase(databasePath);
    try {
      expect(database.sqlite.prepare('select application_no as no from applications').all()).toEqual([{ no: 'YX2026-0001' }]);
    } finally {
      database.close();
    }
  });
});

describe('the README documents the import format', () => {
  it('its JSON-lines example imports without a rejected line, as the README says', async () => {
    const readme = fs.readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const example = /```jsonl\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const file = path.join(tempDir(), 'example.jsonl');
    fs.writeFileSync(file, example!);
    const result = await run(['import', file], { JIEDIAN_SECRET: SECRET, DATABASE_PATH: path.join(tempDir(), 'example.db') });
    const printed = /\n# (accepted .*)\n/.exec(readme.slice(readme.indexOf('```jsonl')))?.[1];
    expect(result.stdout).toBe(`${printed}\n`);
    expect(result.stdout).toBe('accepted 5, duplicates 0, parked 0, rejected 0\n');
    expect(result.code).toBe(0);
  });
});
