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

  // review of issue 17, gap 3: a negated word of slowness or bother is praise, not an unhappy comment
  const comments: [string, boolean][] = [
    ['师傅态度很好，一点都不慢', false],
    ['没有拖延，点赞', false],
    ['办事不麻烦', false],
    ['没有被踢皮球，很满意', false],
    ['速度不慢，挺好', false],
    ['一点也不拖拉，谢谢师傅', false],
    ['总体不错，没有耽误我开业', false],
    ['不用跑腿，不折腾', false],
    ['不是很慢，还可以', false],
    ['从来没被推诿过', false],
    ['服务态度没得说', false],
    ['差不多按时通的电，挺好', false],
    ['太慢了，等了一个多月', true],
    ['还行，就是有点慢', true],
    ['一点都不快，拖了一个月', true],
    ['态度很差', true],
    ['师傅态度不好', true],
    ['来回折腾了好几趟', true],
    ['很麻烦，跑了三次', true],
    ['耽误了我们开业', true],
    ['不满意', true],
    ['电话不好打', true],
    ['被踢皮球', true],
  ];
  it.each(comments)('reads "%s" as unhappy: %s', (text, unhappy) => {
    expect(negative(text)).toBe(unhappy);
  });
});
