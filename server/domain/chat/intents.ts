// What a customer wants (API.md §5 intents): exact short commands first, then weighted phrase rules over the
// normalised text and its words, with the knowledge base's confidence standing in for `faq`.
import { extractEntities, isApplicationNo, type Entities } from './entities.ts';
import type { KnowledgeIndex, KnowledgeMatch } from './knowledge-base.ts';
import { normalize, onlyEmoji, type NormalizedText } from './normalize.ts';
import type { CalendarDate } from '../dates.ts';

export const intentNames = [
  'bind_account',
  'query_progress',
  'hurry',
  'customer_tasks',
  'handler_contact',
  'expected_date',
  'faq',
  'unsubscribe',
  'human',
  'complaint',
  'rating',
  'greeting',
  'unknown',
] as const;
export type Intent = (typeof intentNames)[number];

/** Intents answered from the customer's own application. */
export const applicationIntents = ['query_progress', 'hurry', 'customer_tasks', 'handler_contact', 'expected_date'] as const;
export type ApplicationIntent = (typeof applicationIntents)[number];
export function isApplicationIntent(intent: Intent): intent is ApplicationIntent {
  return (applicationIntents as readonly string[]).includes(intent);
}

/** Carriers' and Twilio's opt-out words, matched as the whole message (STOP, not "don't stop"). */
export const optOutKeywords = ['stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit', 'revoke', 'optout'] as const;

/**
 * Opt-out as a verb of stopping or refusing with what we send as its object: 停止/不要/别/不想/取消/拒收/关掉 +
 * (再/给我/这些…) + 发/推送/收到/短信/信息/消息/通知. Only the few filler words between them, so "不要给我打电话，发短信就行"
 * (the 发 belongs to another clause) is not one; 发 is not 发材料/发票/发到 (what or where, not whether, we send).
 */
const STOP_VERB = '(?:唔好|唔要|唔使|停止|停掉|停发|停推|停|不要|不用|无需|不必|不需要|不想|不愿意?|不再|别(?!的|人|处|家|墅)|莫|甭|取消|拒收|拒绝|关掉|关闭|关了|屏蔽|退掉)';
const STOP_FILLER = '(?:再|又|给|向|对|帮|我|你们|你|们|这些|那些|这种|这类|这个|此类|任何|所有|的|了|都|也|就|老是?|总是?|一直|天天|每天)';
const MESSAGE_OBJECT =
  '(?:发(?!票|材料|资料|照片|图片|文件|证|火|电|生|现|展|布|放|言|烧|动|到|去|给(?:经办|师傅|工作人员|别人|他|她))|传(?=讯息|短信|信息|消息|简讯)|推送|推(?!进|荐|迟|脱|诿|辞|托|三)|收到|接收|收(?=短信|信息|消息|通知|简讯)|通知|提醒|短信|信息|消息|简讯|讯息|骚扰|打扰)';
const optOutPhrase = new RegExp(`${STOP_VERB}${STOP_FILLER}{0,4}${MESSAGE_OBJECT}`);
/** The object first: "信息别再推了", "通知不用发了", "短信停了吧". */
const optOutObjectFirst = /(?:短信|信息|消息|通知|提醒|推送|简讯|讯息)(?:就|都|也)?(?:别|不要|不用|不必|甭|停|关|取消|退)(?:再|了|掉|发|推|吧|啦)/;
/** The same in English, beyond the carriers' whole-message words: "please stop texting me", "unsubscribe me". */
const optOutEnglish = /(?<!dont|not|never|nt)(?:stop|quit|cease)(?:sending|texting|messaging|txting|textme|messageme|the(?:texts|messages|sms))|unsubscribeme|nomore(?:texts|messages|sms)|dont(?:text|message|sendme)|optmeout|removeme/;
/**
 * Not receiving what we send is a problem for a person to look at, not a wish to stop: "短信收不到", "没收到通知".
 * (A missing verification code is binding's: bindAction's resend.)
 */
const notReceiving = /^(?!.*验证码)(?:.*?)(?:收不到|没收到|没有收到|未收到|接收不到|收不了|没(?:有)?(?:发|推送)(?:过|给我)?)(?!验证码).{0,4}(?:短信|信息|消息|通知|提醒|简讯)|^(?!.*验证码).*(?:短信|信息|消息|通知|提醒|简讯)(?:一直|都|也|怎么)?(?:收不到|没收到|没有收到|没来|没发)/;

/**
 * Hurry is a complaint about slowness as much as a request to speed up: 慢 (not 慢慢来, 慢走, 慢点), dawdling,
 * low efficiency, a long wait, "why still not". Telling us not to hurry ("不着急", "别催我") is the opposite.
 */
