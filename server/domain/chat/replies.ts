// The chatbot's words: short, plain Simplified Chinese, one function per answer.
import { formatChineseDate } from '../chinese-dates.ts';
import type { CalendarDate } from '../dates.ts';
import type { ProgressView, StepView } from '../progress-view.ts';
import { MAX_SMS_SEGMENTS, smsSegments } from '../sms-segments.ts';

export type ChatChannel = 'sms' | 'wechat' | 'wechat_oa' | 'kiosk' | 'web';

/** WeChat, through the bot or the Official Account: the same words to the customer. */
const isWeChat = (channel: ChatChannel) => channel === 'wechat' || channel === 'wechat_oa';

const year = (today: CalendarDate) => Number(today.slice(0, 4));
const day = (date: CalendarDate, today: CalendarDate) => formatChineseDate(date, year(today));
/** instants in a view are ISO strings in the utility's zone: their first ten characters are the local date */
const dayOf = (instant: string, today: CalendarDate) => day(instant.slice(0, 10), today);

/** How a customer answers on each channel: by SMS one replies, on WeChat one sends, at a kiosk or on the web one types. */
function answerVerb(channel: ChatChannel): string {
  return channel === 'sms' ? '回复' : channel === 'wechat' ? '发送' : '输入';
}

export function menu(channel: ChatChannel): string {
  return [`您好，我是接电助手。${answerVerb(channel)}数字或直接提问：`, ...menuItems].join('\n');
}

const menuItems = [
  '1 办理进度',
  '2 需要我准备什么',
  '3 经办人电话',
  '4 预计通电时间',
  '5 催办',
  '6 绑定户号',
  '7 转人工',
  '8 退订通知',
];

export const thanks = '不客气，有问题随时发消息给我。';

/** The fallback: at a kiosk nobody replies by SMS, so it points at the 转人工 button and the counter instead. */
export function notFound(channel: ChatChannel): string {
  if (channel === 'kiosk') return '抱歉，没有找到答案。可以换个说法试试，或点下方“转人工”由工作人员解答，也可以到窗口咨询。';
  const verb = answerVerb(channel);
  return `抱歉，没有找到答案。可以换个说法试试，或${verb}“人工”由工作人员解答；${verb}“帮助”查看我能办的事。`;
}

export const privateInGroup = '涉及个人办电信息，请私聊我查询。';

export function bindHowTo(channel: ChatChannel): string {
  const example = channel === 'sms' ? '请回复“BD+户号”，如：BD 5300123456。' : '请发送“绑定+户号”，如：绑定 5300123456。';
  return `${example}我们会向该户登记的手机发送验证码，回复验证码即可；也可回复营业厅或自助终端用的查询密码。`;
}

export function mustBind(channel: ChatChannel): string {
  return `查询办电信息需先绑定户号。${bindHowTo(channel)}`;
}

/** The same words whether or not the account exists: a sender learns nothing about accounts it cannot prove. */
export const bindCodeSent = '如户号正确，验证码已发送至该户登记的手机，10分钟内有效。请直接回复验证码；也可回复查询密码完成绑定。';
export const bindCodeThrottled = '验证码刚刚发送过，请稍候查收；1分钟后可重新获取。也可直接回复查询密码完成绑定。';
/** Too many codes asked from this address or client, or for this account: the same words either way, and for any account number. */
export const bindCodeLimited = (minutes: number) => `获取验证码的次数过多，请${minutes}分钟后再试。也可直接回复营业厅或自助终端用的查询密码完成绑定。`;
export const bindLocked = (minutes: number) => `验证码错误次数过多，绑定功能已暂停，请${minutes}分钟后再试。`;
export const codeWrong = (attemptsLeft: number) => `验证码或查询密码不正确，还可再试${attemptsLeft}次。`;
export const codeWithoutBinding = '没有待验证的绑定，验证码可能已过期。请先发送“绑定+户号”。';
export const resendWithoutBinding = '没有正在进行的绑定。请发送“绑定+户号”重新获取验证码。';
export const switchHowTo = '换绑请先发送“解绑”，再发送“绑定+新户号”。';
export const unbound = (count: number) => (count > 0 ? '已解除绑定，将不再向您推送该户的办电通知。' : '您还没有绑定户号。');

export function bound(accountNo: string, channel: ChatChannel): string {
  const where = channel === 'sms' ? '本号码' : isWeChat(channel) ? '本微信' : '本次会话';
  const notices = channel === 'sms' || isWeChat(channel) ? '办电进度会通知到' + where + '。' : '';
  return `绑定成功！户号${maskAccount(accountNo)}已绑定${where}。${notices}回复“进度”查询办理情况。`;
}

export function maskAccount(accountNo: string): string {
  return accountNo.length <= 6 ? accountNo : `${accountNo.slice(0, 4)}****${accountNo.slice(-2)}`;
}

