// The start screen: account number and query code typed on an on-screen keypad (a physical keyboard works too).
import { h, fill } from '../shared/dom.ts';

export const MAX_ACCOUNT_DIGITS = 20;
export const MAX_CODE_LENGTH = 12;

type Field = 'account' | 'code';

export interface LoginCallbacks {
  submit(accountNo: string, queryCode: string): void;
}

export interface LoginScreen {
  element: HTMLElement;
  /** shows a message in the reserved line under the fields */
  say(text: string, tone?: 'error' | 'info'): void;
  busy(on: boolean): void;
  clearCode(): void;
  /** anything typed or said that an idle reset should clear */
  dirty(): boolean;
  /** a physical key press while this screen shows */
  key(event: KeyboardEvent): void;
}

export function loginScreen(callbacks: LoginCallbacks, notice: string | null, idleSeconds: number): LoginScreen {
  const state = { account: '', code: '', active: 'account' as Field, busy: false, said: notice !== null };

  const accountInput = h('input', {
    class: 'field-input',
    attrs: { id: 'account-no', type: 'text', readonly: true, inputmode: 'none', autocomplete: 'off', 'aria-describedby': 'login-message' },
  });
  const codeInput = h('input', {
    class: 'field-input',
    attrs: { id: 'query-code', type: 'password', readonly: true, inputmode: 'none', autocomplete: 'off', 'aria-describedby': 'login-message' },
  });
  const message = h('p', { class: 'login-message', attrs: { id: 'login-message', role: 'alert', 'aria-live': 'assertive' } });
  const action = h('button', { class: 'key key--action', attrs: { type: 'button', id: 'keypad-action' }, on: { click: () => act() } });

  const fieldBox = (field: Field, label: string, input: HTMLInputElement, hint: string) =>
    h('div', { class: 'field', dataset: { field }, on: { pointerdown: () => select(field) } }, [
      h('label', { class: 'field-label', text: label, attrs: { for: input.id } }),
      input,
      h('span', { class: 'field-hint', text: hint }),
    ]);

  function render(): void {
    accountInput.value = state.account;
    codeInput.value = state.code;
    for (const [field, input] of [['account', accountInput], ['code', codeInput]] as const) {
      input.closest('.field')?.classList.toggle('field--active', state.active === field);
    }
    action.textContent = state.busy ? '查询中…' : state.active === 'account' ? '下一步' : '查询';
    action.setAttribute('aria-label', state.active === 'account' ? '下一步：输入查询密码' : '查询办理进度');
    action.disabled = state.busy;
  }

  function select(field: Field): void {
    state.active = field;
    render();
  }

  function type(digit: string): void {
    if (state.busy) return;
    if (state.active === 'account' && state.account.length < MAX_ACCOUNT_DIGITS) state.account += digit;
    if (state.active === 'code' && state.code.length < MAX_CODE_LENGTH) state.code += digit;
    render();
  }

  function backspace(): void {
    if (state.active === 'account') state.account = state.account.slice(0, -1);
    else state.code = state.code.slice(0, -1);
    render();
  }

  function clear(): void {
    if (state.active === 'account') state.account = '';
    else state.code = '';
    render();
  }

  function act(): void {
    if (state.busy) return;
    if (state.active === 'account') {
      if (state.account === '') return screen.say('请先输入户号');
      return select('code');
    }
    if (state.account === '') {
      select('account');
      return screen.say('请先输入户号');
    }
    if (state.code === '') return screen.say('请输入查询密码');
    callbacks.submit(state.account, state.code);
  }

  const digitKey = (d: string) => h('button', { class: 'key', text: d, attrs: { type: 'button', 'aria-label': `数字 ${d}` }, on: { click: () => type(d) } });
  const keypad = h('div', { class: 'keypad', attrs: { role: 'group', 'aria-label': '数字键盘' } }, [
    ...['1', '2', '3', '4', '5', '6', '7', '8', '9'].map(digitKey),
    h('button', { class: 'key key--aux', text: '清空', attrs: { type: 'button', 'aria-label': '清空当前输入' }, on: { click: clear } }),
    digitKey('0'),
    h('button', { class: 'key key--aux', text: '⌫', attrs: { type: 'button', 'aria-label': '删除一位' }, on: { click: backspace } }),
    action,
  ]);

  const element = h('section', { class: 'login', attrs: { 'aria-labelledby': 'login-title' } }, [
    h('div', { class: 'login-fields' }, [
      h('h2', { class: 'login-title', text: '请输入户号和查询密码', attrs: { id: 'login-title' } }),
      fieldBox('account', '户号', accountInput, '电费账单或受理回执上的户号'),
      fieldBox('code', '查询密码', codeInput, '受理回执上的 6–12 位查询密码'),
      message,
      h('p', { class: 'login-help', text: `忘记查询密码？请到窗口咨询工作人员。本机 ${idleSeconds} 秒无操作将自动清除信息。` }),
    ]),
    keypad,
  ]);

  const screen: LoginScreen = {
    element,
    say(text, tone = 'error') {
      state.said = true;
      message.className = `login-message login-message--${tone}`;
      fill(message, [text]);
    },
    busy(on) {
      state.busy = on;
      render();
    },
    clearCode() {
      state.code = '';
      state.active = 'code';
      render();
    },
    dirty: () => state.account !== '' || state.code !== '' || state.said,
    key(event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (/^[0-9]$/.test(event.key)) type(event.key);
      else if (event.key === 'Backspace') backspace();
      else if (event.key === 'Escape') clear();
      else if (event.key === 'Enter') act();
      else if (event.key === 'Tab') select(state.active === 'account' ? 'code' : 'account');
      else return;
      event.preventDefault();
    },
  };
  if (notice) screen.say(notice, 'info');
  render();
  return screen;
}
