// Sign-in: handler id and password; the session lives in an httpOnly cookie the page never sees.
import { ApiError, call } from '../shared/api.ts';
import type { Handler } from '../shared/contract.ts';
import { fill, h } from '../shared/dom.ts';
import { waitText } from '../shared/format.ts';

export function loginView(onSignedIn: (handler: Handler) => void, notice: string | null = null): HTMLElement {
  const id = h('input', { attrs: { id: 'login-id', name: 'handlerId', autocomplete: 'username', required: true, maxlength: 64, autocapitalize: 'characters' } });
  const password = h('input', { attrs: { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true, maxlength: 200 } });
  const button = h('button', { class: 'primary', text: '登录', attrs: { type: 'submit' } });
  const message = h('p', { class: 'form-message', attrs: { role: 'alert' }, text: notice ?? '' });
  const form = h('form', { class: 'login-form', attrs: { 'aria-labelledby': 'login-title' } }, [
    h('h1', { text: '接电 · 工作台', attrs: { id: 'login-title' } }),
    h('label', { text: '工号', attrs: { for: 'login-id' } }),
    id,
    h('label', { text: '密码', attrs: { for: 'login-password' } }),
    password,
    button,
    message,
  ]);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    fill(message, []);
    try {
      const reply = await call<{ handler: Handler }>('POST', '/api/v1/staff/login', { body: { handlerId: id.value.trim(), password: password.value } });
      password.value = '';
      onSignedIn(reply.handler);
    } catch (error) {
      password.value = '';
      if (error instanceof ApiError && error.code === 'JD_BAD_CREDENTIALS') fill(message, ['工号或密码不正确。']);
      else if (error instanceof ApiError && error.code === 'JD_RATE_LIMITED') fill(message, [`失败次数过多，请 ${waitText(error.retryAfterSeconds ?? 60)} 后再试。`]);
      else if (error instanceof ApiError && error.status === 400) fill(message, ['请填写工号和密码。']);
      else fill(message, ['暂时无法登录，请稍后再试。']);
    } finally {
      button.disabled = false;
    }
  });
  queueMicrotask(() => id.focus());
  return h('main', { class: 'login-page' }, [form]);
}
