// The fake Twilio API (tests/support/fake-twilio.ts) in its own process, standing for the remote messaging service
// in the notify benchmark, so its work never shares the server's event loop. Messages from the parent:
// `collect` → `{ kind: 'receipts', receipts: [outboxId, receivedAtMs, status][] }` (message sends only), `reset` forgets what arrived.
import { startFakeTwilio } from '../../tests/support/fake-twilio.ts';

export type Receipt = [outboxId: string | null, receivedAtMs: number, outcome: number | 'disconnected' | null];

export type FakeTwilioWorkerMessage =
  | { kind: 'ready'; url: string; accountSid: string; authToken: string }
  | { kind: 'receipts'; receipts: Receipt[]; cpuMs: number };

const fake = await startFakeTwilio();
const reply = (message: FakeTwilioWorkerMessage) => process.send!(message);

process.on('message', (message: { kind: 'collect' | 'reset' }) => {
  if (message.kind === 'reset') {
    fake.requests.length = 0;
    fake.messages.length = 0;
    return;
  }
  const cpu = process.cpuUsage();
  reply({
    kind: 'receipts',
    // only sends: the channel's start-up check of the account (a GET) is not an SMS
    receipts: fake.requests.filter((r) => r.method === 'POST').map((r): Receipt => [r.idempotencyToken, r.receivedAt.getTime(), r.outcome]),
    cpuMs: (cpu.user + cpu.system) / 1000,
  });
});
process.once('disconnect', () => {
  void fake.close().finally(() => process.exit(0));
});
reply({ kind: 'ready', url: fake.url, ...fake.credentials });
