// `npm run jiedian -- staff:password HANDLER_ID`: sets a staff member's sign-in password, read as one line from stdin.
import type { Readable, Writable } from 'node:stream';
import type { Stores, Transact } from '../stores.ts';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../staff/passwords.ts';

/** The first line of `input` without its line ending ('' when the input is empty). */
export async function readFirstLine(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
    const newline = buffer.indexOf(0x0a);
    if (newline >= 0) {
      chunks.push(buffer.subarray(0, newline));
      break;
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r$/, '');
}

/** Resolves to the exit code: 0 set, 1 refused (no such handler, too short or missing password). */
export async function runStaffPassword(options: {
  handlerId: string;
  stores: Stores;
  transact: Transact;
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}): Promise<number> {
  const { handlerId, stores, transact, stdout, stderr } = options;
  const handler = await stores.staff.member(handlerId);
  if (!handler) {
    stderr.write(`jiedian: no handler ${handlerId}; sync it first (PUT /api/v1/sync/handlers/${handlerId})\n`);
    return 1;
  }
  const password = await readFirstLine(options.stdin);
  if (password === '') {
    stderr.write('jiedian: no password on stdin (one line, e.g. `printf "%s\\n" "$PASSWORD" | npm run jiedian -- staff:password H001`)\n');
    return 1;
  }
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    stderr.write(`jiedian: a password needs at least ${MIN_PASSWORD_LENGTH} characters; nothing changed\n`);
    return 1;
  }
  const hash = await hashPassword(password);
  await transact((s) => s.staff.setPasswordHash(handlerId, hash));
  stdout.write(`password set for ${handlerId} (${handler.name}, ${handler.role})\n`);
  return 0;
}
