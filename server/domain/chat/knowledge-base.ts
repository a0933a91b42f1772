// The knowledge base (服务征询知识库) as a search index: BM25 over segmented words and character pairs, with synonyms.
import { buildLexicon, domainLexicon, normalize, segmentWords, type Lexicon } from './normalize.ts';

export interface KnowledgeEntry {
  id: string;
  question: string;
  /** other ways customers ask the same question */
  variants: string[];
  keywords: string[];
  answer: string;
}

export interface KnowledgeMatch {
  entry: KnowledgeEntry;
  /** BM25F score: ranks entries, not comparable across queries */
  score: number;
  /** 0…1: the idf-weighted share of the question's words the entry covers */
  confidence: number;
  /** how many of the question's content words the entry covers: one generic word is weak evidence */
  matched: number;
}

/** Below this confidence the answer is "没有找到答案" and a person is offered. */
export const KNOWLEDGE_CONFIDENCE_THRESHOLD = 0.55;

/**
 * Customers' words → the word the entries use. Applied to entries and questions alike, longest variant first in
 * one pass (so 装电表 becomes 装表, not 报装表).
 */
export const synonymGroups: Record<string, string[]> = {
  接电: ['通电', '送电', '来电', '用上电', '接上电', '通上电', '供上电'],
  装表: ['装电表', '安装电表', '装电能表'],
  电表: ['电能表', '电度表', '表计', '计量表'],
  报装: ['办电', '开户', '装电', '新装', '申请用电', '用电申请', '办理用电', '办用电', '接电申请'],
  材料: ['资料', '证件', '手续', '文件', '证明材料'],
  费用: ['收费', '多少钱', '要钱', '交钱', '花钱', '收钱', '付费', '收不收费'],
  时限: ['多久', '多长时间', '几天', '几个工作日', '多少天', '多少个工作日', '要多长', '多少时间'],
  停电: ['断电', '没电', '停了电', '跳闸', '闸跳了', '跳了闸', '跳了'],
  总开关: ['总闸', '电闸', '空开', '空气开关', '闸刀'],
  突然: ['一下子', '突然间', '忽然'],
  查: ['查到', '查得到'],
  报修: ['抢修', '维修', '修理', '故障'],
  网上国网: ['掌上电力', 'app', '手机软件', '国网app'],
  网上: ['线上', '在线', '手机上', '网络上'],
  检验: ['验收', '报验'],
  签合同: ['签订合同', '签约', '签合约', '签署合同', '合同签订'],
  企业: ['公司', '店铺', '商铺', '门面', '商业', '小微', '非居民', '工厂', '厂房', '开店'],
  带: ['要带', '需要带', '携带', '带上'],
  居民: ['住宅', '家里', '家庭', '个人', '自家', '我家', '家用', '家中', '屋里'],
  缴费: ['交费', '交电费', '缴电费', '充值', '付电费', '充电费', '交纳电费', '缴纳电费', '电费充值', '充值电费', '买电', '购电'],
  微信: ['微信上', '微信里', '微信公众号', '公众号', '微信支付'],
  施工单位: ['施工队', '施工方', '施工公司'],
  设计: ['图纸', '设计文件', '审图'],
  租房: ['租的房子', '租赁', '出租房', '租的'],
  过户: ['更名', '改名', '换户名'],
  委托: ['代办', '代理', '授权', '别人'],
  投诉: ['举报', '不满意'],
  营业厅: ['供电所', '服务网点', '服务厅', '营业网点', '营业所', '服务大厅', '办事大厅'],
  营业时间: [
    '上班时间', '下班时间', '开门时间', '关门时间', '办公时间', '几点开门', '几点关门', '几点上班', '几点下班', '开门', '关门', '上班', '下班',
    '营业吗', '营业到', '办公吗', '早上几点', '上午几点', '下午几点', '晚上几点', '午休', '中午休息', '休息时间',
  ],
  周末: ['周六', '周日', '星期六', '星期天', '星期日', '礼拜六', '礼拜天', '礼拜日', '双休日', '双休'],
  附近: ['离我最近', '离我近', '就近', '周边'],
  邻居: ['隔壁', '邻居家', '对门', '左邻右舍', '楼上楼下', '整栋楼', '整个小区', '这一片', '片区', '周围'],
  // 充电费用 is the charging fee (an electric car's), not 充电费 (topping up the electricity bill)
  电动汽车: ['新能源车', '电车', '新能源汽车', '充电费用'],
  光伏: ['太阳能'],
  高压: ['10千伏', '十千伏', '专变'],
  三相: ['380伏', '三相电', '动力电'],
};