const SLOW = /(?<!慢)慢(?!慢|走|点|一点|用|性)/;
/** A question about what unsubscribing does ("退订后还能查吗") is the knowledge base's, not a request. */
const aboutUnsubscribing = /(?:退订|取消订阅)(?:了|后|以后|之后|完)(?:.*(?:吗|么|呢)$|.*(?:还能|还会|能不能|可不可以|怎么恢复|重新))/;
const notHurrying = /(?<!等)(?:不|别|不用|不必|甭|无需|莫)(?:太|那么|用|要|再|老|总)?(?:着急|急|催|赶)|催我|(?:我|你)(?:不|没)(?:着)?急/;

/** Asking for notices again ("恢复通知", "重新通知我"): what binding again does, so it is bind_account's. */
const RESUME_NOTICES = /恢复(?:通知|推送|提醒|短信|消息)|重新(?:通知|推送|接收|发通知)|继续(?:通知|推送)|打开(?:进度)?通知/;
/**
 * Complaint and escalation language (投诉风险): 投诉, the 12345 / 12398 / 95598 hotlines (95598 only when calling it: it
 * is also the service line customers ask about), the press and exposure, officials sought out (找你们领导, not 项目经理
 * or 物业主任 named in passing, and never 客户经理, the customer's own contact), petitioning and reporting. A bare 热线,
 * 新闻, 政府, 抖音 or 电视台 is no complaint ("你们的服务热线是多少", "我在新闻里看到…").
 */
const COMPLAINT = new RegExp(
  [
    '投诉',
    '(?<!\\d)(?:12345|12398)(?!\\d)',
    '(?:打|拨|找|向|给|call)了?95598',
    '曝光|媒体|记者|报社|上访|信访|举报|告你们|告到|评评理|讨个说法|要个说法',
    '(?:市长|市民|投诉|政府|监督)热线|市长信箱',
    '(?:找|上|叫|请|去|联系)(?:了)?(?:电视台|电视|新闻|报纸)',
    '(?:发|挂|曝|传|放)(?:到|在|上)?(?:网上|抖音|微博|朋友圈|快手|小红书)',
    '领导',
    '(?:你们|你们的|你们单位的?|你们公司的?|贵公司的?)(?:经理|主任|所长|局长|老总|书记|上级)',
    '(?:找|向|去|到|报给|告到|反映给|反映到)(?:政府|上级|能源局|监管)|(?:政府|上级|能源局|监管)部门|上报',
    '报道',
  ].join('|'),
);
/**
 * Hotline numbers said in words ("九五五九八", "幺二三四五"; normalising makes 幺 么), read as digits for COMPLAINT; not a
 * count ("一二三四五天").
 */
