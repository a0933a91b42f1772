// `npm run demo`: the service on data/demo.db with generated secrets and seeded demo data; a few
// applications move one step every 20 seconds.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig } from '../config.ts';
import { startServer } from '../main.ts';
import { advanceDemo, demoAdmin, demoServicesOf, demoStaffMember, describeAccountNow, describeMove, seedDemo } from '../../db/seed/demo.ts';
import { createRng, type DemoAccount } from '../../db/seed/demo-data.ts';

const dataDir = path.resolve(import.meta.dirname, '../../data');
const databasePath = path.join(dataDir, 'demo.db');
const secretsPath = path.join(dataDir, 'demo-secrets.json');
const ADVANCE_EVERY_MS = 20_000;

interface DemoSecrets {
  syncToken: string;
  secret: string;
  /** written when the demo data is seeded: the query codes exist nowhere else in plain text */
  demoAccounts?: DemoAccount[];
  /** the staff pages' sign-in the demo sets (scrypt hash in the database) and prints */
  staffPassword?: string;
}

interface StaffLogin {
  handlerId: string;
  name: string;
  teamName: string;
  password: string;
}

function writeSecrets(secrets: DemoSecrets): void {
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(secretsPath, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  fs.chmodSync(secretsPath, 0o600);
}

/** The query-code HMAC depends on the secret, so it must survive restarts for the printed codes to keep working. */
function loadOrCreateSecrets(): { secrets: DemoSecrets; created: boolean } {
  if (fs.existsSync(secretsPath)) {
    return { secrets: JSON.parse(fs.readFileSync(secretsPath, 'utf8')) as DemoSecrets, created: false };
  }
  const secrets = { syncToken: randomBytes(24).toString('base64url'), secret: randomBytes(32).toString('base64url') };
  writeSecrets(secrets);
  return { secrets, created: true };
}

function printBanner(base: string, secrets: DemoSecrets, seeded: string, staff: StaffLogin | null, admin: StaffLogin | null, accounts: DemoAccount[], now: Map<DemoAccount, string[]>): void {
  const lines = [
    '',
    '接电 Jiedian demo',
    `  API docs    ${base}/docs`,
    `  health      ${base}/healthz`,
    `  kiosk       ${base}/kiosk      (touch screen: 1080×1920 or 1920×1080; enter 户号 and 查询密码 below)`,
    `  staff       ${base}/staff`,
    staff
      ? `  staff login 工号 ${staff.handlerId}  密码 ${staff.password}   (${staff.name}, ${staff.teamName} 班长: the team's queue and statistics)`
      : '  staff login (no team lead in the data: set a password with npm run jiedian -- staff:password ID)',
    ...(admin ? [`  admin login 工号 ${admin.handlerId}  密码 ${admin.password}   (${admin.name}: every team's queue and statistics)`] : []),
    `  database    ${path.relative(process.cwd(), databasePath)} (${seeded})`,
    `  sync token  ${secrets.syncToken}   (Authorization: Bearer …; kept in ${path.relative(process.cwd(), secretsPath)})`,
    '',
  ];
  if (accounts.length === 0) {
    lines.push(`  (no demo accounts on record: delete ${path.relative(process.cwd(), dataDir)}/demo.* to seed afresh)`, '');
  }
  for (const account of accounts.slice(0, 2)) {
    lines.push(
      `  户号 ${account.accountNo}  查询密码 ${account.queryCode}  ${account.customerName}${staff ? ` (催办、转人工到 ${staff.handlerId} 的队列)` : ''}`,
      ...(now.get(account) ?? []).map((line) => `    ${line}`),
      `    curl -s -X POST ${base}/api/v1/progress/query -H 'content-type: application/json' -d '${JSON.stringify({ accountNo: account.accountNo, queryCode: account.queryCode })}'`,
      '',
    );
  }
  lines.push(`Every ${ADVANCE_EVERY_MS / 1000} s a few applications move one step. Ctrl-C stops.`, '');
  process.stdout.write(lines.join('\n') + '\n');
}

async function runDemo(env: Record<string, string | undefined>): Promise<void> {
  const hadDatabase = fs.existsSync(databasePath);
  const { secrets, created } = loadOrCreateSecrets();
  if (created && hadDatabase) {
    process.stderr.write(`demo: ${secretsPath} was missing, so the query codes in ${databasePath} no longer match; delete data/demo.* to start afresh\n`);
  }
  // The demo's customer phones are random numbers that may well belong to someone: notices go to the log
  // channel only, whatever channel settings the environment has.
  // The demo is the embedded SQLite file whatever DATABASE_URL says.
  const offline = Object.fromEntries(Object.entries(env).filter(([name]) => !/^(TWILIO_|WECHATY_|DATABASE_URL$)/.test(name)));
  const config = loadConfig({
    LOG_LEVEL: 'warn',
    ...offline,
    SYNC_TOKEN: secrets.syncToken,
    JIEDIAN_SECRET: secrets.secret,
    DATABASE_PATH: databasePath,
  });
  const { app, database } = await startServer(config);
  const services = demoServicesOf(app, database!);

  const result = await seedDemo(services, Date.now());
  if (result.seeded) {
    secrets.demoAccounts = result.demoAccounts;
    writeSecrets(secrets);
  }
  // The printed sign-in must work whatever happened before (a new database, an old secrets file): set it each start.
  const member = await demoStaffMember(services, app.staff, secrets.demoAccounts ?? []);
  if (!secrets.staffPassword) {
    secrets.staffPassword = `demo-${randomBytes(6).toString('base64url')}`;
    writeSecrets(secrets);
  }
  let staff: StaffLogin | null = null;
  if (member) {
    await app.staff.auth.setPassword(member.handlerId, secrets.staffPassword);
    staff = { handlerId: member.handlerId, name: member.name, teamName: member.teamName, password: secrets.staffPassword };
  }
  const adminMember = await demoAdmin(services);
  let admin: StaffLogin | null = null;
  if (adminMember) {
    await app.staff.auth.setPassword(adminMember.handlerId, secrets.staffPassword);
    admin = { ...adminMember, teamName: '', password: secrets.staffPassword };
  }
  const seeded = result.seeded
    ? `seeded ${result.applications} applications, ${result.handlers} handlers, ${result.events} events`
    : `${result.applications} applications already there`;

  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const accounts = member?.accounts ?? secrets.demoAccounts ?? [];
  const described = new Map<DemoAccount, string[]>();
  for (const account of accounts.slice(0, 2)) described.set(account, await describeAccountNow(services, account));
  printBanner(`http://${host === '0.0.0.0' || host === '[::]' ? 'localhost' : host}:${address.port}`, secrets, seeded, staff, admin, accounts, described);

  const rng = createRng(Date.now() >>> 0);
  const timer = setInterval(async () => {
    try {
      for (const move of await advanceDemo(services, Date.now(), rng)) {
        process.stdout.write(`${new Date().toLocaleTimeString('zh-CN', { timeZone: config.timeZone, hour12: false })}  ${describeMove(move)}\n`);
      }
    } catch (error) {
      app.log.error({ err: error }, 'demo: advancing applications failed');
    }
  }, ADVANCE_EVERY_MS);
  // startServer closes the app and the database on these signals; the timer must not fire in between.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => clearInterval(timer));
}

try {
  await runDemo(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`demo: configuration error: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
