// The mobile progress page an Official Account message links to (/m/progress?applicationNo=…). Inside WeChat the
// server sends it through web authorization first, so it arrives with a `code` that the API turns into a view token
// for the bound account; otherwise (not bound, not in WeChat, code used) the customer signs in with the account
// number and query code, as at a kiosk. The timeline is the kiosk's (shared/timeline.ts).
import './mobile.css';
import { ApiError, call } from '../shared/api.ts';
import type { ProgressView } from '../shared/contract.ts';
import { byId, fill, h } from '../shared/dom.ts';
import { longDate, shortInstant, statusNames, waitText } from '../shared/format.ts';
import { timeline } from '../shared/timeline.ts';

interface Access {
  viewToken: string;
  expiresAt: string;
  applications: ProgressView[];
}

const app = byId('app');
const params = new URLSearchParams(location.search);
const linked = params.get('applicationNo');

function header(subtitle: string): HTMLElement {
  return h('header', { class: 'bar' }, [h('h1', { text: '办电进度' }), h('p', { class: 'bar-sub', text: subtitle })]);
}

function currentLine(view: ProgressView): HTMLElement {
  const step = view.currentStep;
  if (view.status !== 'active' || !step) {
    return h('p', { class: 'current' }, [h('span', { class: 'current-name', text: statusNames[view.status] ?? view.status })]);
  }
  const due = step.dueAt ? `应于 ${shortInstant(step.dueAt)} 前完成` : step.plannedEnd ? `计划 ${longDate(step.plannedEnd)} 完成` : '完成时间待定';
  const who = step.side === 'customer' ? '此环节需要您来办理' : step.handler ? `经办人 ${step.handler.name} · ${step.handler.phone}` : '经办人待分配';
  return h('div', { class: `current${step.overdue ? ' current--overdue' : ''}` }, [
    h('p', { class: 'current-label', text: '当前环节' }),
    h('p', { class: 'current-name', text: `${step.name}${step.overdue ? '（已超期）' : ''}` }),
    h('p', { class: 'current-line', text: due }),
    h('p', { class: 'current-line', text: who }),
  ]);
}

function tasks(view: ProgressView): HTMLElement | null {
  const list = view.currentStep?.customerTasks ?? [];
  if (list.length === 0) return null;
  return h('section', { class: 'tasks', attrs: { 'aria-label': '现在请您准备' } }, [h('h3', { text: '现在请您准备' }), h('ul', {}, list.map((t) => h('li', { text: t })))]);
}

function card(view: ProgressView): HTMLElement {
  const plan = view.plan.feasible
    ? view.requestedConnectDate
      ? `可以按您申请的 ${longDate(view.requestedConnectDate)} 接电`
      : '按常规工期安排'
    : `您申请的 ${longDate(view.requestedConnectDate)} 无法实现${view.plan.earliestFeasibleDate ? `，最早可于 ${longDate(view.plan.earliestFeasibleDate)} 接电` : ''}`;
  return h('article', { class: 'card', dataset: { application: view.applicationNo }, attrs: { 'aria-label': `工单 ${view.applicationNo}` } }, [
    h('h2', { class: 'card-title' }, [h('span', { text: view.processName }), h('span', { class: 'card-no', text: view.applicationNo })]),
    h('p', { class: 'expected' }, [h('span', { text: '预计接电' }), h('strong', { text: longDate(view.expectedConnectDate) })]),
    h('p', { class: `plan${view.plan.feasible ? '' : ' plan--warn'}`, text: plan }),
    currentLine(view),
    tasks(view),
    timeline(view),
  ]);
}

function showApplications(access: Access): void {
  // the application the message was about first, then the others newest first
  const views = [...access.applications].sort((a, b) => Number(b.applicationNo === linked) - Number(a.applicationNo === linked));
  const name = views[0]?.customerName ?? '';
  fill(app, [
    header(name ? `${name} · 户号 ${views[0]!.accountNo}` : ''),
    views.length === 0 ? h('p', { class: 'empty', text: '没有找到在办的工单。' }) : h('div', { class: 'cards' }, views.map(card)),
  ]);
}

function showSignIn(note: string | null): void {
  const error = h('p', { class: 'form-error', attrs: { role: 'alert', 'aria-live': 'assertive' } });
  const account = h('input', { attrs: { id: 'accountNo', name: 'accountNo', inputmode: 'numeric', autocomplete: 'off', maxlength: 20, required: true } });
  const code = h('input', { attrs: { id: 'queryCode', name: 'queryCode', type: 'password', autocomplete: 'off', maxlength: 12, required: true } });
  const submit = h('button', { class: 'primary', text: '查询', attrs: { type: 'submit' } });
  const form = h(
    'form',
    {
      class: 'signin',
      attrs: { 'aria-label': '户号和查询密码查询' },
      on: {
        submit: (event) => {
          event.preventDefault();
          error.textContent = '';
          submit.disabled = true;
          call<Access>('POST', '/api/v1/progress/query', { body: { accountNo: account.value.trim(), queryCode: code.value.trim() } })
            .then(showApplications)
            .catch((e: unknown) => {
              submit.disabled = false;
              if (e instanceof ApiError && e.code === 'JD_BAD_CREDENTIALS') error.textContent = '户号或查询密码不正确，请核对后再试。';
              else if (e instanceof ApiError && e.code === 'JD_RATE_LIMITED') error.textContent = `尝试次数过多，请${waitText(e.retryAfterSeconds ?? 900)}后再试。`;
              else if (e instanceof ApiError && e.code === 'JD_INVALID_REQUEST') error.textContent = '请填写户号和查询密码。';
              else error.textContent = '查询失败，请稍后再试。';
            });
        },
      },
    },
    [
      h('label', { attrs: { for: 'accountNo' }, text: '户号' }),
      account,
      h('label', { attrs: { for: 'queryCode' }, text: '查询密码' }),
      code,
      error,
      submit,
      h('p', { class: 'hint', text: '查询密码在受理回执上，也可在公众号发送“绑定+户号”绑定后直接查看。' }),
    ],
  );
  fill(app, [header('户号和查询密码查询'), note ? h('p', { class: 'note', text: note }) : null, form]);
}

async function start(): Promise<void> {
  const code = params.get('code');
  if (code) {
    // the code works once: keep it out of the address a reload or a shared link would reuse
    const clean = new URL(location.href);
    clean.searchParams.delete('code');
    clean.searchParams.delete('state');
    // WeChat's #wechat_redirect marker rides along on the way back
    clean.hash = '';
    history.replaceState(null, '', clean.toString());
    try {
      showApplications(await call<Access>('POST', '/api/v1/wechat-oa/session', { body: { code, ...(linked ? { applicationNo: linked } : {}) } }));
      return;
    } catch (e) {
      const unbound = e instanceof ApiError && e.code === 'JD_NOT_FOUND';
      showSignIn(unbound ? '您的微信还没有绑定户号。请输入户号和查询密码查询，或在公众号发送“绑定+户号”完成绑定。' : '微信授权未完成，请输入户号和查询密码查询。');
      return;
    }
  }
  showSignIn(null);
}

void start();
