import { describe, expect, it } from 'vitest';
import { codeCandidate, extractEntities, sameApplicationNo } from '../../server/domain/chat/entities.ts';
import { normalize } from '../../server/domain/chat/normalize.ts';

const TODAY = '2026-11-24';
const entities = (text: string) => extractEntities(normalize(text).plain, TODAY);

describe('extractEntities', () => {
  it('finds account numbers, also glued to a command or behind a colon', () => {
    expect(entities('绑定 5300123456').accountNos).toEqual(['5300123456']);
    expect(entities('BD5300123456').accountNos).toEqual(['5300123456']);
    expect(entities('户号：5300123456，帮我绑定').accountNos).toEqual(['5300123456']);
    expect(entities('ＢＤ　５３００１２３４５６').accountNos).toEqual(['5300123456']);
  });

  it('tells a mobile number from an account number', () => {
    const e = entities('我的手机13800001111，户号5300123456');
    expect(e.phones).toEqual(['13800001111']);
    expect(e.accountNos).toEqual(['5300123456']);
  });

  it('finds application numbers with or without the separator', () => {
    expect(entities('帮我查下YX2026-0001').applicationNos).toEqual(['YX2026-0001']);
    expect(entities('yx20260001进度').applicationNos).toEqual(['YX20260001']);
    expect(sameApplicationNo('YX20260001', 'YX2026-0001')).toBe(true);
    expect(sameApplicationNo('YX2026-0002', 'YX2026-0001')).toBe(false);
  });

  it('takes a lone 6-digit number as a code, not the digits of an account or a date', () => {
    expect(entities('验证码123456').codes).toEqual(['123456']);
    expect(entities('我收到验证码了 482913').codes).toEqual(['482913']);
    expect(entities('5300123456').codes).toEqual([]);
    expect(entities('2027-01-15能用电吗').codes).toEqual([]);
  });

  it('resolves dates against today: with a year, without one (the next such day), and relative ones', () => {
    expect(entities('2027年3月1日前能接电吗').dates).toEqual(['2027-03-01']);
    expect(entities('2027-01-15能用电吗').dates).toEqual(['2027-01-15']);
    // said in November: next March, this December
    expect(entities('我3月1日之前能通电吗').dates).toEqual(['2027-03-01']);
    expect(entities('12月15号能通电不').dates).toEqual(['2026-12-15']);
    expect(entities('月底能不能送电').dates).toEqual(['2026-11-30']);
    expect(entities('下个月能通电吗').dates).toEqual(['2026-12-31']);
    expect(entities('明天放假吗').dates).toEqual(['2026-11-25']);
    expect(entities('2026-02-30').dates).toEqual([]);
  });

  it('does not read "1号工单" as a date', () => {
    expect(entities('1号工单进度').dates).toEqual([]);
  });
});

describe('codeCandidate', () => {
  const candidate = (text: string) => {
    const n = normalize(text);
    return codeCandidate(n.compact, extractEntities(n.plain, TODAY));
  };

  it('takes the whole message as the code, letters allowed (query codes may have them)', () => {
    expect(candidate('482913')).toBe('482913');
    expect(candidate('验证码：482913')).toBe('482913');
    expect(candidate('查询密码是ab12cd')).toBe('ab12cd');
    expect(candidate('我收到验证码了 482913')).toBe('482913');
  });

  it('does not take words or short commands as a code', () => {
    expect(candidate('JD')).toBeNull();
    expect(candidate('进度')).toBeNull();
    expect(candidate('hello')).toBeNull();
  });
});
