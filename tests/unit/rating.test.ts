import { describe, expect, it } from 'vitest';
import { isNegativeComment, readRating } from '../../server/domain/rating.ts';
import { normalize } from '../../server/domain/chat/normalize.ts';

const read = (text: string) => readRating(normalize(text).compact, text);
const negative = (text: string) => isNegativeComment(normalize(text).compact);

describe('reading a rating reply', () => {
  it('takes a leading score and keeps the rest as the comment', () => {
    expect(read('5')).toEqual({ score: 5, comment: null });
    expect(read('2 太慢了')).toEqual({ score: 2, comment: '太慢了' });
    expect(read('4分，师傅很专业')).toEqual({ score: 4, comment: '师傅很专业' });
    expect(read('５')).toEqual({ score: 5, comment: null });
    expect(read('打3分吧')).toMatchObject({ score: 3 });
  });

  it('reads satisfaction in words, traditional characters too', () => {
    expect(read('非常满意')).toMatchObject({ score: 5 });
    expect(read('非常滿意')).toMatchObject({ score: 5 });
    expect(read('满意')).toMatchObject({ score: 4 });
    expect(read('一般')).toMatchObject({ score: 3 });
    expect(read('不满意，太慢了')).toEqual({ score: 2, comment: '不满意，太慢了' });
    expect(read('非常不满意')).toMatchObject({ score: 1 });
    expect(read('给个好评')).toMatchObject({ score: 5 });
  });

  it('finds no score where there is none', () => {
    expect(read('你好')).toBeNull();
  });

  it('tells an unhappy comment from a happy one', () => {
    for (const text of ['太慢了', '等了很久', '没人管', '态度差', '不满意']) expect(negative(text), text).toBe(true);
    for (const text of ['师傅很专业', '谢谢', '服务很好']) expect(negative(text), text).toBe(false);
    expect(isNegativeComment(null)).toBe(false);
  });
});
