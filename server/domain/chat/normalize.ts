// Customers' text made comparable: full-width → half-width, traditional → simplified, common typos fixed,
// punctuation and emoji stripped; and the word segmentation every matcher uses.
import * as OpenCC from 'opencc-js';

/** Taiwan/Hong Kong standard → mainland simplified, character by character (not the phrase table: it turns 查詢 into 查找). */
const toSimplified = OpenCC.Converter({ from: 'tw', to: 'cn' });

/** Variants OpenCC keeps as they are but mainland text writes otherwise. */
const variants: [string, string][] = [
  ['甚么', '什么'],
  ['甚麽', '什么'],
  ['妳', '你'],
  ['祢', '你'],
  ['幺', '么'],
  ['啥子', '啥'],
  // both spellings are in use; the catalog writes 勘查
  ['勘察', '勘查'],
];

/**
 * Pinyin-input slips (same sound, wrong character) on this service's own words. Only slips that cannot be a
 * correct word in a customer's message belong here; a wrong correction is worse than none.
 */
export const commonTypos: [string, string][] = [
  ['进渡', '进度'],
  ['进读', '进度'],
  ['近度', '进度'],
  ['尽度', '进度'],
  ['劲度', '进度'],
  ['退定', '退订'],
  ['褪订', '退订'],
  ['推订', '退订'],
  ['帮定', '绑定'],
  ['邦定', '绑定'],
  ['绑订', '绑定'],
  ['梆定', '绑定'],
  ['崔办', '催办'],
  ['摧办', '催办'],
  ['崔一下', '催一下'],
  ['崔崔', '催催'],
  ['催半', '催办'],
  ['经半人', '经办人'],
  ['经班人', '经办人'],
  ['电化', '电话'],
  ['点话', '电话'],
  ['时侯', '时候'],
  ['时后', '时候'],
  ['通店', '通电'],
  ['送店', '送电'],
  ['户好', '户号'],
  ['验正码', '验证码'],
  ['严证码', '验证码'],
  ['人公', '人工'],
  ['装标', '装表'],
  ['电标', '电表'],
];

function replaceAll(text: string, table: [string, string][]): string {
  let out = text;
  for (const [from, to] of table) if (out.includes(from)) out = out.split(from).join(to);
  return out;
}

// Emoji, pictographs and their joiners/selectors/skin tones: removed outright.
const EMOJI = /[\p{Extended_Pictographic}\u{1F3FB}-\u{1F3FF}\u200d\ufe0f\u20e3]/gu;
// Punctuation, symbols and format characters: a word boundary.
const PUNCTUATION = /[\p{P}\p{S}\p{Cf}]/gu;

export interface NormalizedText {
  /** what the customer sent */
  raw: string;
  /** half-width, simplified, lower-case ASCII, typos fixed, emoji removed, spaces collapsed; punctuation kept (entities need `-`, `.`) */
  plain: string;
  /** `plain` with punctuation and symbols turned into single spaces */
  text: string;
  /** `text` without spaces: what phrase rules match against */
  compact: string;
}

export function normalize(raw: string): NormalizedText {
  // NFKC folds full-width letters, digits, space and punctuation (ＢＤ　５３００ → BD 5300) and compatibility forms.
  let plain = raw.normalize('NFKC');
  plain = toSimplified(plain);
  plain = replaceAll(plain, variants);
  plain = plain.replace(/[A-Z]+/g, (s) => s.toLowerCase());
  plain = replaceAll(plain, commonTypos);
  plain = plain.replace(EMOJI, ' ').replace(/\s+/g, ' ').trim();
  const text = plain.replace(PUNCTUATION, ' ').replace(/\s+/g, ' ').trim();
  return { raw, plain, text, compact: text.replace(/ /g, '') };
}

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

/** Words the general-purpose segmenter does not know (经办人 comes out as 经|办|人): matched first, longest first. */
export interface Lexicon {
  words: ReadonlySet<string>;
  longest: number;
}

export function buildLexicon(words: Iterable<string>): Lexicon {
  const set = new Set<string>();
  for (const w of words) if (w.length > 1) set.add(w);
  return { words: set, longest: Math.max(0, ...[...set].map((w) => w.length)) };
}

/** This service's own vocabulary. */
export const domainLexicon = buildLexicon([
  '经办人', '办理人', '承办人', '负责人', '客户经理', '联系方式', '联系电话', '联系人', '工作人员', '户号', '工单', '工单号', '验证码',
  '查询密码', '绑定', '解绑', '换绑', '退订', '催办', '催单', '人工', '客服', '人工客服', '进度', '进展', '环节', '电费', '电价',
  '充电桩', '光伏', '竣工', '检验', '中间检查', '隐蔽工程', '供用电合同', '合同', '施工单位', '资质', '受电工程', '供电方案', '容量',
  '增容', '减容', '暂停', '过户', '销户', '营业厅', '网上国网', '报装', '新装', '业扩', '接电', '通电', '送电', '装表', '电表', '表箱',
  '材料', '资料', '费用', '时限', '工作日', '节假日', '停电', '报修', '一证受理', '容缺受理', '临时用电', '三相', '双电源', '单电源',
  '高压', '低压', '居民', '企业', '小微企业', '租房', '委托', '投诉', '勘查', '现场勘查', '预约', '缴费', '房产证', '产权证明',
  '身份证', '营业执照', '峰谷', '分时', '并网', '电动汽车', '签合同', '用电', '办电', '设备清单', '答复', '方案答复',
]);

/**
 * The words of (normalised) text, punctuation and spaces left out. Lexicon words are taken whole wherever they
 * occur; the text between them goes to `Intl.Segmenter`.
 */
export function segmentWords(text: string, lexicon: Lexicon = domainLexicon): string[] {
  const words: string[] = [];
  const general = (chunk: string) => {
    if (chunk) for (const part of segmenter.segment(chunk)) if (part.isWordLike) words.push(part.segment);
  };
  let pending = '';
  let i = 0;
  while (i < text.length) {
    let found = '';
    for (let len = Math.min(lexicon.longest, text.length - i); len > 1; len--) {
      const candidate = text.slice(i, i + len);
      if (lexicon.words.has(candidate)) {
        found = candidate;
        break;
      }
    }
    if (found) {
      general(pending);
      pending = '';
      words.push(found);
      i += found.length;
    } else {
      pending += text[i];
      i += 1;
    }
  }
  general(pending);
  return words;
}

/** True when the text had something in it (emoji, a thumbs-up) but no words once normalised. */
export function onlyEmoji(normalized: NormalizedText): boolean {
  return normalized.text === '' && /\p{Extended_Pictographic}/u.test(normalized.raw);
}
