import { describe, expect, it } from 'vitest';
import { normalize, onlyEmoji, segmentWords } from '../../server/domain/chat/normalize.ts';

describe('normalize', () => {
  it('folds full-width letters, digits and spaces to half-width and lower-cases ASCII', () => {
    expect(normalize('ＢＤ　５３００１２３４５６').text).toBe('bd 5300123456');
    expect(normalize('ＪＤ').compact).toBe('jd');
  });

  it('turns traditional characters into simplified ones, character by character', () => {
    expect(normalize('我的申請辦到哪一步了').text).toBe('我的申请办到哪一步了');
    expect(normalize('經辦人電話').text).toBe('经办人电话');
    // the phrase table would make 查詢 into 查找; only characters change
    expect(normalize('查詢進度').text).toBe('查询进度');
    expect(normalize('需要準備甚麼材料').text).toBe('需要准备什么材料');
  });

  it('strips punctuation and emoji, keeping punctuation in `plain` for application numbers', () => {
    const n = normalize('催一下呗🙏！！YX2026-0001？');
    expect(n.text).toBe('催一下呗 yx2026 0001');
    expect(n.plain).toBe('催一下呗 !!yx2026-0001?');
    expect(n.compact).toBe('催一下呗yx20260001');
  });

  it('fixes common pinyin-input slips of this service\'s own words', () => {
    expect(normalize('进渡查询').text).toBe('进度查询');
    expect(normalize('退定').text).toBe('退订');
    expect(normalize('帮定户号').text).toBe('绑定户号');
    expect(normalize('经办人电化').text).toBe('经办人电话');
    expect(normalize('勘察').text).toBe('勘查');
  });

  it('knows a message of only emoji from one of only punctuation', () => {
    expect(onlyEmoji(normalize('👍'))).toBe(true);
    expect(onlyEmoji(normalize('。。。'))).toBe(false);
    expect(normalize('👍').text).toBe('');
  });
});

describe('segmentWords', () => {
  it('keeps the service\'s words whole where the general segmenter splits them', () => {
    expect(segmentWords('经办人电话多少')).toEqual(['经办人', '电话', '多少']);
    expect(segmentWords('绑定户号5300123456')).toEqual(['绑定', '户号', '5300123456']);
    expect(segmentWords('什么时候能通电')).toContain('通电');
  });

  it('leaves punctuation and spaces out', () => {
    expect(segmentWords('你好 在吗')).toEqual(['你好', '在', '吗']);
  });
});
