// The staff side of the chatbot: consults (转人工) in the team lead's queue, and the knowledge base they edit.
import { describe, expect, it } from 'vitest';
import { fakeTwilioForTest, staffHeaders } from '../support/notices.ts';
import { APPLICATION_NO, QUERY_CODE, chatApp, kiosk } from '../support/chat.ts';
import { topics } from '../../server/realtime/hub.ts';

const SESSION = 'kiosk-session-0123456789abcdef';

async function app() {
  const fake = await fakeTwilioForTest();
  return chatApp(fake);
}

async function boundSession(t: Awaited<ReturnType<typeof app>>, session = SESSION) {
  await kiosk(t, session, '绑定 5300123456');
  expect((await kiosk(t, session, QUERY_CODE)).body.replies[0]).toContain('绑定成功');
}

describe('consults (转人工)', () => {
  it('lands in the team lead\'s queue with the customer\'s recent messages, live and in GET /staff/queue', async () => {
    const t = await app();
    const frames: string[] = [];
    t.app.hub.subscribe(topics.team('T01'), (frame) => frames.push(frame));
    await boundSession(t);
    await kiosk(t, SESSION, '进度');
    // a change of date is something for a person: it opens the consult itself
    const opened = await kiosk(t, SESSION, '我想改一下接电日期');
    expect(opened.body.intent).toBe('human');
    expect(opened.body.replies[0]).toMatch(/已为您转人工（编号ZX\d{10}）/);

    const lead = await staffHeaders(t, 'H009');
    const queue = await t.app.inject({ method: 'GET', url: '/api/v1/staff/queue', headers: lead });
    expect(queue.statusCode).toBe(200);
    const [consult] = queue.json().consults;
    expect(consult).toMatchObject({ channel: 'kiosk', address: SESSION, accountNo: '5300123456', applicationNo: APPLICATION_NO, teamId: 'T01', status: 'open' });
    expect(consult.text.split('\n').slice(-2)).toEqual(['进度', '我想改一下接电日期']);
    expect(consult.text).not.toContain(QUERY_CODE);
    expect(JSON.parse(frames.at(-1)!)).toMatchObject({ type: 'consult', consult: { id: consult.id } });

    // asking again while it is open gives the same reference
    expect((await kiosk(t, SESSION, '转人工')).body.replies[0]).toContain(`人工服务请求（编号${consult.id}）已在处理中`);

    // a handler's queue has no consults
    const handler = await staffHeaders(t, 'H001');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/staff/queue', headers: handler })).json().consults).toEqual([]);
  });

  it('from a sender without a bound account is seen by every team lead', async () => {
    const t = await app();
    await kiosk(t, SESSION, '人工');
    const lead = await staffHeaders(t, 'H009');
    const [consult] = (await t.app.inject({ method: 'GET', url: '/api/v1/staff/queue', headers: lead })).json().consults;
    expect(consult).toMatchObject({ teamId: null, accountNo: null, applicationNo: null });
  });

  it('is closed by the team lead once; closing again is a conflict', async () => {
    const t = await app();
    await kiosk(t, SESSION, '转人工');
    const lead = await staffHeaders(t, 'H009');
    const [consult] = (await t.app.inject({ method: 'GET', url: '/api/v1/staff/queue', headers: lead })).json().consults;
    const close = (headers: Record<string, string>) =>
      t.app.inject({ method: 'POST', url: `/api/v1/staff/consults/${consult.id}/close`, headers, payload: { note: '已电话联系客户' } });
    expect((await close(await staffHeaders(t, 'H001'))).statusCode).toBe(404);
    const closed = await close(lead);
    expect(closed.statusCode).toBe(200);
    expect(closed.json().consult).toMatchObject({ status: 'closed', closedBy: 'H009', note: '已电话联系客户' });
    expect((await close(lead)).statusCode).toBe(409);
    // a new request after closing opens a new consult
    expect((await kiosk(t, SESSION, '转人工')).body.replies[0]).not.toContain(consult.id);
  });
});

describe('the knowledge base for staff', () => {
  it('is for team leads and admins: handlers get 403, anonymous callers 401', async () => {
    const t = await app();
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/staff/knowledge-base/outage-report' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/staff/knowledge-base/outage-report', headers: await staffHeaders(t, 'H001') })).statusCode).toBe(403);
    const lead = await staffHeaders(t, 'H009');
    const one = await t.app.inject({ method: 'GET', url: '/api/v1/staff/knowledge-base/outage-report', headers: lead });
    expect(one.statusCode).toBe(200);
    expect(one.json().entry).toMatchObject({ id: 'outage-report', source: 'file', updatedBy: null });
    const all = await t.app.inject({ method: 'GET', url: '/api/v1/staff/knowledge-base', headers: lead });
    expect(all.json().entries.length).toBeGreaterThanOrEqual(40);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/staff/knowledge-base/no-such-entry', headers: lead })).statusCode).toBe(404);
  });

  it('takes a new entry (201) that the chatbot answers from at once', async () => {
    const t = await app();
    expect((await kiosk(t, SESSION, '夜间可以装表吗')).body.intent).not.toBe('faq');
    const lead = await staffHeaders(t, 'H009');
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/staff/knowledge-base/night-work',
      headers: lead,
      payload: { question: '夜间可以装表吗', variants: ['晚上能来装电表吗'], keywords: ['夜间', '晚上'], answer: '装表接电一般在工作日白天进行，特殊情况可与经办人约定。' },
    });
    expect(put.statusCode).toBe(201);
    expect(put.json().entry).toMatchObject({ id: 'night-work', source: 'staff', updatedBy: 'H009' });
    const answered = await kiosk(t, SESSION, '晚上能不能来装电表');
    expect(answered.body).toEqual({ intent: 'faq', replies: ['装表接电一般在工作日白天进行，特殊情况可与经办人约定。'] });
  });

  it('takes an edit (200) that the chatbot uses at once and that a restart does not overwrite from the data file', async () => {
    const t = await app();
    const lead = await staffHeaders(t, 'H009');
    const answer = '请先看总开关是否跳闸；需要抢修请拨打95598，或在网上国网报修。本地抢修队24小时值班。';
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/staff/knowledge-base/outage-report',
      headers: lead,
      payload: { question: '停电了怎么报修', variants: ['家里没电了找谁'], keywords: ['停电', '报修', '95598'], answer },
    });
    expect(put.statusCode).toBe(200);
    expect((await kiosk(t, SESSION, '停电了找谁')).body.replies).toEqual([answer]);
    // what start-up does: the file's entries come back, the edited one stays
    expect(await t.app.chat.knowledge.syncFromFile()).toBe(0);
    expect((await t.app.chat.knowledge.get('outage-report')).answer).toBe(answer);
  });

  it('validates entries: the id, a question and an answer of at most 300 characters', async () => {
    const t = await app();
    const lead = await staffHeaders(t, 'H009');
    const put = (id: string, payload: unknown) => t.app.inject({ method: 'PUT', url: `/api/v1/staff/knowledge-base/${id}`, headers: lead, payload: payload as object });
    expect((await put('Bad%20Id', { question: '问', answer: '答' })).statusCode).toBe(400);
    expect((await put('ok-id', { question: '问' })).statusCode).toBe(400);
    expect((await put('ok-id', { question: '问', answer: '答'.repeat(301) })).statusCode).toBe(400);
    expect((await put('ok-id', { question: '问', answer: '答' })).statusCode).toBe(201);
  });
});
