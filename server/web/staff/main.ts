// The staff pages (/staff): sign-in, the live queue, application detail with re-plan, timeliness statistics.
// Routes are hash fragments (#/queue, #/app/YX2026-0001, #/stats); the session is the httpOnly cookie.
import './staff.css';
import { ApiError, call } from '../shared/api.ts';
import type { Handler } from '../shared/contract.ts';
import { byId, fill, h } from '../shared/dom.ts';
import { LiveSocket, type LiveState } from '../shared/live.ts';
import { detailView } from './detail.ts';
import { roleNames } from './labels.ts';
import { loginView } from './login.ts';
import { fetchQueue, QueueView } from './queue.ts';
import { riskStatsView } from './risk-stats.ts';
import { exposureView } from './exposure.ts';
import { statsView } from './stats.ts';

const root = byId('app');
const TIME_ZONE = 'Asia/Shanghai';
const ME_KEY = 'jiedian.staff.me';
const TITLE = '接电 · 工作台';

let me: Handler | null = readMe();
let socket: LiveSocket | null = null;
let queue: QueueView | null = null;
let soundOn = false;
let audio: AudioContext | null = null;

// Who is signed in, for the header only (the session itself is the httpOnly cookie). Kept across tabs, so a new tab
// of a signed-in desk opens on the queue, and a desk nobody signed in on opens on the form without probing the API.
function readMe(): Handler | null {
  try {
    return JSON.parse(localStorage.getItem(ME_KEY) ?? 'null') as Handler | null;
  } catch {
    return null;
  }
}

function signedOut(notice: string | null = null): void {
  socket?.close();
  socket = null;
  queue = null;
  me = null;
  localStorage.removeItem(ME_KEY);
  document.title = TITLE;
  root.replaceChildren(
    loginView((handler) => {
      me = handler;
      localStorage.setItem(ME_KEY, JSON.stringify(handler));
      void signedIn();
    }, notice),
  );
}

const unauthorized = () => signedOut('登录已过期，请重新登录。');

function beep(): void {
  if (!soundOn) return;
  audio ??= new AudioContext();
  const oscillator = audio.createOscillator();
  const gain = audio.createGain();
  oscillator.frequency.value = 880;
  gain.gain.setValueAtTime(0.2, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.35);
  oscillator.connect(gain).connect(audio.destination);
  oscillator.start();
  oscillator.stop(audio.currentTime + 0.35);
}

function setBadge(count: number, added: boolean): void {
  const badge = document.getElementById('queue-badge');
  if (!badge) return;
  badge.textContent = count > 99 ? '99+' : String(count);
  badge.dataset.count = String(count);
  badge.setAttribute('aria-label', count > 0 ? `${count} 条新消息` : '没有新消息');
  document.title = count > 0 ? `(${count}) ${TITLE}` : TITLE;
  if (added) beep();
}

function setLive(state: LiveState): void {
  const badge = document.getElementById('live-status');
  if (!badge) return;
  badge.dataset.state = state;
  badge.textContent = state === 'live' ? '● 实时' : state === 'connecting' ? '○ 连接中' : '○ 已断开，重连中';
}

async function signedIn(): Promise<void> {
  let initial;
  try {
    initial = await fetchQueue();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return signedOut('登录已过期，请重新登录。');
    root.replaceChildren(h('p', { class: 'form-message form-message--error', text: '无法读取队列，请刷新页面重试。', attrs: { role: 'alert' } }));
    return;
  }
  queue = new QueueView({
    me: () => me,
    openApplication: (applicationNo) => {
      location.hash = `#/app/${encodeURIComponent(applicationNo)}`;
    },
    onFresh: setBadge,
    onUnauthorized: unauthorized,
  });
  shell();
  queue.load(initial);
  let first = true;
  socket = new LiveSocket({
    subscribe: () => ({ type: 'subscribe_staff' }),
    onState: setLive,
    onFrame: (frame) => {
      if (!queue) return;
      if (frame.type === 'subscribed') {
        // after a reconnect, catch up with what happened while the socket was down
        if (!first) void fetchQueue().then((q) => queue?.load(q), () => {});
        first = false;
      } else if (frame.type === 'hurry') {
        queue.hurry(frame.hurry);
        refreshDetail(frame.hurry.applicationNo);
      } else if (frame.type === 'alert') {
        queue.alert(frame.alert);
        refreshDetail(frame.alert.applicationNo);
      } else if (frame.type === 'consult') {
        queue.consult(frame.consult);
      } else if (frame.type === 'risk') {
        queue.risk(frame.risk);
        refreshDetail(frame.risk.applicationNo);
      } else if (frame.type === 'error' && frame.code === 'JD_UNAUTHORIZED') {
        unauthorized();
      }
    },
  });
  route();
}