export const notYours = '在您已绑定的户号下没有找到这个工单。如需查询其他户号，请先发送“绑定+户号”。';

export function chooseApplication(applications: ProgressView[]): string {
  const lines = applications.map((a, i) => `${i + 1} ${a.applicationNo}（${a.processName}）${a.currentStep ? `：${a.currentStep.name}` : ''}`);
  return [`您有${applications.length}个在办工单：`, ...lines, '请回复序号选择。'].join('\n');
}

function stepStatus(step: StepView, today: CalendarDate): string {
  if (step.status === 'in_progress') {
    const due = step.dueAt ? `，应于${dayOf(step.dueAt, today)}前完成` : step.plannedEnd ? `，计划${day(step.plannedEnd, today)}完成` : '';
    return `${step.name}（办理中${due}）${step.overdue ? '，已超时，可回复“催办”' : ''}`;
  }
  return `等待${step.name}开始${step.plannedStart ? `，计划${day(step.plannedStart, today)}开始` : ''}`;
}

function closedStatus(view: ProgressView): string | null {
  if (view.status === 'completed' || (view.currentStep === null && view.status !== 'cancelled' && view.status !== 'suspended')) {
    return `工单${view.applicationNo}已完成装表接电，感谢您的耐心。`;
  }
  if (view.status === 'cancelled') return `工单${view.applicationNo}已撤销。如有疑问请回复“人工”。`;
  if (view.status === 'suspended') return `工单${view.applicationNo}已暂停办理。如有疑问请回复“人工”。`;
  return null;
}

export function progress(view: ProgressView, today: CalendarDate): string {
  const closed = closedStatus(view);
  if (closed) return closed;
  const lines = [`工单${view.applicationNo}（${view.processName}）`];
  if (view.currentStep) lines.push(`当前：${stepStatus(view.currentStep, today)}`);
  if (view.nextStep) lines.push(`下一步：${view.nextStep.name}${view.nextStep.plannedStart ? `（计划${day(view.nextStep.plannedStart, today)}开始）` : ''}`);
  if (view.expectedConnectDate) lines.push(`预计通电：${day(view.expectedConnectDate, today)}`);
  return lines.join('\n');
}

function numbered(tasks: string[]): string {
  return tasks.map((t, i) => `${i + 1}.${t}`).join('；');
}

export function customerTasks(view: ProgressView): string {
  const closed = closedStatus(view);
  if (closed) return closed;
  const current = view.currentStep;
  if (current && current.customerTasks.length > 0) return `当前环节“${current.name}”需要您：${numbered(current.customerTasks)}。`;
  const next = view.nextStep;
  const now = current ? `当前环节“${current.name}”暂不需要您配合。` : '';
  if (next && next.customerTasks.length > 0) return `${now}下一环节“${next.name}”需要您：${numbered(next.customerTasks)}。`;
  return `${now}目前没有需要您准备的事项。`;
}

/** General guidance for someone not yet bound: true for every application, about nobody's in particular. */
export const customerTasksGeneral = '绑定户号后可告诉您当前环节需要配合的事项。一般报装需准备身份证明和用电地址产权证明。';

export function handlerContact(view: ProgressView): string {
  const closed = closedStatus(view);
  if (closed) return closed;
  const step = view.currentStep;
  if (!step) return '当前没有在办环节。';
  if (!step.handler) return `当前环节“${step.name}”还没有指派经办人，可回复“人工”由班组长协助。`;
  return `当前环节“${step.name}”经办人：${step.handler.name}，电话${step.handler.phone}。`;
}

export function expectedDate(view: ProgressView, today: CalendarDate, asked: CalendarDate | null): string {
  const closed = closedStatus(view);
  if (closed) return closed;
  if (!view.expectedConnectDate) return `工单${view.applicationNo}暂无预计通电日期，可回复“人工”咨询。`;
  const expected = view.expectedConnectDate;
  const lines = [`预计通电日期：${day(expected, today)}。`];
  const wanted = asked ?? view.requestedConnectDate;
  if (wanted) {
    const whose = asked ? '您问的' : '您要求的接电';
    if (expected <= wanted) lines.push(`${whose}日期${day(wanted, today)}按当前计划可以满足。`);
    else {
      const earliest = !asked && view.plan.earliestFeasibleDate ? `，最早约${day(view.plan.earliestFeasibleDate, today)}` : '';
      lines.push(`${whose}日期${day(wanted, today)}按当前计划较难满足${earliest}。如确有需要，可回复“人工”由工作人员评估。`);
    }
  }
  return lines.join('');
}

export const notActive = '该工单当前没有在办环节，无需催办。';

