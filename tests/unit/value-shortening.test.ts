import { describe, expect, it } from 'vitest';
import { displayLength, graphemes, shortenValue, utf16Length } from '../../server/domain/value-shortening.ts';

describe('value shortening', () => {
  it('leaves a value that fits unchanged', () => {
    expect(shortenValue('name', '李明', 2)).toBe('李明');
    expect(shortenValue('number', 'YX2026-0001', 20)).toBe('YX2026-0001');
  });

  it('keeps a name\'s first characters and marks the cut', () => {
    expect(shortenValue('name', '玉溪某某食品有限公司', 5)).toBe('玉溪某某…');
    expect(displayLength(shortenValue('name', '张'.repeat(100), 8))).toBe(8);
  });

  it('keeps a long number\'s last digits', () => {
    expect(shortenValue('number', 'YX2026-000000000123', 8)).toBe('…0000123');
  });

  it('never cuts inside an emoji or a surrogate pair', () => {
    const emoji = '👩‍👩‍👧'.repeat(10) + '𠀀'.repeat(10);
    const short = shortenValue('name', emoji, 4);
    expect(short).toBe('👩‍👩‍👧👩‍👩‍👧👩‍👩‍👧…');
    expect(short).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    expect(shortenValue('number', emoji, 3)).toBe('…𠀀𠀀');
  });

  it('counts graphemes, not UTF-16 units', () => {
    expect(graphemes('a👍🏽b')).toEqual(['a', '👍🏽', 'b']);
    expect(displayLength('a👍🏽b')).toBe(3);
  });

  it('measures as a provider counts when given its measure, still cutting on whole characters', () => {
    // 𠀾 and each emoji of a family are two UTF-16 units to a carrier: a 4-unit budget holds one 𠀾 and the ellipsis
    expect(shortenValue('name', '𠀾𠀾𠀾𠀾', 3, utf16Length)).toBe('𠀾…');
    expect(shortenValue('name', '𠀾𠀾𠀾𠀾', 3)).toBe('𠀾𠀾…');
    const family = '👨‍👩‍👧‍👦';
    expect(utf16Length(family)).toBe(11);
    expect(shortenValue('name', `${family}张三`, 12, utf16Length)).toBe(`${family}…`);
    // a character that does not fit whole is left out, not split: the value may come out shorter than the budget
    expect(shortenValue('name', `张${family}三`, 12, utf16Length)).toBe('张…');
    expect(shortenValue('number', 'YX𠀾0001', 6, utf16Length)).toBe('…0001');
    for (let max = 0; max <= 14; max++) {
      const short = shortenValue('text', `${family}𠀾𠀾张`, max, utf16Length);
      expect(utf16Length(short)).toBeLessThanOrEqual(max);
      expect(short).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    }
  });

  it('drops the ellipsis when only one character is allowed', () => {
    expect(shortenValue('text', '请尽快处理', 1)).toBe('请');
    expect(shortenValue('number', '123456', 1)).toBe('6');
    expect(shortenValue('text', '请尽快处理', 0)).toBe('');
  });
});
