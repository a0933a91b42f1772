// What a binding proves: a query code unlocks the applications it is the query code of (as POST
// /api/v1/progress/query does), a binding code those with the phone it went to — not every application on the account.
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { fakeTwilioForTest, putApplication } from '../support/notices.ts';
import { APPLICATION_NO, QUERY_CODE, chatApp, kiosk, postSms } from '../support/chat.ts';

/** Same account, a later application with another phone and query code (the binding code goes to its phone). */
const OTHER = { applicationNo: 'YX2026-0002', phone: '13800002222', queryCode: '731264' };

async function twoApplications(): Promise<TestApp> {
  const fake = await fakeTwilioForTest();
  const t = await chatApp(fake);
  await putApplication(t, OTHER.applicationNo, { phone: OTHER.phone, queryCode: OTHER.queryCode, acceptedAt: '2026-11-22T09:00:00+08:00' });
  return t;
}

const say = async (t: TestApp, session: string, text: string) => (await kiosk(t, session, text)).body.replies.join('\n');

describe('a query code typed into the chat', () => {
  it('at a kiosk unlocks only its own application, like POST /api/v1/progress/query', async () => {
    const t = await twoApplications();
    const query = await t.app.inject({ method: 'POST', url: '/api/v1/progress/query', payload: { accountNo: '5300123456', queryCode: QUERY_CODE } });
    expect(query.json().applications.map((a: { applicationNo: string }) => a.applicationNo)).toEqual([APPLICATION_NO]);

    const session = 'kiosk-session-scope-01';
    await say(t, session, '绑定 5300123456');
    expect(await say(t, session, QUERY_CODE)).toContain('绑定成功');
    const progress = await say(t, session, '进度');
    expect(progress).toContain(`工单${APPLICATION_NO}`);
    expect(progress).not.toContain(OTHER.applicationNo);
    expect(await say(t, session, `${OTHER.applicationNo}的进度`)).toContain('没有找到这个工单');

    // the other application's query code, typed in the same session, adds it
    await say(t, session, '绑定 5300123456');
    expect(await say(t, session, OTHER.queryCode)).toContain('绑定成功');
    expect(await say(t, session, '进度')).toContain('您有2个在办工单');
  });

  it('by SMS binds the number for that application only', async () => {
    const t = await twoApplications();
    const from = '+8613700007777';
    await postSms(t, from, 'BD 5300123456');
    expect((await postSms(t, from, OTHER.queryCode)).text).toContain('绑定成功');
    const progress = (await postSms(t, from, 'JD')).text;
    expect(progress).toContain(`工单${OTHER.applicationNo}`);
    expect(progress).not.toContain(APPLICATION_NO);
    expect((await postSms(t, from, `${APPLICATION_NO}经办人电话`)).text).toContain('没有找到这个工单');
    expect((await postSms(t, from, `${APPLICATION_NO}催办`)).text).toContain('没有找到这个工单');
    expect(await t.app.hurries.ofApplication(APPLICATION_NO)).toEqual([]);
  });
});

describe('a binding code', () => {
  it('goes to the latest application\'s phone and unlocks the applications with that phone only', async () => {
    const t = await twoApplications();
    const from = '+8613700008888';
    await postSms(t, from, 'BD 5300123456');
    const sent = (await t.app.stores.outbox.ofApplication(OTHER.applicationNo)).filter((r) => r.noticeKind === 'bind_code');
    expect(sent.map((r) => r.address)).toEqual([OTHER.phone]);
    const code = /(\d{6})/.exec(sent[0]!.text)![1]!;
    expect((await postSms(t, from, code)).text).toContain('绑定成功');
    const progress = (await postSms(t, from, '进度')).text;
    expect(progress).toContain(`工单${OTHER.applicationNo}`);
    expect(progress).not.toContain(APPLICATION_NO);
    expect((await postSms(t, from, `${APPLICATION_NO}的进度`)).text).toContain('没有找到这个工单');
  });
});