/** A hurry on a customer-side step (客户受电工程施工): the customer's own work, and what to do instead. */
export function customerStepNotHurried(stepName: string, customerTasks: string[], nextStepName: string | null): string {
  const tasks = customerTasks.map((t) => t.replace(/[。；;，,\s]+$/u, '')).filter(Boolean).join('；');
  const todo = tasks ? `请${tasks}` : '请按计划推进';
  const then = nextStepName ? `；具备${nextStepName}条件时，请联系经办人申请${nextStepName}` : '';
  return `当前环节“${stepName}”由您方自行办理，供电公司无法催办。${todo}${then}。如需帮助请回复“人工”。`;
}

export function hurried(reference: string, stepName: string, handlerName: string | null): string {
  const who = handlerName ? `经办人${handlerName}` : '班组长';
  return `已为您催办（编号${reference}），“${stepName}”环节的${who}会尽快处理，结果会通知您。`;
}

export function hurryCooldown(reference: string | null, retryAfterSeconds: number): string {
  const hours = Math.max(1, Math.ceil(retryAfterSeconds / 3600));
  return `该环节已在催办中${reference ? `（编号${reference}）` : ''}，请耐心等待答复；约${hours}小时后可再次催办。`;
}

export function unsubscribeHowTo(channel: ChatChannel): string {
  if (channel === 'sms') return '回复TD即可退订办电进度短信。';
  if (isWeChat(channel)) return '发送“退订”即可停止微信办电通知。';
  return '自助终端和网页不发送通知，无需退订。短信通知回复TD退订，微信通知发送“退订”。';
}

export function optedOut(channel: ChatChannel): string {
  const what = channel === 'sms' ? '本号码将不再收到办电进度短信' : '本微信将不再收到办电通知';
  return `已退订，${what}。仍可随时发消息查询；如需恢复，重新发送“绑定+户号”。`;
}

/** After muting one application: the others keep coming, and how to undo it. */
export function muted(applicationNo: string, channel: ChatChannel): string {
  const where = channel === 'sms' ? '本号码' : isWeChat(channel) ? '本微信' : '您';
  const undo = channel === 'sms' ? `回复BD ${applicationNo}` : isWeChat(channel) ? `发送“恢复通知 ${applicationNo}”` : '在申请卡片上打开“进度通知”';
  return `好的，${where}将不再收到申请${applicationNo}的进度通知，其他申请照常通知；您催办的答复仍会发给您。需要恢复请${undo}。TD可退订全部通知。`;
}

export function unmuted(applicationNo: string): string {
  return `已恢复申请${applicationNo}的进度通知。`;
}

export function consultOpened(reference: string, existing: boolean): string {
  return existing
    ? `您的人工服务请求（编号${reference}）已在处理中，工作人员会尽快联系您。`
    : `已为您转人工（编号${reference}），工作人员会在工作时间尽快联系您。紧急情况请拨打95598。`;
}

/** A new follower of the Official Account: what it can do here, starting with binding. */
export const followed = `欢迎关注！${bindHowTo('wechat_oa')}绑定后，办电进度会通过本公众号通知您。发送“帮助”查看我能办的事。`;

export const humanInGroup = '转人工请私聊我发送“人工”。';

/** A complaint (投诉风险): an apology, who is responsible now and how to reach them, the reference, and a call back. */
export function complaintRecorded(reference: string, contact: { name: string; phone: string } | null): string {
  const who = contact ? `现由${contact.name}（电话${contact.phone}）负责您的业务，` : '';
  return `非常抱歉给您带来不便！您反映的问题已记录（编号${reference}），${who}我们会尽快安排专人给您回电处理。`;
}
export const complaintInGroup = '非常抱歉给您带来不便！请私聊我说明情况，我们会安排专人联系您。';

/** The answer to a rating (回访). */
export function rated(score: number, replaced: boolean, followUp: boolean): string {
  const thanks = replaced ? `已将您的评价更新为${score}分，感谢您的反馈！` : `感谢您的评价（${score}分）！`;
  return followUp ? `${thanks}很抱歉这次办电没有让您满意，我们会在1个工作日内安排专人联系您。` : thanks;
}
export const ratingClosed = '您的评价已提交超过7天，不能再修改。感谢您的反馈！';
export const ratingNotAsked = '目前没有需要您评价的办电业务。如需帮助请回复“帮助”。';

/**
 * The replies as one SMS: the signature first (required of every SMS in mainland China), within the segments every
 * SMS we send keeps to; a longer text is cut with an ellipsis.
 */
export function smsReplyText(replies: string[], signature: string): string | null {
  if (replies.length === 0) return null;
  const full = `${signature}${replies.join('\n')}`;
  if (smsSegments(full).segments <= MAX_SMS_SEGMENTS) return full;
  const chars = Array.from(full);
  let keep = chars.length - 1;
  while (keep > signature.length && smsSegments(`${chars.slice(0, keep).join('')}…`).segments > MAX_SMS_SEGMENTS) keep -= 1;
  return `${chars.slice(0, keep).join('')}…`;
}
