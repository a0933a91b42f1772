// A customer's SMS conversation through Aliyun and Tencent Cloud: every answer goes back as the reply template that
// says it (binding, a wrong or expired code, a hurry and its cooldown, a choice among applications, a knowledge-base
// question), checked in what the fake provider received: the template code and its parameters.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACCOUNT_NO, APPLICATION_NO, APPLICATION_PHONE } from '../support/chat.ts';
import { completed, postEvents, putApplication, putHandler, started } from '../support/notices.ts';
import type { TestApp } from '../support/app.ts';
import { providers, type ProviderHarness, type SentTemplateSms } from '../support/template-sms.ts';

const SECOND_APPLICATION = 'YX2026-0002';

interface MapEntry {
  templateId: string;
  variables: Record<string, { from: string }>;
}

/** The reply template of `kind` in the provider's map as a utility registers it, and its parameters for `values`. */
function expectedReply(provider: ProviderHarness, kind: string, values: Record<string, string> = {}) {
  const map = JSON.parse(readFileSync(new URL(`../../templates/sms-${provider.name}.json`, import.meta.url), 'utf8')) as { replies: Record<string, MapEntry> };
  const entry = map.replies[kind];
  if (!entry) throw new Error(`no reply template ${kind} in templates/sms-${provider.name}.json`);
  // Aliyun names its parameters, Tencent numbers them: either way each takes the value its `from` names
  const params = Object.fromEntries(Object.entries(entry.variables).map(([name, spec]) => [name, values[spec.from]]));
  return { templateId: entry.templateId, params };
}

async function plansInProgress(t: TestApp, applicationNos: string[]) {
  await putHandler(t, 'H001');
  for (const no of applicationNos) {
    await putApplication(t, no);
    await postEvents(t, [
      started(no, 'accept', '2026-11-20T09:00:00+08:00'),
      completed(no, 'accept', '2026-11-20T11:00:00+08:00'),
      started(no, 'survey', '2026-11-20T14:00:00+08:00'),
      completed(no, 'survey', '2026-11-23T16:00:00+08:00'),
      started(no, 'plan_reply', '2026-11-24T09:00:00+08:00'),
    ]);
  }
  await t.app.notices.dispatcher.idle();
}

describe.each(providers)('SMS chat answers as reply templates through $name', (provider: ProviderHarness) => {
  async function conversation(applicationNos = [APPLICATION_NO]) {
    const built = await provider.build();
    const { t, sent } = built;
    await plansInProgress(t, applicationNos);
    let id = 0;
    /** the customer's SMS through the provider's callback; returns what the fake received because of it */
    const say = async (text: string, from = APPLICATION_PHONE): Promise<SentTemplateSms[]> => {
      const before = sent().length;
      id += 1;
      const reply = await t.app.inject({ method: 'POST', url: provider.reply(from, text, id).url, payload: provider.reply(from, text, id).payload as object });
      expect(reply.statusCode).toBe(200);
      await t.app.notices.dispatcher.idle();
      return sent().slice(before);
    };
    const answers = (got: SentTemplateSms[]) => got.filter((s) => s.outboxId?.startsWith('sms-reply:')).map((s) => ({ templateId: s.templateId, params: s.params }));
    const bindCode = (got: SentTemplateSms[]) => {
      const code = got.find((s) => s.templateId === expectedNotice(provider, 'bind_code'))?.params;
      return code ? Object.values(code).find((v) => /^\d{6}$/.test(v)) : undefined;
    };
    return { t, say, answers, bindCode };
  }

  it('binds by SMS: "BD <account>" gets the code-sent template, a wrong code the wrong-code one, the right code the bound one', async () => {
    const { say, answers, bindCode } = await conversation();

    const asked = await say(`BD ${ACCOUNT_NO}`);
    expect(answers(asked)).toEqual([expectedReply(provider, 'bind_code_sent', { validMinutes: '10' })]);
    const code = bindCode(asked);
    expect(code).toMatch(/^\d{6}$/);

    const wrong = code!.replace(/^./, (d) => String((Number(d) + 1) % 10));
    expect(answers(await say(wrong))).toEqual([expectedReply(provider, 'code_wrong', { attemptsLeft: '4' })]);
    expect(answers(await say(code!))).toEqual([expectedReply(provider, 'bound', { accountNo: '5300****56' })]);
    // bound: the progress template now answers
    expect(answers(await say('JD'))[0]?.templateId).toBe(provider.progressTemplate);
  });

  it('answers a code sent after it expired with the code-expired template, not the fallback', async () => {
    const { t, say, answers, bindCode } = await conversation();
    const code = bindCode(await say(`BD ${ACCOUNT_NO}`));
    t.clock.advance(11 * 60_000);
    expect(answers(await say(code!))).toEqual([expectedReply(provider, 'code_expired')]);
  });

  it('answers a hurry with the hurry template and a second one within the cooldown with the cooldown template', async () => {
    const { t, say, answers, bindCode } = await conversation();
    await say(bindCode(await say(`BD ${ACCOUNT_NO}`))!);

    const first = answers(await say('催一下，厂里等着开工'));
    const [hurry] = await t.app.hurries.ofApplication(APPLICATION_NO);
    expect(first).toEqual([expectedReply(provider, 'hurry', { applicationNo: APPLICATION_NO, reference: hurry!.id })]);
    expect(answers(await say('再催一下'))).toEqual([expectedReply(provider, 'hurry_cooldown', { applicationNo: APPLICATION_NO, reference: hurry!.id, hours: '24' })]);
  });

  it('asks a customer with several applications to choose with the choice template, then answers the one chosen', async () => {
    const { say, answers, bindCode } = await conversation([APPLICATION_NO, SECOND_APPLICATION]);
    await say(bindCode(await say(`BD ${ACCOUNT_NO}`))!);

    const choice = answers(await say('JD'));
    expect(choice).toHaveLength(1);
    expect([APPLICATION_NO, SECOND_APPLICATION].map((no) => expectedReply(provider, 'choose_application', { count: '2', applicationNo: no }))).toContainEqual(choice[0]);
    const offered = Object.values(choice[0]!.params).find((v) => v.startsWith('YX'))!;
    const chosen = answers(await say(offered));
    expect(chosen).toHaveLength(1);
    expect(chosen[0]!.templateId).toBe(provider.progressTemplate);
    expect(Object.values(chosen[0]!.params)).toContain(offered);
  });

  it('answers a knowledge-base question with the knowledge template naming the question', async () => {
    const { say, answers } = await conversation();
    const got = answers(await say('居民新装需要准备什么材料', '13911112222'));
    expect(got).toEqual([expectedReply(provider, 'knowledge', { question: '居民新装需要准备什么材料' })]);
  });
});

function expectedNotice(provider: ProviderHarness, kind: string): string {
  const map = JSON.parse(readFileSync(new URL(`../../templates/sms-${provider.name}.json`, import.meta.url), 'utf8')) as { notices: Record<string, MapEntry> };
  return map.notices[kind]!.templateId;
}