const SPOKEN_DIGITS: Record<string, string> = { 幺: '1', 么: '1', 一: '1', 二: '2', 两: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9', 零: '0', 〇: '0' };
const spokenNumbers = (compact: string) => compact.replace(/[幺么一二两三四五六七八九零〇]{5,}(?![天个月年号日次分遍步点块元条周岁])/g, (run) => [...run].map((c) => SPOKEN_DIGITS[c]).join(''));

/** Whether a message holds complaint or escalation language, whatever else it says (judged on every message). */
export function complaintLanguage(compact: string): boolean {
  return COMPLAINT.test(spokenNumbers(compact));
}

/**
 * An explicit request to stop our messages (退订, TD, 别再发…): it is carried out even when the message also
 * complains ("退订，再发我就投诉"), the complaint being recorded beside it.
 */
const EXPLICIT_OPT_OUT = [/退订|退定/, /(?<![a-z])td(?![a-z])/, /取消(?:订阅|通知|推送|提醒|短信|消息)|关闭(?:消息|通知|提醒|推送|短信)/, optOutPhrase, optOutObjectFirst, optOutEnglish];

/** The short SMS commands, the whole message. */
const commands: [RegExp, Intent][] = [
  [/^jd(?:\d{6,20})?$/, 'query_progress'],
  [/^cb(?:\d{6,20})?$/, 'hurry'],
  [/^td$/, 'unsubscribe'],
  // TD/BD followed by an application number: mute / unmute that application (免打扰)
  [/^td[a-z]{1,6}[-_]?\d{4}[-_]?\d{2,8}$/, 'unsubscribe'],
  [/^bd[a-z]{1,6}[-_]?\d{4}[-_]?\d{2,8}$/, 'bind_account'],
  [/^bd(\d{6,20})?$/, 'bind_account'],
  [new RegExp(`^(?:${optOutKeywords.join('|')})$`), 'unsubscribe'],
  [/^(?:帮助|菜单|help|menu|帮助菜单|功能菜单)$/, 'greeting'],
];

/** Asking when: question words, and festivals or relative days said as a deadline (春节前, 月底). */
const TIME_WORDS =
  /什么时候|啥时候|啥时|什么时间|几时|哪天|几号|何时|多久|多长时间|几天|哪一天|多会儿|(?:春节|过年|元旦|国庆|五一|端午|中秋|年底|年前|月底|下个?月|下周|下星期|明天|后天|这周|本周|今年|年内|本月|这个月|[\d一二三四五六七八九十]{1,2}月(?:份|底|初|中旬|上旬|下旬)?|[\d一二三四五六七八九十]{1,3}[号日])(?:前|之前|以前|能|可以|内|之内)/;

type ScoredIntent = Exclude<Intent, 'faq' | 'unknown'>;

/**
 * Short, colloquial and dialect-flavoured asks (issue 12 item 13): "电什么时候通", "找谁", "查查我的", "咋样了" carry
 * none of the formal nouns (经办人, 进度, 接电日期) the rules above wait for, so each gets a rule of its own.
 */
const WHEN = '(?:什么时候|什么时侯|啥时候|啥时|啥子时候|么子时候|莫子时候|什么时间|几时|哪天|哪一天|几号|何时|多久|多长时间|多少天|几天|哪阵子?|好久(?=能|才|可以|会))';
const colloquial: Partial<Record<ScoredIntent, Rule[]>> = {
  expected_date: [
    // when + a verb of power coming: "电什么时候通", "啥时候能装上表", "多久能通"
    { pattern: new RegExp(`${WHEN}(?:能|可以|才能|才|会|给我|给|来|要)?(?:通|来|有|接|送|装|弄好|弄完|搞好|办完|好|到)`), weight: 2 },
    // power (or the meter) first, then when: "电几号来", "电表哪天能装"
    { pattern: new RegExp(`(?<!办|用|停|供)电(?:表)?.{0,4}${WHEN}`), weight: 1.5 },
    { pattern: /(?:还|还要|还得|要)等(?:多少天|几天|多久|多长时间|到什么时候|到啥时候)/, weight: 2.5 },
    { pattern: /(?:赶(?:得)?上|按时|准时)(?:.{0,4})(?:不|吗|么|没|不了)?$|能按时|能准时/, weight: 1.5 },
  ],
  handler_contact: [
    { pattern: /(?:问|打|联系|问问)谁|谁(?:在)?(?:管|弄|搞|装|做)|归谁|哪个管|谁的电话/, weight: 4 },
    // the rules above already give 找谁 2.5
    { pattern: /找谁/, weight: 2 },
    { pattern: /(?:给|留|发|报)(?:我)?(?:个|一个|下)?(?:[^打回]{0,4})(?:电话|号码|手机号|联系方式)(?!.{0,2}(?:给我|打))/, weight: 2.5 },
    { pattern: /(?:咋|咋个|怎么样)联系(?!我)|联系(?:你们的|你们|办事的|经办的|负责的)人/, weight: 2.5 },
  ],
  query_progress: [
    { pattern: /^(?:帮我|帮忙|给我)?(?:查查|查一下|查下|看看|看一下|瞧瞧)(?:我|我的|我家|我家的|我们的?)$/, weight: 3.5 },
    { pattern: /^(?:现在|那个|我的|我家的?|电|我的电|我家的?电)?(?:咋样|怎么样|如何|啥情况|什么情况)了(?:呢|啊|呀|嘛)?$/, weight: 3 },
    { pattern: /进度呢|到哪步/, weight: 1 },
  ],
  hurry: [{ pattern: /抓点紧|抓紧点|抓紧些|麻溜|利索点|紧着点/, weight: 3.5 }],
  customer_tasks: [{ pattern: /(?:还)?差(?:什么|啥|哪些|些啥)/, weight: 3 }],
};



interface Rule {
  pattern: Pick<RegExp, 'test'>;
  weight: number;
}

/**
 * Phrase rules over NormalizedText.compact. A rule adds its weight once however often it matches; an intent's score
 * is the sum of its matching rules. Weights: 4–5 says the intent by itself, 2–3 a strong cue, 1–1.5 a hint.
 */
const rules: Record<ScoredIntent, Rule[]> = {
  query_progress: [
    { pattern: /进度|进展/, weight: 4 },
    { pattern: /到哪|哪一步|哪个(?:环节|阶段|步骤|流程)|(?:什么|啥)(?:环节|阶段|程度|状态)|走到|办到|处理到/, weight: 4 },
    { pattern: /(?:办|弄|搞|处理|进行|审|做|装|报|申请)(?:得|的)?.{0,3}(?:怎么样|咋样|如何|怎样|顺利)/, weight: 3 },
    { pattern: /(?:好|完|下来|结束|完成|搞定|办结)了(?:吗|没|么|没有)/, weight: 3 },
    { pattern: /过了(?:吗|没|么|没有)|有(?:消息|结果|回音|答复|回复|进展|动静)了?(?:吗|没|么|没有)/, weight: 3.5 },
    { pattern: /(?:^|帮我|帮忙|我要|我想)查(?!询密码|.{0,2}(?:电费|余额|话费))/, weight: 1 },
    { pattern: /(?:怎么样|咋样|如何)了/, weight: 1 },
    { pattern: /(?:办|弄|做|处理|审核|审批|批|装|勘查)(?:好|完|下来)了?(?:没|吗|么|未|了没|没有)/, weight: 3.5 },
    { pattern: /(?:通过|审核|审批|受理|答复|出来|批)了?(?:吗|没|么)/, weight: 3.5 },
    { pattern: /状态|情况/, weight: 1.5 },
    { pattern: /工单|单子|申请单|业扩/, weight: 1 },
    { pattern: /我的?(?:申请|业务|工单|单子|报装|新装|增容)|我家的?(?:申请|报装|用电申请)/, weight: 1.5 },
    { pattern: /有人(?:在)?(?:处理|办|跟|管)/, weight: 2 },
    { pattern: /(?:查|看|了解)(?:一下|下|看|询)?(?:我的|我家的)?(?:申请|工单|业务|办理|用电申请|单子)/, weight: 2 },
    { pattern: /查询|查一下|查下|查看|查查/, weight: 1 },
  ],
  hurry: [
    { pattern: /催/, weight: 4.5 },
    { pattern: /加急|加快|尽快|抓紧|赶紧|赶快|快点|快一点|快一些|快些|麻利点|提速/, weight: 3.5 },
    { pattern: /太慢|这么慢|好慢|真慢|很慢|慢死|慢吞吞|效率(?:太)?低/, weight: 3.5 },
    { pattern: SLOW, weight: 3 },
    { pattern: /磨蹭|磨叽|磨唧|墨迹|磨洋工|拖拉|拖沓|拖延|拖着|一拖再拖|推三阻四|踢皮球/, weight: 3.5 },
    { pattern: /进度.{0,3}慢|慢.{0,2}进度/, weight: 2 },
    { pattern: /效率(?:也|真|太|好|很|这么|那么|实在)*(?:低|差|慢|不行)|(?:没|没有|什么|啥)效率|效率呢/, weight: 3.5 },
    { pattern: /(?:等|拖)了?(?:这么|太|很|好|那么)?久|拖了|拖拖拉拉/, weight: 2.5 },
    { pattern: /等了.{0,5}(?:天|周|星期|礼拜|月|年)|(?:都|已经)(?:快|有)?[\d一二两三四五六七八九十半几]+(?:多)?(?:个)?(?:多)?(?:天|周|星期|礼拜|月|年)了/, weight: 2.5 },
    { pattern: /(?:怎么|咋|为什么|为啥|到现在|至今|到今天)(?:都)?(?:还|还是)(?:没|未|不)|还(?:是)?没(?:有)?人/, weight: 2.5 },
    { pattern: /早点|早一点|早些|上点心|上心点|花(?:儿)?都谢了|到底(?:还)?(?:办不办|装不装|管不管)/, weight: 3 },
    { pattern: /等不了|等不及|等不急|耽误/, weight: 3 },
    { pattern: /着急|很急|急用|急着|急需|急死|急{2,}/, weight: 3 },
    { pattern: /优先(?:处理|办理|安排|考虑)/, weight: 3.5 },
    { pattern: /督促|督办/, weight: 3.5 },
    { pattern: /(?:加快|催|推进|抓紧|加速)(?:一下)?(?:办理)?(?:的)?进度/, weight: 2 },
    { pattern: /(?:还|怎么还|咋还)(?:是)?(?:没|没有)(?:好|办好|弄好|动静|装|来|处理|办|消息)/, weight: 2 },
    { pattern: /没动静|没人(?:管|理|处理|来)|没反应/, weight: 2.5 },
    { pattern: /超时|超期|逾期/, weight: 2 },
  ],
  customer_tasks: [
    { pattern: /配合/, weight: 3 },
    { pattern: /准备/, weight: 2 },
    { pattern: /(?:准备|提供|提交|交|补|带|签|填)(?:什么|啥|哪些|些什么|些啥|什么样)/, weight: 3 },
    { pattern: /材料|资料|文件|证件|东西/, weight: 1.5 },
    { pattern: /(?:需要|要)我|我.{0,3}(?:需要|要|得|该|应该)(?:做|干|准备|提交|交|带|签|配合|补|提供)|我这边|客户这边|我方/, weight: 2.5 },
    { pattern: /(?:做|干)(?:什么|啥|嘛|哪些|些什么)/, weight: 1.5 },
    { pattern: /待办|事项/, weight: 2.5 },
    { pattern: /缺(?:什么|啥|哪些)|补(?:材料|资料|交)/, weight: 3 },
    { pattern: /本人(?:到场|去|来|在场)|到场/, weight: 2.5 },
    { pattern: /设备清单/, weight: 2 },
  ],
  handler_contact: [
    { pattern: /经办人|办理人|承办人|负责人|客户经理|跟进人|对接人|联系人|办理人员|承办人员|经办|承办/, weight: 3.5 },
    { pattern: /联系方式|联络方式|联系电话|手机号|电话号码|号码|电话|手机/, weight: 1.5 },
    { pattern: /谁(?:在)?(?:办|负责|跟|处理|对接|来)|是谁|哪位|哪个(?:工作人员|师傅|人)|找谁/, weight: 2.5 },
    { pattern: /师傅|工作人员/, weight: 1 },
    { pattern: /(?:人员|师傅|的人)(?:的)?(?:电话|手机|联系方式|号码)/, weight: 2.5 },
    { pattern: /(?:怎么|如何|怎样)联系(?!我)|联系(?:一下)?(?:经办|负责|办理|客户经理)/, weight: 2.5 },
    { pattern: /负责(?:的|我)|办(?:我|理)(?:这个|的)?(?:单|业务|申请)/, weight: 1 },
    { pattern: /名字|姓名|叫什么/, weight: 1.5 },
    { pattern: /对接|跟进/, weight: 2 },
  ],
  expected_date: [
    { pattern: TIME_WORDS, weight: 2 },
    { pattern: /通电|送电|来电|接电|用电|用上电|接上电|通上电|装表|装电表|装好|办完|完成|办好|投产|有电/, weight: 1.5 },
    { pattern: /预计|计划|大概|预期/, weight: 1.5 },
    { pattern: /日期|时间/, weight: 1 },
    { pattern: /来得及|赶得上|赶得及|能满足|满足吗|能不能满足|赶趟/, weight: 3 },
    { pattern: /最快|最早/, weight: 1.5 },
  ],
  unsubscribe: [
    { pattern: /退订|退定/, weight: 5 },
    { pattern: /取消(?:订阅|通知|推送|提醒|短信|消息|关注)|关闭(?:消息|通知|提醒|推送|短信)/, weight: 5 },
    { pattern: optOutPhrase, weight: 4.5 },
    { pattern: optOutObjectFirst, weight: 4.5 },
    { pattern: optOutEnglish, weight: 5 },
    { pattern: /(?<![a-z])td(?![a-z])/, weight: 5 },
    { pattern: /(?:短信|信息|消息|通知|推送).{0,4}(?:烦|骚扰|吵)|(?:天天|每天|老是|总是|一直|成天)(?:给我)?(?:发|推)(?:短信|信息|消息|通知)?.{0,3}烦/, weight: 3 },
    { pattern: /拒收|屏蔽/, weight: 4 },
    { pattern: /不(?:想|愿意)(?:再)?(?:收到|接收|收)|不再(?:接收|收到|发送|推送)/, weight: 4 },
    { pattern: /(?:短信|消息|通知|信息|推送)(?:也|实在)?(?:太多|好多|很多|很烦|烦死|太频繁|频繁|太勤)/, weight: 3 },
    { pattern: /退掉/, weight: 2.5 },
  ],
  human: [
    { pattern: /人工|真人|坐席/, weight: 5 },
    { pattern: /客服/, weight: 3 },
    { pattern: /班长|班组长|主管/, weight: 3.5 },
    { pattern: /态度(?:差|不好|恶劣)/, weight: 2.5 },
    { pattern: /机器人|听不懂|答非所问|换人|换个人|找个人|找人|(?:和|跟|同)(?:真)?人(?:说|聊|讲|谈)|你不懂|你不明白/, weight: 3 },
    { pattern: /联系我|打电话给我|给我打电话|回电|回个电话|打给我|回复我/, weight: 4 },
    { pattern: /给我打(?:个)?电话|打(?:个)?电话给我|给我回(?:个)?电话/, weight: 1.5 },
    { pattern: notReceiving, weight: 4 },
    { pattern: /催我|(?:不|别|不用|不必|甭)(?:要|再|老|总)?催/, weight: 3 },
    { pattern: /(?:通知|短信|消息|信息)?(?:发|推送)(?:到|给)(?:另|别的|其他|新|我的?另)/, weight: 4.5 },
    { pattern: /沟通|说话|谈谈|当面/, weight: 2 },
    { pattern: /反映|意见/, weight: 2.5 },
    { pattern: /撤销|撤回|取消(?:申请|报装|工单|业务|预约|勘查|装表)|不想(?:装|接电|用电|办|申请)|不(?:装|接电|用电|办)了|不要(?:装|接电|办)/, weight: 4 },
    { pattern: /(?:改|修改|更改|变更|调整)(?:一下)?.{0,4}(?:日期|时间|信息|地址|电话|号码|容量|名字|申请)|填错|写错/, weight: 4.5 },
    { pattern: /(?:找|要|安排)(?:个)?工作人员/, weight: 3 },
  ],
  complaint: [
    // what a complaint names: the complaint hotlines (never inside a longer number, e.g. an account number), the press,
    // officials, petitioning; weighted to beat every other intent (a score given with it too), but an explicit opt-out
    // (classify lowers it then)
    { pattern: { test: complaintLanguage }, weight: 8 },
  ],
  rating: [
    // a score first ("2 太慢了") outweighs the slowness it complains of: the customer is answering 回复1-5评价
    { pattern: /^[1-5](?:分|星|颗星)?(?![\d月号日天点个年周万千百期楼栋层室元块套台户米度次遍趟钟小:：.])/, weight: 7 },
    { pattern: /(?:打|给|评|评价|评分|打分)(?:个|了)?(?:[1-5](?![\d])|[一二两三四五](?=分|星|颗星))|[1-5一二两三四五](?:分|颗星)(?!钟)|[一二三四五]星/, weight: 6 },
    { pattern: /满意|好评|差评|满分|五星/, weight: 7 },
    { pattern: /^一般(?:般)?(?:吧|啦|了)?$/, weight: 5 },
  ],
  bind_account: [
    { pattern: /绑|关联/, weight: 5 },
    { pattern: /(?:添加|增加|新增|加个?)户号/, weight: 4 },
    { pattern: RESUME_NOTICES, weight: 5 },
    { pattern: /验证码/, weight: 4 },
    { pattern: /户号|账户|账号/, weight: 1 },
  ],
  greeting: [
    { pattern: /^(?:你好|您好|hi|hello|hey|哈喽|哈啰|嗨|在吗|在不在|在么|早|早上好|上午好|中午好|下午好|晚上好|早安|晚安)/, weight: 2.5 },
    { pattern: /谢谢|多谢|感谢|thanks|thank|thx/, weight: 2.5 },
    { pattern: /^(?:好的?|嗯+|ok|okay|收到|知道了|明白了?|行|好吧|嗯嗯好的?)/, weight: 2.5 },
    { pattern: /帮助|菜单|你会什么|有什么功能|功能|你是谁|你是什么|能帮(?:我)?(?:做|干|办)?(?:什么|啥|些什么)|你(?:能|会|可以)(?:做|干|办)?(?:什么|啥)|能(?:做|干)(?:什么|啥)/, weight: 3 },
  ],
};

/** Words that make a question one about rules in general (faq) rather than about the customer's own application. */
const generalityRules: Rule[] = [
  { pattern: /一般|通常|规定|标准|正常情况/, weight: 2 },
  { pattern: /是什么|什么意思|是干什么|干什么的|指什么|是啥/, weight: 2 },
  {
    pattern:
      /(?:怎么|如何|怎样|咋)(?:在网上|网上)?(?:申请|办理|办|预约|签|交|缴|查|报修|下载|销户|过户|开通|投诉|并网|算|收费|弄|注册)|流程|手续/,
    weight: 2,
  },
  {
    pattern:
      /居民|企业|公司|商铺|店铺|门面|门店|商户|厂房|高压|低压|小微|双电源|单电源|商业|充电桩|光伏|临时用电|增容|减容|暂停|过户|更名|销户|三相|峰谷|租|新房|工地|房产证|营业厅|95598|网上国网|掌上电力|app|电费|停电|断电|没电|报修|合同|竣工|验收|检验|中间检查|施工|设计|方案|容量|资质|委托|代办|节假日|工作日|一证受理|受理/,
    weight: 2,
  },
  { pattern: /(?:后|以后|之后)(?:多久|还|怎么|能)/, weight: 2 },
  { pattern: /收费|费用|多少钱|要钱/, weight: 1.5 },
  { pattern: /(?<!联系|联络)方式|渠道|途径|方法/, weight: 1.5 },
];

/** Words that tie a question to the customer's own application. */
const personalRules: Rule[] = [
  { pattern: /我的|我这|我那|我们的/, weight: 1 },
  { pattern: /现在|目前|还要|还需要|还缺|下一步|这一步|这个环节/, weight: 1.5 },
  { pattern: /要我|需要我|让我/, weight: 1.5 },
  // "出来了吗", "好了没有": asking whether something has happened yet is about one's own case
  { pattern: /了(?:吗|么|没|没有)$/, weight: 2.5 },
];

/** Questions a person asks about their own application (tasks, dates, contacts) yield to a general question about a type of case. */
const personalIntents: Intent[] = ['customer_tasks', 'expected_date', 'handler_contact'];

/** Other utilities and services customers mix up with us: nothing here is about electricity connections. */
const otherServices = /水费|燃气|煤气|天然气|自来水|停水|宽带|话费|流量|快递|外卖|物业费|暖气|供暖|有线电视|网费|机票|火车票|天气/;

/** Below this no intent is recognised (the reply offers the menu and a person). */
const MIN_SCORE = 2.5;

export interface Understanding {
  intent: Intent;
  normalized: NormalizedText;
  entities: Entities;
  /** the knowledge base's best answer when it is confident (set whatever the intent) */
  knowledge: KnowledgeMatch | null;
  /** complaint or escalation language anywhere in the message, whatever the intent (a complaint-risk signal) */
  complaint: boolean;
  /** the rule scores, for evaluation and debugging */
  scores: Partial<Record<Intent, number>>;
  /** how the intent was found */
  via: 'command' | 'entity' | 'rules' | 'knowledge' | 'none';
}

function sum(list: Rule[], text: string): number {
  let total = 0;
  for (const rule of list) if (rule.pattern.test(text)) total += rule.weight;
  return total;
}

export interface ClassifyOptions {
  knowledge: KnowledgeIndex;
  today: CalendarDate;
}

export function understand(raw: string, options: ClassifyOptions): Understanding {
  return classify(normalize(raw), options);
}

export function classify(normalized: NormalizedText, options: ClassifyOptions): Understanding {
  const { compact } = normalized;
  const entities = extractEntities(normalized.plain, options.today);
  const complaint = complaintLanguage(compact);
  const result = (intent: Intent, via: Understanding['via'], scores: Understanding['scores'] = {}, knowledge: KnowledgeMatch | null = null): Understanding => ({
    intent,
    normalized,
    entities,
    complaint,
    knowledge,
    scores,
    via,
  });

  if (compact === '') {
    if (/[?？]/.test(normalized.raw) || onlyEmoji(normalized)) return result('greeting', 'command');
    return result('unknown', 'none');
  }
  for (const [pattern, intent] of commands) if (pattern.test(compact)) return result(intent, 'command');

  // A message that is only a number: an account or application number asks for progress, a 6-digit one is a code.
  if (/^\d+$/.test(compact) || isApplicationNo(normalized.plain.replace(/\s/g, ''))) {
    if (entities.accountNos.length === 1 || entities.applicationNos.length === 1) return result('query_progress', 'entity');
    if (entities.codes.length === 1) return result('bind_account', 'entity');
  }

  const scores: Partial<Record<Intent, number>> = {};
  const foreign = otherServices.test(compact);
  for (const intent of Object.keys(rules) as ScoredIntent[]) {
    let score = sum(rules[intent], compact) + sum(colloquial[intent] ?? [], compact);
    if (score > 0 && foreign && intent !== 'greeting') score -= 4;
    if (score !== 0) scores[intent] = score;
  }
  addEntityCues(scores, entities, compact);
  // "短信收不到" names our messages but asks for them; "不着急", "别催我" name hurry but say the opposite.
  if (scores.unsubscribe && notReceiving.test(compact)) scores.unsubscribe -= 5;
  if (scores.hurry && notHurrying.test(compact)) scores.hurry -= 6;
  if (scores.unsubscribe && aboutUnsubscribing.test(compact)) scores.unsubscribe -= 3;
  // An explicit opt-out is carried out whatever else the message says; a complaint outweighs a score given with it
  // (the service records the complaint beside the opt-out, and the rating beside the complaint).
  if (scores.complaint && EXPLICIT_OPT_OUT.some((pattern) => pattern.test(compact)) && !aboutUnsubscribing.test(compact)) delete scores.complaint;
  if (scores.complaint && scores.rating) scores.rating = Math.min(scores.rating, scores.complaint - 1);
  // "改一下接电日期" is a change for a person to make, not a question about the date.
  if ((scores.human ?? 0) >= 4.5 && scores.expected_date) scores.expected_date -= 3;

  const general = sum(generalityRules, compact);
  const personal = sum(personalRules, compact);
  if (general >= 2 && personal === 0) {
    for (const intent of personalIntents) if (scores[intent]) scores[intent] *= 0.6;
  }
  const knowledge = foreign ? null : options.knowledge.answer(normalized.text);
  if (knowledge) {
    // A confident answer is a candidate; whether it beats an application intent depends on how general the question
    // is, and on how much of it the entry matched (one shared word is weak evidence).
    const evidence = Math.min(1, knowledge.matched / 2);
    scores.faq = 1 + 2.5 * knowledge.confidence * evidence + general - personal;
  }

  let best: Intent = 'unknown';
  let bestScore = -Infinity;
  for (const intent of intentNames) {
    const score = scores[intent];
    if (score !== undefined && score > bestScore) {
      best = intent;
      bestScore = score;
    }
  }
  if (bestScore < MIN_SCORE) return result('unknown', 'none', scores, knowledge);
  return result(best, best === 'faq' ? 'knowledge' : 'rules', scores, knowledge);
}

function addEntityCues(scores: Partial<Record<Intent, number>>, entities: Entities, compact: string): void {
  const add = (intent: Intent, weight: number) => {
    scores[intent] = (scores[intent] ?? 0) + weight;
  };
  if (entities.accountNos.length > 0 || entities.applicationNos.length > 0) add('query_progress', 1.5);
  if (entities.codes.length > 0 && !/\d{7,}/.test(compact)) add('bind_account', 2);
  if (entities.dates.length > 0) {
    add('expected_date', /通电|送电|来电|接电|用电|用上电|装表|投产|有电/.test(compact) ? 2.5 : 0.5);
  }
  const time = TIME_WORDS.test(compact);
  const power = /通电|送电|来电|接电|用电|用上电|接上电|通上电|装表|装电表|装好|办完|完成|办好|投产|有电/.test(compact);
  if (time && power) add('expected_date', 1.5);
}

// --- what to do within an intent ------------------------------------------------------------------------------

/** "怎么退订", "如何绑定": the customer asks how, rather than asking us to do it. */
export function asksHow(compact: string): boolean {
  return /^(?:请问)?(?:怎么|如何|怎样|咋|怎么样才能|在哪)|(?:怎么|如何|怎样)(?:才能)?(?:退订|绑定|绑|取消|关联|解绑)|(?:退订|绑定)(?:的)?(?:方法|步骤|方式)/.test(compact);
}

/**
 * The one application a message about notices names, when it names one: `TD YX2026-0001`, `BD YX2026-0001` (also
 * written together), or an application number in the text. Null when it names none.
 */
export function namedApplication(compact: string, entities: Entities): string | null {
  const command = /^(?:td|bd)([a-z]{1,6}[-_]?\d{4}[-_]?\d{2,8})$/.exec(compact);
  if (command) return command[1]!.toUpperCase();
  return entities.applicationNos.length === 1 ? entities.applicationNos[0]! : null;
}

/** "这个申请不用再通知我了": a stop of one application's notices rather than of the whole channel. */
export function aboutOneApplication(compact: string): boolean {
  return /(?:这个|这|该|此|这一)(?:个)?(?:申请|工单|单子?|业务|报装|户)|(?:申请|工单)(?:的)?(?:通知|消息|短信)/.test(compact);
}

/** "恢复通知", "重新通知我": asking for notices again. */
export function asksToResume(compact: string): boolean {
  return RESUME_NOTICES.test(compact);
}

export type BindAction = 'unbind' | 'switch' | 'resend' | 'code' | 'bind' | 'how';

/** Which part of binding a bind_account message asks for. */
export function bindAction(compact: string, entities: Entities): BindAction {
  if (/解绑|解除绑定|取消绑定|解除关联|取消关联/.test(compact)) return 'unbind';
  if (/换绑|更换绑定|改绑/.test(compact) && entities.accountNos.length === 0) return 'switch';
  if (/(?:没|未)收到|重新发|再发|重发|过期|失效/.test(compact) && entities.accountNos.length === 0) return 'resend';
  if (entities.accountNos.length > 0) return 'bind';
  if (entities.codes.length > 0) return 'code';
  return 'how';
}

export type GreetingKind = 'thanks' | 'menu';

export function greetingKind(compact: string): GreetingKind {
  return /谢谢|多谢|感谢|thanks|thank|thx|^(?:好的?|嗯+|ok|okay|收到|知道了|明白了?|行|好吧|嗯嗯好的?)$/.test(compact) ? 'thanks' : 'menu';
}
