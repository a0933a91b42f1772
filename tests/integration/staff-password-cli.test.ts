// `npm run jiedian -- staff:password HANDLER_ID` against the server's database (a temp SQLite file, or with DATABASE_URL a
// PostgreSQL database), then signing in over HTTP.
import { PassThrough, Readable } from 'node:stream';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { textSink } from '../support/text-sink.ts';
import { main, usage } from '../../server/cli/index.ts';
import { handlerBody, SECRET, sharedTestDatabase, SYNC_TOKEN, type TestApp } from '../support/app.ts';

/** The server running on its database, with H001 synced; `env` names that database to a command (DATABASE_PATH or DATABASE_URL). */
async function appWithHandler(): Promise<{ t: TestApp; env: Record<string, string> }> {
  const database = await sharedTestDatabase();
  const t = await database.build();
  const reply = await request(t.app.server).put('/api/v1/sync/handlers/H001').set(t.sync).send(handlerBody());
  expect(reply.status).toBe(200);
  return { t, env: database.env };
}

async function staffPassword(args: string[], stdin: string | Readable, databaseEnv: Record<string, string>) {
  const stdout = textSink();
  const stderr = textSink();
  const input = typeof stdin === 'string' ? Readable.from([Buffer.from(stdin, 'utf8')]) : stdin;
  const code = await main(['staff:password', ...args], {
    stdin: input,
    stdout: stdout.stream,
    stderr: stderr.stream,
    // the real server's secrets are not needed to set a password
    env: { ...databaseEnv },
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

const login = (t: TestApp, handlerId: string, password: string) => request(t.app.server).post('/api/v1/staff/login').send({ handlerId, password });

describe('npm run jiedian -- staff:password', () => {
  it('sets the password read from stdin, and the handler signs in with it over HTTP', async () => {
    const { t, env } = await appWithHandler();

    const result = await staffPassword(['H001'], 'correct horse battery\n', env);

    expect(result).toEqual({ code: 0, stdout: 'password set for H001 (李明, handler)\n', stderr: '' });
    const [stored] = (await t.sql('select password_hash as hash from handlers where id = ?', 'H001')) as { hash: string }[];
    expect(stored!.hash).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(stored!.hash).not.toContain('correct horse');

    const signedIn = await login(t, 'H001', 'correct horse battery');
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.handler).toEqual({ handlerId: 'H001', name: '李明', role: 'handler', teamId: 'T01', teamName: '业扩一班' });
    expect((await login(t, 'H001', 'correct horse battery\n')).status).toBe(401);
  });

  it('takes only the first line, without its CR LF, and keeps inner and trailing spaces', async () => {
    const { t, env } = await appWithHandler();

    // arriving in pieces, the way a pipe delivers it
    const stdin = new PassThrough();
    const done = staffPassword(['H001'], stdin, env);
    stdin.write('  spaced ');
    stdin.write('密码 word \r\nsecond line\n');
    stdin.end();

    expect((await done).code).toBe(0);
    expect((await login(t, 'H001', '  spaced 密码 word ')).status).toBe(200);
    expect((await login(t, 'H001', 'second line')).status).toBe(401);
  });

  it('accepts a password without a final newline', async () => {
    const { t, env } = await appWithHandler();
    expect((await staffPassword(['H001'], 'no-newline-at-end', env)).code).toBe(0);
    expect((await login(t, 'H001', 'no-newline-at-end')).status).toBe(200);
  });

  it('refuses a password under 8 characters and changes nothing', async () => {
    const { t, env } = await appWithHandler();
    expect((await staffPassword(['H001'], 'first-password\n', env)).code).toBe(0);

    const result = await staffPassword(['H001'], '1234567\n', env);

    expect(result).toEqual({ code: 1, stdout: '', stderr: 'jiedian: a password needs at least 8 characters; nothing changed\n' });
    expect((await login(t, 'H001', 'first-password')).status).toBe(200);
    expect((await login(t, 'H001', '1234567')).status).toBe(401);
  });

  it('counts characters, not bytes: eight Chinese characters are enough', async () => {
    const { t, env } = await appWithHandler();
    expect((await staffPassword(['H001'], '七个汉字不够长\n', env)).code).toBe(1);
    expect((await staffPassword(['H001'], '八个汉字正好够长\n', env)).code).toBe(0);
    expect((await login(t, 'H001', '八个汉字正好够长')).status).toBe(200);
  });

  it('refuses empty input', async () => {
    const { env } = await appWithHandler();
    const result = await staffPassword(['H001'], '', env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^jiedian: no password on stdin/);
  });

  it('names an unknown handler clearly and exits 1', async () => {
    const { t, env } = await appWithHandler();

    const result = await staffPassword(['H404'], 'correct horse battery\n', env);

    expect(result).toEqual({ code: 1, stdout: '', stderr: 'jiedian: no handler H404; sync it first (PUT /api/v1/sync/handlers/H404)\n' });
    // PostgreSQL gives count(*) as text
    expect(Number((await t.sql('select count(*) as n from handlers'))[0]!.n)).toBe(1);
  });

  it('needs exactly one HANDLER_ID (usage, exit 2), and is listed in the help', async () => {
    const { env } = await appWithHandler();
    for (const args of [[], ['H001', 'H002']]) {
      const result = await staffPassword(args, 'correct horse battery\n', env);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('jiedian: staff:password takes exactly one HANDLER_ID');
    }
    expect(usage()).toMatch(/\n {2}staff:password HANDLER_ID +set a staff member's sign-in password, read as one line from stdin/);
  });

  it('works with the server secrets present in the environment too', async () => {
    const { t, env } = await appWithHandler();
    const stdout = textSink();
    const code = await main(['staff:password', 'H001'], {
      stdin: Readable.from([Buffer.from('correct horse battery\n')]),
      stdout: stdout.stream,
      stderr: textSink().stream,
      env: { ...env, JIEDIAN_SECRET: SECRET, SYNC_TOKEN },
    });
    expect(code).toBe(0);
    expect((await login(t, 'H001', 'correct horse battery')).status).toBe(200);
  });
});
