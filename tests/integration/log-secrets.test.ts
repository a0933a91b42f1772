// Secrets that arrive in a URL's query (the SMS callback token, an unsubscribe token, an authorization code) never
// reach the request log: the app's request serializer replaces their values, whatever logger options it is given.
import { describe, expect, it } from 'vitest';
import { loggableUrl } from '../../server/http-server.ts';
import { CALLBACK_TOKEN, aliyun, tencent } from '../support/template-sms.ts';

function capturingLogger() {
  const lines: string[] = [];
  return { logger: { level: 'info', stream: { write: (line: string) => void lines.push(line) } }, lines };
}

describe('request logs', () => {
  it.each([aliyun, tencent])('leave out SMS_CALLBACK_TOKEN of $name callbacks, accepted or refused, and keep the rest of the URL', async (provider) => {
    const { logger, lines } = capturingLogger();
    const { t } = await provider.build({ deps: { logger } });
    const reply = provider.reply('13911112222', 'JD', 1);
    expect((await t.app.inject({ method: 'POST', url: reply.url, payload: reply.payload as object })).statusCode).toBe(200);
    const wrong = reply.url.replace(CALLBACK_TOKEN, 'a-wrong-token-0123456789');
    expect((await t.app.inject({ method: 'POST', url: `${wrong}&from=carrier`, payload: reply.payload as object })).statusCode).toBe(401);

    const logged = lines.join('\n');
    expect(logged).not.toContain(CALLBACK_TOKEN);
    expect(logged).not.toContain('a-wrong-token-0123456789');
    const urls = lines.map((line) => (JSON.parse(line) as { req?: { url?: string } }).req?.url).filter((url) => url !== undefined);
    const path = reply.url.split('?')[0]!;
    expect(urls).toEqual([`${path}?token=[redacted]`, `${path}?token=[redacted]&from=carrier`]);
  });

  it('leave out every secret query parameter, in any case and position, and nothing else', () => {
    expect(loggableUrl('/email/unsubscribe?token=abc.def')).toBe('/email/unsubscribe?token=[redacted]');
    expect(loggableUrl('/m?applicationNo=YX1&code=0a1b2c&state=x')).toBe('/m?applicationNo=YX1&code=[redacted]&state=x');
    expect(loggableUrl('/x?Token=1&access_token=2#frag')).toBe('/x?Token=[redacted]&access_token=[redacted]#frag');
    expect(loggableUrl('/api/v1/progress/YX1?mytoken=1&codes=2')).toBe('/api/v1/progress/YX1?mytoken=1&codes=2');
  });
});
