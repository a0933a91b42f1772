// The satisfaction follow-up (回访): reading a customer's answer to "回复1-5评价" — a score and an optional comment —
// and whether the comment is unhappy. Works on normalised text (simplified, half-width, no punctuation).

const DIGITS: Record<string, number> = { '1': 1, '2': 2, '3': 3, '4': 4, '5': 5, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5 };

/** A score said as a number: "5", "5分", "打4分", "五星", "评价3", "给2星". */
const NUMBER_SCORE = /^(?:我)?(?:打|给|评|评价|评分|打分|给你们|给你)?(?:个)?(?:([1-5])(?:分|星|颗星|星级)?(?![0-9])|([一二两三四五])(?:分|星|颗星|星级))/;
const NUMBER_SCORE_ANYWHERE = /(?:打|给|评|评价|评分|打分)(?:个)?([1-5一二两三四五])(?:分|星|颗星)?|([1-5一二两三四五])(?:分|星|颗星)(?![钟])/;

/** Satisfaction said in words, most specific first. */
const WORD_SCORES: [RegExp, number][] = [
  [/非常不满意|很不满意|特别不满意|极不满意|十分不满意|太不满意|差评|很差|非常差|太差|极差|差劲|糟糕透|垃圾|烂透/, 1],
  [/不(?:太|怎么|是很|大)?满意|不好|不行|失望|差|糟糕|不咋样|不怎么样/, 2],
  [/一般|还行|凑合|马马虎虎|过得去|基本满意|中评|还可以/, 3],
  [/非常满意|很满意|特别满意|十分满意|超满意|太满意|满分|五星好评|非常好|特别好|太好了|很棒|非常棒|点赞|好评/, 5],
  [/满意|挺好|不错|很好|可以/, 4],
];

/**
 * Words that make a comment unhappy whatever the score: slowness, nobody answering, a bad attitude. Each is unhappy
 * only when not negated just before it ("一点都不慢", "没有拖延", "不麻烦", "没有被踢皮球" are praise); 态度 only with
 * what is wrong with it.
 */
const NEGATIVE =
  /不满意|不好|不行|失望|差(?!不多)|糟|烂|垃圾|慢|拖|磨蹭|耽误|没人(?:管|理|回|接)|不理|推诿|踢皮球|态度(?:差|不好|恶劣|冷淡|生硬|蛮横|很差|太差|极差)|麻烦|折腾|坑|投诉|等了?(?:很|好|太|这么)久|太久|乱收费|收费不合理|不专业|敷衍/g;
/** What negates the word right after it: 不, 没(有), 无, 毫不, 一点(儿)都不, 并不, 从不, 不用, 没被… */
const NEGATED_BEFORE = /(?:不|没|没有|无|毫不|并不|从不|从没|从来不|从来没有?|绝不|一点(?:儿)?(?:都|也)?不|一点(?:儿)?(?:都|也)?没(?:有)?|不用|不必|不会|不觉得|没觉得)(?:太|很|算|怎么|是|被|那么|有|再|过|觉得|啥|什么){0,2}$/;

export interface RatingAnswer {
  score: number;
  /** what the customer wrote besides the score, or null */
  comment: string | null;
}

/**
 * The score and comment in a reply, or null when it holds no score. `raw` is kept for the comment (the customer's
 * own words); `compact` is the normalised text the score is read from.
 */
export function readRating(compact: string, raw: string): RatingAnswer | null {
  let score: number | null = null;
  let rest = raw.trim();
  const leading = NUMBER_SCORE.exec(compact);
  if (leading) {
    score = DIGITS[(leading[1] ?? leading[2])!]!;
    rest = rest.replace(/^\s*(?:我)?(?:打|给|评|评价|评分|打分|给你们|给你)?(?:个)?\s*[1-5１-５一二两三四五]\s*(?:分|星|颗星|星级)?[\s,，。.、:：!！]*/, '');
  } else {
    const anywhere = NUMBER_SCORE_ANYWHERE.exec(compact);
    if (anywhere) score = DIGITS[(anywhere[1] ?? anywhere[2])!]!;
    else score = WORD_SCORES.find(([pattern]) => pattern.test(compact))?.[1] ?? null;
  }
  if (score === null) return null;
  const comment = rest.replace(/^[\s,，。.、:：!！]+|[\s]+$/g, '');
  return { score, comment: comment === '' ? null : comment.slice(0, 500) };
}

/** Whether a comment reads as unhappy (回访 then needs a person whatever the score). */
export function isNegativeComment(compact: string | null): boolean {
  if (compact === null) return false;
  for (const match of compact.matchAll(NEGATIVE)) {
    // the negations are themselves words of this list ("不好", "不满意"); they are judged as they stand
    if (match[0].startsWith('不') || !NEGATED_BEFORE.test(compact.slice(Math.max(0, match.index - 8), match.index))) return true;
  }
  return false;
}
