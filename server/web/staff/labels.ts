// Chinese names for the API's codes, as staff read them.
export const hurryStatusNames: Record<string, string> = { open: '待处理', acknowledged: '已确认', answered: '已回复', escalated: '已督办' };
export const channelNames: Record<string, string> = { kiosk: '自助终端', web: '网页', sms: '短信', wechat: '微信', wechat_oa: '微信服务号', log: '日志' };
export const alertLevelNames: Record<string, string> = { warning: '预警', overdue: '超期' };
export const deliveryNames: Record<string, string> = { pending: '待发送', sending: '发送中', sent: '已发送', delivered: '已送达', failed: '发送失败', dead: '放弃发送', superseded: '已被取代，未发送' };
export const noticeKindNames: Record<string, string> = {
  step_started: '环节开始',
  plan_created: '计划告知',
  plan_changed: '计划变更',
  hurry_received: '催办受理',
  hurry_for_handler: '催办提醒',
  hurry_answered: '催办答复',
  escalation: '督办',
  sla_warning: '时限预警',
  sla_overdue: '超期提醒',
  connected: '接电完成',
  bind_code: '绑定验证码',
  weekly_digest: '每周汇总',
  chat_reply: '聊天回复',
  risk_urgent: '紧急风险',
  monthly_report: '月度曝光台',
};
export const roleNames: Record<string, string> = { handler: '经办人', team_lead: '班长', admin: '管理员' };
export const escalationReasons: Record<string, string> = { unacknowledged: '超时未确认', repeated: '客户多次催办' };
export const nameOf = (names: Record<string, string>, code: string | null | undefined) => (code ? (names[code] ?? code) : '—');
