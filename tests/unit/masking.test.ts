import { describe, expect, it } from 'vitest';
import { customerKind, maskName } from '../../server/domain/masking.ts';

describe('customerKind', () => {
  it('tells an organisation from a person, so a page does not greet 玉溪某某食品有限公司 as 玉**', () => {
    for (const name of ['玉溪某某食品有限公司', '红塔区某某小学', '某某村民委员会', '张记小吃店', '玉溪市人民医院', '某某农民专业合作社', '某某建设集团', '红塔区供销社'])
      expect(customerKind(name), name).toBe('organisation');
    for (const name of ['张三丰', '李明', '欧阳娜娜', '王', '阿依古丽·买买提']) expect(customerKind(name), name).toBe('person');
  });

  it('masks either kind the same way (the first character only)', () => {
    expect(maskName('玉溪某某食品有限公司')).toBe('玉*********');
    expect(maskName('张三丰')).toBe('张**');
  });
});
