// A group where the bot is mentioned is public: a customer's private conversation (a choice among applications
// offered in private) is neither answered nor changed there.
import { describe, expect, it } from 'vitest';
import type { Message } from 'wechaty';
import { createMockWechat, until } from '../support/wechaty-mock.ts';
import { fakeTwilioForTest, putApplication } from '../support/notices.ts';
import { APPLICATION_NO, QUERY_CODE, SECRETS, chatApp } from '../support/chat.ts';

const SECOND = 'YX2026-0002';

async function boundInPrivateWithTwoApplications() {
  const fake = await fakeTwilioForTest();
  const wx = createMockWechat();
  const t = await chatApp(fake, { deps: { wechaty: wx.bot } });
  await wx.login();
  await putApplication(t, SECOND, { acceptedAt: '2026-11-21T09:00:00+08:00' });
  const customer = wx.createContact({ name: '张先生' });
  const inbox = wx.inboxOf(customer);
  const ask = async (text: string) => {
    const before = inbox.messages.length;
    wx.say(customer, text);
    const messages = await inbox.waitFor(before + 1, 3000);
    return messages.slice(before).map((m) => m.text ?? '')[0]!;
  };
  await ask('绑定 5300123456');
  expect(await ask(QUERY_CODE)).toContain('绑定成功');

  const room = wx.mocker.createRoom({ topic: '业扩客户群', memberIdList: [wx.botUser.id, customer.id] });
  const said: string[] = [];
  wx.bot.on('message', (message: Message) => {
    if (message.self() && message.room()?.id === room.id) said.push(message.text());
  });
  const inGroup = async (text: string) => {
    const before = said.length;
    customer.say(`@接电助手 ${text}`, [wx.botUser]).to(room);
    await until(() => said.length > before, 3000, 'the answer in the group');
    return said[before]!;
  };
  return { t, ask, inGroup, said };
}

describe('a choice offered in private, answered in a group', () => {
  it('posts only the 私聊 guidance for progress, handler contact and hurry, files nothing, and leaves the private choice open', async () => {
    const { t, ask, inGroup, said } = await boundInPrivateWithTwoApplications();

    for (const question of ['进度', '经办人电话', '催办']) {
      expect(await ask(question)).toContain('请回复序号选择');
      const answer = await inGroup('2');
      expect(answer).toBe('@张先生 涉及个人办电信息，请私聊我查询。');
      const picked = await inGroup(APPLICATION_NO);
      expect(picked).toBe('@张先生 涉及个人办电信息，请私聊我查询。');
    }
    for (const secret of [...SECRETS, SECOND, '0002', '应于', '预计']) expect(said.join('\n')).not.toContain(secret);
    expect(await t.app.hurries.ofApplication(APPLICATION_NO)).toEqual([]);
    expect(await t.app.hurries.ofApplication(SECOND)).toEqual([]);

    // the private choice (the last one offered: hurry) is still there, and answered in private
    const hurried = await ask('2');
    expect(hurried).toContain('已为您催办');
    expect(await t.app.hurries.ofApplication(APPLICATION_NO)).toHaveLength(1);
  });

  it('a greeting in the group does not replace the private state', async () => {
    const { ask, inGroup } = await boundInPrivateWithTwoApplications();
    expect(await ask('进度')).toContain('请回复序号选择');
    await inGroup('你好');
    const progress = await ask('2');
    expect(progress).toContain(`工单${APPLICATION_NO}`);
  });
});
