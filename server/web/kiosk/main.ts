// The kiosk page (/kiosk): a business-hall touch screen where customers follow their connection applications.
// Everything a customer leaves behind lives in one KioskSession; an idle reset (60 s, `?idle=SECONDS`), the
// 结束查询 button and an expired token all drop it and rebuild the page from nothing.
import './kiosk.css';
import { ApiError, call, sendWithEveryCall } from '../shared/api.ts';
import type { CustomerHurry, CustomerRated, CustomerRating, ProgressView, QueryResult } from '../shared/contract.ts';
import { byId, fill, h } from '../shared/dom.ts';
import { waitText } from '../shared/format.ts';
import { LiveSocket, type LiveState } from '../shared/live.ts';
import { changedSteps } from '../shared/timeline.ts';
import { applicationCard, asksRating, customerStepLine, hurryBox, noticeSwitch, ratingBox, scoreNames, type CardActions } from './applications.ts';
import { chatPanel } from './chat.ts';
import { IdleTimer, idleSecondsFrom } from './idle.ts';
import { loginScreen, type LoginScreen } from './login.ts';
import { KioskSession, type HurryState, type RatingState } from './session.ts';

// The installer opens /kiosk#kiosk-key=KIOSK_DEVICE_KEY once: the key stays in this browser, leaves the address bar,
// and goes with every call, so strangers guessing at an account elsewhere cannot lock its owner out here.
const KIOSK_KEY_STORAGE = 'jiedian.kioskKey';
const givenKey = /(?:^#|&)kiosk-key=([^&]+)/.exec(location.hash)?.[1];
if (givenKey) {
  localStorage.setItem(KIOSK_KEY_STORAGE, decodeURIComponent(givenKey));
  history.replaceState(null, '', location.pathname + location.search);
}
const kioskKey = localStorage.getItem(KIOSK_KEY_STORAGE);
if (kioskKey) sendWithEveryCall('x-jiedian-kiosk-key', kioskKey);

const root = byId('app');
const idleSeconds = idleSecondsFrom(location.search);
let session = new KioskSession();
let login: LoginScreen | null = null;

const EXPIRED = '查询已超时，请重新输入户号和查询密码。';

const liveNames: Record<LiveState, string> = { connecting: '○ 正在连接…', live: '● 实时更新', offline: '○ 连接中断，正在重连…' };

function setLive(state: LiveState | null): void {
  const badge = document.getElementById('live-status');
  if (!badge) return;
  badge.textContent = state ? liveNames[state] : '';
  badge.dataset.state = state ?? 'none';
}

/** Forgets the current customer entirely and shows the start screen. */
function start(notice: string | null = null): void {
  session.dispose();
  session = new KioskSession();
  login = loginScreen({ submit: (accountNo, queryCode) => void query(accountNo, queryCode) }, notice, idleSeconds);
  const main = h('main', { class: 'main', attrs: { id: 'main', tabindex: '-1' } }, [login.element]);
  const chat = chatPanel(session);
  session.chat = chat;
  root.replaceChildren(
    h('header', { class: 'bar' }, [
      h('h1', { class: 'bar-title' }, [h('span', { class: 'bar-logo', text: '⚡', attrs: { 'aria-hidden': 'true' } }), '接电进度查询']),
      h('span', { class: 'bar-live', attrs: { id: 'live-status', role: 'status' } }),
    ]),
    main,
    h('aside', { class: 'side', attrs: { 'aria-label': '接电助手' } }, [chat.element]),
    h('div', { class: 'idle-warning', attrs: { id: 'idle-warning', role: 'alert', hidden: true } }),
  );
  setLive(null);
}

async function query(accountNo: string, queryCode: string): Promise<void> {
  const s = session;
  const screen = login;
  screen?.busy(true);
  try {
    const result = await call<QueryResult>('POST', '/api/v1/progress/query', { body: { accountNo, queryCode }, signal: s.abort.signal });
    if (s.disposed) return;
    if (result.applications.length === 0) {
      screen?.busy(false);
      screen?.clearCode();
      screen?.say('该户号目前没有在办的用电申请。', 'info');
      return;
    }
    showApplications(result);
  } catch (error) {
    if (s.disposed || !screen) return;
    screen.busy(false);
    screen.clearCode();
    if (error instanceof ApiError && error.code === 'JD_BAD_CREDENTIALS') screen.say('户号或查询密码不正确，请核对后重新输入。');
    else if (error instanceof ApiError && error.code === 'JD_RATE_LIMITED') screen.say(`尝试次数过多，请 ${waitText(error.retryAfterSeconds ?? 600)} 后再试，或到窗口咨询。`);
    else if (error instanceof ApiError && error.status === 400) screen.say('户号或查询密码格式不正确，请核对后重新输入。');
    else if (error instanceof ApiError) screen.say('暂时无法查询，请稍后再试或到窗口咨询。');
  }
}

const actions: CardActions = {
  hurry: (applicationNo) => void hurry(applicationNo),
  toggleNotices: (applicationNo) => void toggleNotices(applicationNo),
  chooseScore: (applicationNo, score) => setRating(applicationNo, { chosen: score, message: null, tone: 'info' }),
  typeComment: (applicationNo, comment) => {
    const state = session.ratings.get(applicationNo);
    if (state) state.comment = comment;
  },
  rate: (applicationNo) => void rate(applicationNo),
};

/**
 * 您好，玉**: on a screen in a public hall the greeting need not show how long the name is. An organisation's name
 * (玉溪某某食品有限公司) is not greeted as if its first character were a surname.
 */
function greeting(view: ProgressView): string {
  return view.customerKind === 'organisation' ? '您好，欢迎查询' : `您好，${view.customerName.replace(/\*{2,}/g, '**')}`;
}

function cardElement(applicationNo: string): HTMLElement | null {
  return document.querySelector<HTMLElement>(`.card[data-application-no="${CSS.escape(applicationNo)}"]`);
}

function showApplications(result: QueryResult): void {
  const s = session;
  login = null;
  s.token = result.viewToken;
  s.tokenExpiresAt = result.expiresAt;
  for (const view of result.applications) s.applications.set(view.applicationNo, view);
  const first = result.applications[0]!;
  const main = byId('main');
  fill(main, [
    h('section', { class: 'results', attrs: { 'aria-labelledby': 'results-title' } }, [
      h('div', { class: 'results-head' }, [
        h('div', {}, [
          h('h2', { class: 'results-title', text: greeting(first), attrs: { id: 'results-title' } }),
          h('p', { class: 'results-sub', text: `户号 ${first.accountNo} · 共 ${result.applications.length} 项申请，办理进展会自动更新` }),
        ]),
        h('button', { class: 'end-button', text: '结束查询', attrs: { type: 'button', 'aria-label': '结束查询并清除本页信息' }, on: { click: () => start() } }),
        applicationNav(result.applications),
      ]),
      h('div', { class: 'cards' }, result.applications.map((view) => applicationCard(view, undefined, actions, new Set(), s.notices.get(view.applicationNo), s.ratings.get(view.applicationNo)))),
      scrollCue(main),
    ]),
  ]);
  for (const view of result.applications) void readNotices(view.applicationNo);
  for (const view of result.applications) if (view.status === 'completed') void readRating(view.applicationNo);
  main.focus({ preventScroll: true });
  s.chat?.signedIn(result.applications.length);
  s.socket = new LiveSocket({
    subscribe: () => ({ type: 'subscribe', viewToken: s.token }),
    onState: (state) => {
      if (!s.disposed) setLive(state);
    },
    onFrame: (frame) => {
      if (s.disposed) return;
      if (frame.type === 'progress') update(frame.application);
      else if (frame.type === 'error' && frame.code === 'JD_UNAUTHORIZED') start(EXPIRED);
    },
  });
  // the button wakes up when the cooldown ends
  s.every(1000, () => {
    for (const [applicationNo, state] of s.hurries) {
      if (state.cooldownUntil !== null && state.cooldownUntil <= Date.now()) {
        s.hurries.delete(applicationNo);
        redrawHurry(applicationNo);
      }
    }
  });
}

/** With more than one application, a button per application in the header: each one is a touch away, no scrolling needed. */
function applicationNav(applications: ProgressView[]): HTMLElement | null {
  if (applications.length < 2) return null;
  return h(
    'nav',
    { class: 'app-nav', attrs: { 'aria-label': '您的申请' } },
    applications.map((view, i) =>
      h('button', {
        class: 'app-nav-button',
        text: `第 ${i + 1} 项 ${view.applicationNo}`,
        attrs: { type: 'button', 'aria-label': `查看第 ${i + 1} 项申请 ${view.applicationNo}` },
        on: { click: () => cardElement(view.applicationNo)?.scrollIntoView({ block: 'start' }) },
      }),
    ),
  );
}

/**
 * A customer not used to screens does not know a page scrolls: while more lies below, a bar at the bottom of the
 * view says so and scrolls on when touched; at the end it takes them back to the top. It keeps its place and size.
 */
function scrollCue(main: HTMLElement): HTMLElement {
  const cue = h('button', { class: 'scroll-cue', attrs: { type: 'button' } });
  const more = () => main.scrollTop + main.clientHeight < main.scrollHeight - 8;
  const refresh = () => {
    const scrolls = main.scrollHeight > main.clientHeight + 8;
    cue.style.visibility = scrolls ? 'visible' : 'hidden';
    cue.textContent = more() ? '↓ 下面还有内容，点这里往下看' : '↑ 已到底部，点这里回到顶部';
    cue.setAttribute('aria-label', more() ? '向下翻页' : '回到顶部');
  };
  cue.addEventListener('click', () => {
    if (more()) main.scrollBy({ top: Math.round(main.clientHeight * 0.7) });
    else main.scrollTo({ top: 0 });
  });
  main.addEventListener('scroll', refresh, { passive: true });
  new ResizeObserver(refresh).observe(main);
  requestAnimationFrame(refresh);
  return cue;
}

function update(view: ProgressView): void {
  const s = session;
  const before = s.applications.get(view.applicationNo);
  // only applications this customer was shown: a frame for anything else is ignored
  if (!before) return;
  s.applications.set(view.applicationNo, view);
  const changed = changedSteps(before, view);
  // switched on while the customer looks: the question follows once it is asked
  if (view.status === 'completed' && before.status !== 'completed') void readRating(view.applicationNo);
  cardElement(view.applicationNo)?.replaceWith(applicationCard(view, s.hurries.get(view.applicationNo), actions, changed, s.notices.get(view.applicationNo), s.ratings.get(view.applicationNo)));
}

function redrawHurry(applicationNo: string): void {
  const view = session.applications.get(applicationNo);
  const box = cardElement(applicationNo)?.querySelector('.hurry');
  if (view && box) box.replaceWith(hurryBox(view, session.hurries.get(applicationNo), actions));
}

function redrawNotices(applicationNo: string): void {
  const box = cardElement(applicationNo)?.querySelector('.notice-switch');
  box?.replaceWith(noticeSwitch(applicationNo, session.notices.get(applicationNo), actions));
}

/** GET or PUT the application's 进度通知 setting and show it on its card's switch. */
async function notices(applicationNo: string, muted?: boolean): Promise<void> {
  const s = session;
  const before = s.notices.get(applicationNo) ?? { muted: null, busy: false, failed: false };
  if (before.busy) return;
  s.notices.set(applicationNo, { ...before, busy: true });
  redrawNotices(applicationNo);
  try {
    const url = `/api/v1/applications/${encodeURIComponent(applicationNo)}/notifications`;
    const options = { token: s.token, signal: s.abort.signal, headers: { 'x-jiedian-channel': 'kiosk' } };
    const reply = muted === undefined
      ? await call<{ notifications: { muted: boolean } }>('GET', url, options)
      : await call<{ notifications: { muted: boolean } }>('PUT', url, { ...options, body: { muted } });
    if (s.disposed) return;
    s.notices.set(applicationNo, { muted: reply.notifications.muted, busy: false, failed: false });
  } catch (error) {
    if (s.disposed) return;
    if (error instanceof ApiError && error.status === 401) return start(EXPIRED);
    s.notices.set(applicationNo, { ...before, busy: false, failed: muted !== undefined });
  }
  redrawNotices(applicationNo);
}

const readNotices = (applicationNo: string) => notices(applicationNo);
const toggleNotices = (applicationNo: string) => {
  const current = session.notices.get(applicationNo)?.muted;
  if (current === null || current === undefined) return Promise.resolve();
  return notices(applicationNo, !current);
};

/** Shows the application's satisfaction question in place of its 温馨提示 box, or the box again. */
function redrawRating(applicationNo: string): void {
  const card = cardElement(applicationNo);
  const state = session.ratings.get(applicationNo);
  const box = card?.querySelector('.rating, .tasks');
  const view = session.applications.get(applicationNo);
  if (!box || !view) return;
  if (asksRating(state)) box.replaceWith(ratingBox(applicationNo, state, actions));
  else if (box.classList.contains('rating')) cardElement(applicationNo)?.replaceWith(applicationCard(view, session.hurries.get(applicationNo), actions, new Set(), session.notices.get(applicationNo), state));
}

function setRating(applicationNo: string, change: Partial<RatingState>): void {
  const state = session.ratings.get(applicationNo);
  if (!state || state.busy) return;
  session.ratings.set(applicationNo, { ...state, ...change });
  redrawRating(applicationNo);
}

/** Reads whether a rating was asked of a switched-on application: if so, and not yet given, its card asks it. */
async function readRating(applicationNo: string): Promise<void> {
  const s = session;
  try {
    const reply = await call<{ rating: CustomerRating | null }>('GET', `/api/v1/applications/${encodeURIComponent(applicationNo)}/rating`, { token: s.token, signal: s.abort.signal });
    if (s.disposed || s.ratings.get(applicationNo)?.answered) return;
    s.ratings.set(applicationNo, { rating: reply.rating, chosen: null, comment: '', busy: false, message: null, tone: 'info', answered: false });
    redrawRating(applicationNo);
  } catch (error) {
    if (s.disposed) return;
    if (error instanceof ApiError && error.status === 401) start(EXPIRED);
    // otherwise the card keeps its 温馨提示 box: the question is asked again by SMS or WeChat
  }
}

async function rate(applicationNo: string): Promise<void> {
  const s = session;
  const state = s.ratings.get(applicationNo);
  if (!state || state.busy || state.chosen === null) return;
  const score = state.chosen;
  setRating(applicationNo, { busy: true, message: '正在提交…', tone: 'info' });
  const settle = (change: Partial<RatingState>) => {
    s.ratings.set(applicationNo, { ...s.ratings.get(applicationNo)!, busy: false, ...change });
    redrawRating(applicationNo);
  };
  try {
    const reply = await call<CustomerRated>('PUT', `/api/v1/applications/${encodeURIComponent(applicationNo)}/rating`, {
      token: s.token,
      body: state.comment.trim() ? { score, comment: state.comment.trim() } : { score },
      headers: { 'x-jiedian-channel': 'kiosk' },
      signal: s.abort.signal,
    });
    if (s.disposed) return;
    const line = reply.followUp
      ? `您给出了 ${score} 分（${scoreNames[score]}）。很抱歉没能让您满意，工作人员将在一个工作日内与您联系。`
      : `您给出了 ${score} 分（${scoreNames[score]}），谢谢您的支持！`;
    settle({ rating: reply.rating, answered: true, message: line, tone: reply.followUp ? 'warn' : 'ok' });
  } catch (error) {
    if (s.disposed) return;
    if (error instanceof ApiError && error.status === 401) return start(EXPIRED);
    if (error instanceof ApiError && error.status === 409) return settle({ message: '这项申请的评价已经结束，感谢您的关注。', tone: 'warn' });
    settle({ message: '评价没有提交成功，请稍后再试。', tone: 'warn' });
  }
}

async function hurry(applicationNo: string): Promise<void> {
  const s = session;
  const stored = s.hurries.get(applicationNo);
  if (stored?.busy) return;
  // a refusal about an earlier step is not carried into this press
  const previous = stored?.refusal ? undefined : stored;
  const shownStep = s.applications.get(applicationNo)?.currentStep?.code ?? null;
  const setState = (state: HurryState) => {
    s.hurries.set(applicationNo, state);
    redrawHurry(applicationNo);
  };
  setState({ message: previous?.message ?? '', tone: previous?.tone ?? 'info', cooldownUntil: previous?.cooldownUntil ?? null, busy: true });
  try {
    const reply = await call<{ hurry: CustomerHurry }>('POST', `/api/v1/applications/${encodeURIComponent(applicationNo)}/hurry`, {
      token: s.token,
      body: {},
      headers: { 'x-jiedian-channel': 'kiosk' },
      signal: s.abort.signal,
    });
    if (s.disposed) return;
    const who = reply.hurry.handlerName ? `已提醒经办人 ${reply.hurry.handlerName}` : '已提醒负责班组';
    // the button rests for the cooldown: a second press would only be refused
    const cooldownUntil = Date.now() + Math.max(0, Date.parse(reply.hurry.nextHurryAt) - Date.parse(reply.hurry.createdAt));
    setState({ message: `已催办（编号 ${reply.hurry.id}），${who}，处理结果将以短信告诉您。`, tone: 'ok', cooldownUntil, againAt: null, busy: false });
  } catch (error) {
    if (s.disposed) return;
    if (error instanceof ApiError && error.code === 'JD_HURRY_COOLDOWN') {
      const seconds = error.retryAfterSeconds ?? 0;
      const againAt = typeof error.body.retryAt === 'string' ? error.body.retryAt : null;
      setState({ message: '您已催办过这个环节，经办人正在处理。', tone: 'warn', cooldownUntil: Date.now() + seconds * 1000, againAt, busy: false });
    } else if (error instanceof ApiError && error.status === 401) {
      start(EXPIRED);
    } else if (error instanceof ApiError && error.status === 409 && error.body.side === 'customer') {
      // the step moved on to the customer's own work just before the press: say what to do, as the card will
      const body = error.body as { stepName?: unknown; customerTasks?: unknown; nextStep?: { name?: unknown } | null };
      const tasks = Array.isArray(body.customerTasks) ? body.customerTasks.filter((task): task is string => typeof task === 'string') : [];
      const next = typeof body.nextStep?.name === 'string' ? body.nextStep.name : null;
      const line = customerStepLine(typeof body.stepName === 'string' ? body.stepName : '当前环节', tasks, next);
      setState({ message: line, tone: 'info', cooldownUntil: null, busy: false, refusal: { whileStep: shownStep } });
    } else if (error instanceof ApiError && error.code === 'JD_NOT_ACTIVE') {
      setState({ message: '该申请当前不能催办。', tone: 'warn', cooldownUntil: null, busy: false });
    } else {
      setState({ message: '催办没有成功，请稍后再试或到窗口咨询。', tone: 'warn', cooldownUntil: null, busy: false });
    }
  }
}

document.addEventListener('keydown', (event) => {
  if (!login || (event.target instanceof HTMLElement && event.target.closest('.chat'))) return;
  login.key(event);
});

new IdleTimer(
  idleSeconds * 1000,
  () => start(),
  (secondsLeft) => {
    const warning = document.getElementById('idle-warning');
    if (!warning) return;
    warning.hidden = secondsLeft === null;
    if (secondsLeft !== null) {
      fill(warning, [h('strong', { text: `${secondsLeft} 秒后将清除本页信息` }), h('span', { text: '触摸屏幕可继续使用' })]);
    }
  },
  () => session.token !== null || session.used || (login?.dirty() ?? false),
);

start();
