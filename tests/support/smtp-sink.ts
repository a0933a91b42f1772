/**
 * An SMTP server (smtp-server) on 127.0.0.1 for tests, requiring AUTH as a relay would, that parses what arrives
 * with mailparser. Point the app at it with `sink.env()` (SMTP_URL, MAIL_FROM).
 */
import { afterEach } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  /** the SMTP envelope */
  mailFrom: string;
  rcptTo: string[];
  parsed: ParsedMail;
  /** the raw message as it arrived */
  raw: string;
}

export interface SmtpSink {
  url: string;
  mails: ReceivedMail[];
  /** the next `count` messages are refused with this SMTP reply code (e.g. 550 mailbox unavailable, 451 try later) */
  refuseNext(count: number, code: number): void;
  env(): Record<string, string>;
  close(): Promise<void>;
}

export const SMTP_USER = 'jiedian';
export const SMTP_PASSWORD = 'smtp-password-0123';
export const MAIL_FROM = '接电助手 <noreply@jiedian.example.cn>';

export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  let refusals: { count: number; code: number } = { count: 0, code: 0 };
  const server = new SMTPServer({
    // a plain-text relay on loopback: no STARTTLS (no certificate to trust), AUTH required all the same
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) return callback(null, { user: auth.username });
      return callback(new Error('invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (refusals.count > 0) {
          refusals.count--;
          const error = new Error(refusals.code >= 500 ? 'mailbox unavailable' : 'try again later') as Error & { responseCode: number };
          error.responseCode = refusals.code;
          return callback(error);
        }
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            mails.push({
              mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              rcptTo: session.envelope.rcptTo.map((r) => r.address),
              parsed,
              raw: raw.toString('utf8'),
            });
            callback();
          })
          .catch(callback);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  const url = `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${port}`;
  return {
    url,
    mails,
    refuseNext(count, code) {
      refusals = { count, code };
    },
    env: () => ({ SMTP_URL: url, MAIL_FROM }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An SMTP sink for this test, closed after it. */
export async function smtpSinkForTest(): Promise<SmtpSink> {
  const sink = await startSmtpSink();
  afterEach(() => sink.close());
  return sink;
}