const synonymOf = new Map<string, string>();
for (const [canonical, variants] of Object.entries(synonymGroups)) for (const v of variants) synonymOf.set(v, canonical);
const SYNONYMS = new RegExp([...synonymOf.keys()].sort((a, b) => b.length - a.length).map(escape).join('|'), 'gu');

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Question words and particles that say nothing about which entry is meant. */
const STOPWORDS = new Set([
  '怎么', '怎样', '如何', '什么', '啥', '哪些', '哪里', '哪儿', '哪个', '哪', '在哪', '在哪里', '在哪儿', '吗', '呢', '啊', '吧', '呀', '了',
  '的', '得', '地', '着',
  '是', '在', '有', '要', '能', '会', '可', '可以', '能不能', '可不可以', '是不是', '需要', '需', '请问', '请', '一下', '下', '我', '我的',
  '我们', '你', '你们', '您', '他', '这', '那', '这个', '那个', '和', '与', '及', '或', '也', '还', '就', '都', '把', '给', '让', '被',
  '一般', '一个', '些', '去', '来', '想', '该', '应该', '办', '弄', '做', '搞', '为', '对', '从', '到', '用', '上', '中', '后', '以后',
  '之后', '时候', '多少', '几', '么', '呗', '嘛', '哦', '喔', '个', '不', '没', '没有', '问', '问下', '咨询', '干什么', '干嘛', '是干',
  '样', '怎么样', '看', '看看', '了解', '一直', '总是', '老是', '经常', '一点', '帮', '帮我', '麻烦', '谢谢', '吗的', '时', '里', '呀', '嗯',
  '怎么回事', '咋回事', '回事', '操作', '除了', '会不会', '说', '全', '能去', '业务', '回', '事', '这里', '这边', '那里', '那边',
]);

const CJK = /^\p{Script=Han}+$/u;

/** The domain lexicon plus every canonical synonym; an index adds its entries' keywords. */
export const knowledgeLexicon = buildLexicon([...domainLexicon.words, ...Object.keys(synonymGroups)]);

/** Canonical words of a normalised text (NormalizedText.text), stopwords left out. */
export function knowledgeWords(text: string, lexicon: Lexicon = knowledgeLexicon): string[] {
  const canonical = text.replace(SYNONYMS, (v) => ` ${synonymOf.get(v)!} `);
  return segmentWords(canonical, lexicon).filter((w) => !STOPWORDS.has(w));
}

/** Index terms: the words, plus character pairs inside longer Chinese words (竣工检验 → 竣工 工检 检验) so partial words meet. */
function terms(words: string[]): string[] {
  const out: string[] = [];
  for (const word of words) {
    out.push(word);
    if (word.length > 2 && CJK.test(word)) for (let i = 0; i + 2 <= word.length; i++) out.push(`~${word.slice(i, i + 2)}`);
  }
  return out;
}

interface Field {
  tf: Map<string, number>;
  length: number;
  /** canonical text with the words joined, for the coverage test */
  text: string;
}

interface IndexedEntry {
  entry: KnowledgeEntry;
  title: Field;
  answer: Field;
}

const K1 = 1.2;
const B = 0.75;
/** the question, its variants and keywords weigh most; the answer text helps recall */
const TITLE_WEIGHT = 1;
const ANSWER_WEIGHT = 0.3;
/** a word found only in the answer covers half as much as one in the question */
const ANSWER_COVERAGE = 0.5;

export interface KnowledgeIndex {
  readonly size: number;
  /** best first; `text` is NormalizedText.text */
  search(text: string, limit?: number): KnowledgeMatch[];
  /** the best match if it clears the confidence threshold */
  answer(text: string): KnowledgeMatch | null;
}

