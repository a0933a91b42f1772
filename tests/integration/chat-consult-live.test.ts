// A consult (转人工) reaches team leads' open staff pages over /ws as it is opened: one with a team that team's
// lead, one without a team (a sender with no bound account) every team lead, as GET /api/v1/staff/queue shows it.
import { describe, expect, it } from 'vitest';
import { fakeTwilioForTest, putHandler } from '../support/notices.ts';
import { QUERY_CODE, chatApp, kiosk } from '../support/chat.ts';
import { LiveClient, listen, signIn } from '../support/live.ts';

async function staffSockets() {
  const t = await chatApp(await fakeTwilioForTest());
  await putHandler(t, 'H109', { name: '钱伟', phone: '13922220009', teamId: 'T02', teamName: '业扩二班', role: 'team_lead' });
  const base = await listen(t);
  const socketOf = async (handlerId: string) => {
    const client = await LiveClient.open(base);
    await client.subscribeStaff((await signIn(t, base, handlerId)).token);
    return client;
  };
  return { t, leadT01: await socketOf('H009'), leadT02: await socketOf('H109'), handler: await socketOf('H001') };
}

const consultFrames = (client: LiveClient) => client.frames.filter((f) => f.type === 'consult');

describe('consults over /ws', () => {
  it('without a team reach every team lead live, not handlers', async () => {
    const { t, leadT01, leadT02, handler } = await staffSockets();
    const opened = await kiosk(t, 'kiosk-session-live-0001', '人工');
    const reference = /编号(ZX\d{10})/.exec(opened.body.replies[0]!)![1];

    for (const lead of [leadT01, leadT02]) {
      const { frame } = await lead.next((f) => f.type === 'consult', 'consult');
      expect(frame.consult).toMatchObject({ id: reference, teamId: null, status: 'open' });
    }
    await handler.settle();
    expect(consultFrames(handler)).toEqual([]);
  });

  it('with a team reach that team\'s lead only', async () => {
    const { t, leadT01, leadT02 } = await staffSockets();
    const session = 'kiosk-session-live-0002';
    await kiosk(t, session, '绑定 5300123456');
    await kiosk(t, session, QUERY_CODE);
    await kiosk(t, session, '转人工');
    const { frame } = await leadT01.next((f) => f.type === 'consult', 'consult');
    expect(frame.consult).toMatchObject({ teamId: 'T01' });
    await leadT02.settle();
    expect(consultFrames(leadT02)).toEqual([]);
  });
});