function refreshDetail(applicationNo: string): void {
  const current = document.querySelector<HTMLElement>('.detail');
  if (current && current.dataset.applicationNo === applicationNo) {
    current.querySelector<HTMLButtonElement>('.detail-head button')?.click();
  }
}

function shell(): void {
  const who = me ? `${me.name} · ${me.teamName} · ${roleNames[me.role] ?? me.role}` : '已登录';
  const gotoInput = h('input', { attrs: { id: 'goto-no', placeholder: 'YX2026-0001', maxlength: 64, autocomplete: 'off' } });
  const goto = h('form', { class: 'goto', attrs: { role: 'search', 'aria-label': '按申请编号查看' } }, [
    h('label', { text: '申请编号', attrs: { for: 'goto-no' } }),
    gotoInput,
    h('button', { class: 'secondary', text: '查看', attrs: { type: 'submit' } }),
  ]);
  goto.addEventListener('submit', (event) => {
    event.preventDefault();
    const no = gotoInput.value.trim();
    if (no) location.hash = `#/app/${encodeURIComponent(no)}`;
  });
  const sound = h('input', { attrs: { id: 'sound-on', type: 'checkbox' } });
  sound.checked = soundOn;
  sound.addEventListener('change', () => {
    soundOn = sound.checked;
    if (soundOn) {
      audio ??= new AudioContext();
      void audio.resume();
    }
  });
  root.replaceChildren(
    h('header', { class: 'top' }, [
      h('span', { class: 'brand', text: TITLE }),
      h('nav', { class: 'nav', attrs: { 'aria-label': '主菜单' } }, [
        h('a', { attrs: { href: '#/queue', id: 'nav-queue' } }, ['待办队列', h('span', { class: 'nav-badge', attrs: { id: 'queue-badge', 'aria-label': '没有新消息' }, dataset: { count: '0' }, text: '0' })]),
        h('a', { attrs: { href: '#/stats', id: 'nav-stats' }, text: '时效统计' }),
      ]),
      goto,
      h('span', { class: 'live', attrs: { id: 'live-status', role: 'status' } }),
      h('label', { class: 'sound' }, [sound, '声音提醒']),
      h('span', { class: 'who', text: who }),
      h('button', {
        class: 'secondary',
        text: '退出',
        attrs: { type: 'button' },
        on: {
          click: () => {
            void call('POST', '/api/v1/staff/logout').finally(() => signedOut());
          },
        },
      }),
    ]),
    h('main', { class: 'view', attrs: { id: 'view', tabindex: '-1' } }),
  );
}

function route(): void {
  if (!queue) return;
  const view = document.getElementById('view');
  if (!view) return;
  const hash = location.hash || '#/queue';
  for (const link of document.querySelectorAll('.nav a')) link.removeAttribute('aria-current');
  const app = /^#\/app\/(.+)$/.exec(hash);
  if (app) {
    const applicationNo = decodeURIComponent(app[1]!);
    const detail = detailView(applicationNo, { onUnauthorized: unauthorized });
    detail.dataset.applicationNo = applicationNo;
    fill(view, [detail]);
  } else if (hash.startsWith('#/stats')) {
    document.getElementById('nav-stats')?.setAttribute('aria-current', 'page');
    const sections = [statsView({ onUnauthorized: unauthorized, timeZone: TIME_ZONE }), riskStatsView({ onUnauthorized: unauthorized, timeZone: TIME_ZONE })];
    // the monthly exposure report is for team leads and admins
    if (me && me.role !== 'handler') sections.push(exposureView({ onUnauthorized: unauthorized, timeZone: TIME_ZONE }));
    fill(view, sections);
  } else {
    document.getElementById('nav-queue')?.setAttribute('aria-current', 'page');
    fill(view, [queue.element]);
  }
  view.focus({ preventScroll: true });
}

window.addEventListener('hashchange', route);
if (me) void signedIn();
else signedOut();
