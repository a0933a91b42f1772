// Template variables as the providers count them: Aliyun (35) and Tencent (12) count a character outside the BMP — a
// rare CJK character in a name such as 𠀾, each emoji of a family emoji — as two, and refuse a longer value
// (isv.PARAM_LENGTH_LIMIT / InvalidParameterValue.TemplateParameterLengthLimit, as the fakes do). A long name goes out
// shortened by the one rule to fit that count, never cut inside a character.
import { describe, expect, it } from 'vitest';
import { ACCOUNT_NO, APPLICATION_NO, APPLICATION_PHONE } from '../support/chat.ts';
import { completed, postEvents, putApplication, putHandler, started } from '../support/notices.ts';
import { graphemes } from '../../server/domain/value-shortening.ts';
import { ALIYUN_MAX_PARAM_LENGTH } from '../support/fake-aliyun-sms.ts';
import { TENCENT_MAX_PARAM_LENGTH } from '../support/fake-tencent-sms.ts';
import { providers, type ProviderHarness } from '../support/template-sms.ts';

const FAMILY = '👨‍👩‍👧‍👦';
/** 27 characters a reader sees, 57 UTF-16 units */
const CUSTOMER = `${FAMILY}${'𠀾'.repeat(20)}食品有限公司`;
const HANDLER_PHONE = '13912345678';
const maxLength: Record<ProviderHarness['name'], number> = { aliyun: ALIYUN_MAX_PARAM_LENGTH, tencent: TENCENT_MAX_PARAM_LENGTH };
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe.each(providers)('template variable lengths through $name', (provider: ProviderHarness) => {
  it('sends a customer name with rare CJK and a family emoji shortened to what the provider counts, on whole characters', async () => {
    const { t, sent } = await provider.build();
    await putHandler(t, 'H001');
    await putApplication(t, APPLICATION_NO, { customerName: CUSTOMER });
    await postEvents(t, [
      started(APPLICATION_NO, 'accept', '2026-11-20T09:00:00+08:00'),
      completed(APPLICATION_NO, 'accept', '2026-11-20T11:00:00+08:00'),
      started(APPLICATION_NO, 'survey', '2026-11-20T14:00:00+08:00'),
      completed(APPLICATION_NO, 'survey', '2026-11-23T16:00:00+08:00'),
      started(APPLICATION_NO, 'plan_reply', '2026-11-24T09:00:00+08:00'),
    ]);
    await t.app.stores.bindings.bind({ channel: 'sms', address: APPLICATION_PHONE, accountNo: ACCOUNT_NO, at: t.clock.now(), applicationNos: null });
    const request = provider.reply(APPLICATION_PHONE, '催一下', 1);
    expect((await t.app.inject({ method: 'POST', url: request.url, payload: request.payload as object })).statusCode).toBe(200);
    await t.app.notices.dispatcher.idle();

    // the handler's hurry_for_handler text names the customer first
    const toHandler = sent().filter((s) => s.to.endsWith(HANDLER_PHONE));
    expect(toHandler).toHaveLength(1);
    const name = provider.name === 'aliyun' ? toHandler[0]!.params.customerName! : toHandler[0]!.params['1']!;
    expect(name.length).toBeLessThanOrEqual(maxLength[provider.name]);
    expect(name).not.toMatch(loneSurrogate);
    expect(name.endsWith('…')).toBe(true);
    const kept = graphemes(name.slice(0, -1));
    expect(kept).toEqual(graphemes(CUSTOMER).slice(0, kept.length));
    // as much of the name as fits: one more character would not
    expect(name.length + graphemes(CUSTOMER)[kept.length]!.length).toBeGreaterThan(maxLength[provider.name]);
    expect((await t.app.stores.outbox.ofApplication(APPLICATION_NO)).filter((r) => r.noticeKind === 'hurry_for_handler').map((r) => r.status)).toEqual(['sent']);
  });
});
