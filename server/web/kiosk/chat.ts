// The chat panel: the kiosk channel of POST /api/v1/chat/messages. Quick questions are buttons, so it works
// without a keyboard; a text box serves those who have one. Signed-in customers' messages carry the view token.
import { ApiError, call } from '../shared/api.ts';
import type { ChatReply } from '../shared/contract.ts';
import { h } from '../shared/dom.ts';
import { waitText } from '../shared/format.ts';
import type { KioskSession } from './session.ts';

const QUICK = ['我的申请进度怎么样', '需要我准备什么材料', '什么时候能接电', '经办人电话是多少', '转人工'];
const GREETING = '您好，我是接电助手。可以问我：申请进度、需要准备的材料、预计接电时间、经办人联系方式。输入户号和查询密码后，我就能回答您自己的申请。';
/** after sign-in the customer is not asked for the account number again */
const signedInGreeting = (applications: number) =>
  `您好，我是接电助手。已查到您的 ${applications} 项申请，可以直接问我：办理进度、需要准备的材料、什么时候能接电、经办人电话。`;

export interface ChatPanel {
  element: HTMLElement;
  /** the customer signed in: the greeting stops asking for the account number */
  signedIn(applications: number): void;
}

export function chatPanel(session: KioskSession): ChatPanel {
  const log = h('ol', { class: 'chat-log', attrs: { role: 'log', 'aria-live': 'polite', 'aria-label': '对话记录' } });
  const input = h('input', {
    class: 'chat-input',
    attrs: { type: 'text', maxlength: 500, autocomplete: 'off', enterkeyhint: 'send', 'aria-label': '输入您的问题', placeholder: '输入您的问题…' },
  });
  const send = h('button', { class: 'chat-send', text: '发送', attrs: { type: 'submit', 'aria-label': '发送问题' } });
  let busy = false;

  const say = (who: 'me' | 'bot' | 'system', text: string) => {
    log.append(h('li', { class: `chat-msg chat-msg--${who}`, text }));
    log.scrollTop = log.scrollHeight;
  };

  /**
   * "请回复序号选择" after a numbered list: the numbers as buttons under the message, so a customer without a keyboard
   * can answer. Pressing one sends the number, as typing it would.
   */
  function choices(line: string): void {
    if (!/回复序号/.test(line)) return;
    const options = [...line.matchAll(/^(\d{1,2})\s+(\S+?)(?:（|\s|$)/gm)].map((m) => ({ n: m[1]!, what: m[2]! }));
    if (options.length === 0) return;
    log.append(
      h(
        'li',
        { class: 'chat-choices', attrs: { role: 'group', 'aria-label': '选择一项' } },
        options.map((o) =>
          h('button', {
            class: 'chip',
            text: `${o.n}  ${o.what}`,
            attrs: { type: 'button', 'aria-label': `选择 ${o.n}：${o.what}` },
            on: { click: () => void ask(o.n) },
          }),
        ),
      ),
    );
    log.scrollTop = log.scrollHeight;
  }

  async function ask(text: string): Promise<void> {
    const question = text.trim();
    if (!question || busy || session.disposed) return;
    busy = true;
    session.used = true;
    send.disabled = true;
    say('me', question);
    try {
      const reply = await call<ChatReply>('POST', '/api/v1/chat/messages', {
        body: { sessionId: session.chatSessionId, text: question.slice(0, 500) },
        token: session.token,
        headers: { 'x-jiedian-channel': 'kiosk' },
        signal: session.abort.signal,
      });
      if (session.disposed) return;
      for (const line of reply.replies) {
        say('bot', line);
        choices(line);
      }
      if (reply.replies.length === 0) say('bot', '抱歉，我没有听懂，请换个说法或到窗口咨询。');
    } catch (error) {
      if (session.disposed) return;
      if (error instanceof ApiError && error.code === 'JD_RATE_LIMITED') say('system', `消息太频繁，请 ${waitText(error.retryAfterSeconds ?? 60)} 后再试。`);
      else if (error instanceof ApiError && error.status === 401) say('system', '查询已过期，请重新输入户号和查询密码。');
      else if (error instanceof ApiError) say('system', '助手暂时无法回答，请稍后再试或到窗口咨询。');
    } finally {
      busy = false;
      send.disabled = false;
    }
  }

  const form = h('form', { class: 'chat-form', attrs: { 'aria-label': '向助手提问' } }, [input, send]);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = '';
    void ask(text);
  });

  say('bot', GREETING);
  const greetingLine = log.lastElementChild as HTMLElement;
  const element = h('section', { class: 'chat', attrs: { 'aria-labelledby': 'chat-title' } }, [
    h('h2', { class: 'chat-title', text: '接电助手', attrs: { id: 'chat-title' } }),
    log,
    h(
      'div',
      { class: 'chat-quick', attrs: { role: 'group', 'aria-label': '常见问题' } },
      QUICK.map((q) => h('button', { class: 'chip', text: q, attrs: { type: 'button' }, on: { click: () => void ask(q) } })),
    ),
    form,
  ]);
  return {
    element,
    signedIn(applications) {
      // before any question the greeting itself changes; after some, a line says it (the log is not rewritten)
      if (log.children.length === 1) greetingLine.textContent = signedInGreeting(applications);
      else say('bot', signedInGreeting(applications));
    },
  };
}