/** Entries go through the same normalisation as questions (an entry written with full-width letters still matches). */
function normalizeEntryText(text: string): string {
  return normalize(text).text;
}

function field(text: string, lexicon: Lexicon): Field {
  const words = knowledgeWords(text, lexicon);
  const tf = new Map<string, number>();
  const list = terms(words);
  for (const t of list) tf.set(t, (tf.get(t) ?? 0) + 1);
  return { tf, length: list.length, text: words.join(' ') };
}

export function buildKnowledgeIndex(entries: readonly KnowledgeEntry[], options: { threshold?: number } = {}): KnowledgeIndex {
  const threshold = options.threshold ?? KNOWLEDGE_CONFIDENCE_THRESHOLD;
  const lexicon = buildLexicon([...knowledgeLexicon.words, ...entries.flatMap((e) => e.keywords.map((k) => k.toLowerCase()))]);
  const indexed: IndexedEntry[] = entries.map((entry) => ({
    entry,
    title: field(normalizeEntryText([entry.question, ...entry.variants, ...entry.keywords].join(' ')), lexicon),
    answer: field(normalizeEntryText(entry.answer), lexicon),
  }));
  const n = indexed.length;
  const avgTitle = indexed.reduce((s, e) => s + e.title.length, 0) / Math.max(1, n);
  const avgAnswer = indexed.reduce((s, e) => s + e.answer.length, 0) / Math.max(1, n);
  const df = new Map<string, number>();
  for (const e of indexed) for (const t of new Set([...e.title.tf.keys(), ...e.answer.tf.keys()])) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = (dfT: number) => Math.log(1 + (n - dfT + 0.5) / (dfT + 0.5));
  // Coverage weights words by how rare they are across entries' text (a substring test, so segmentation differences do not matter).
  const coverageIdf = new Map<string, number>();
  const wordIdf = (word: string): number => {
    let value = coverageIdf.get(word);
    if (value === undefined) {
      const containing = indexed.reduce((s, e) => s + (e.title.text.includes(word) || e.answer.text.includes(word) ? 1 : 0), 0);
      value = idf(containing);
      if (coverageIdf.size < 50_000) coverageIdf.set(word, value);
    }
    return value;
  };

  function score(e: IndexedEntry, queryTerms: string[]): number {
    let total = 0;
    for (const t of queryTerms) {
      const dfT = df.get(t);
      if (!dfT) continue;
      const tTitle = e.title.tf.get(t) ?? 0;
      const tAnswer = e.answer.tf.get(t) ?? 0;
      if (tTitle === 0 && tAnswer === 0) continue;
      const tf =
        (TITLE_WEIGHT * tTitle) / (1 - B + (B * e.title.length) / avgTitle) + (ANSWER_WEIGHT * tAnswer) / (1 - B + (B * e.answer.length) / avgAnswer);
      total += (idf(dfT) * tf * (K1 + 1)) / (K1 + tf);
    }
    return total;
  }

  function coverage(e: IndexedEntry, words: string[]): { confidence: number; matched: number } {
    let covered = 0;
    let all = 0;
    let matched = 0;
    for (const word of new Set(words)) {
      const weight = wordIdf(word);
      all += weight;
      if (e.title.text.includes(word)) {
        covered += weight;
        matched += 1;
      } else if (e.answer.text.includes(word)) {
        covered += ANSWER_COVERAGE * weight;
        matched += 1;
      }
    }
    return { confidence: all === 0 ? 0 : covered / all, matched };
  }

  function search(text: string, limit = 3): KnowledgeMatch[] {
    const words = knowledgeWords(text, lexicon);
    if (words.length === 0 || n === 0) return [];
    const queryTerms = terms(words);
    const ranked: { e: IndexedEntry; score: number }[] = [];
    for (const e of indexed) {
      const s = score(e, queryTerms);
      if (s > 0) ranked.push({ e, score: s });
    }
    ranked.sort((a, b) => b.score - a.score);
    return ranked.slice(0, limit).map(({ e, score: s }) => ({ entry: e.entry, score: s, ...coverage(e, words) }));
  }

  return {
    size: n,
    search,
    answer(text) {
      const [best] = search(text, 1);
      return best && best.confidence >= threshold ? best : null;
    },
  };
}
