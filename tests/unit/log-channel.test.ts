import { describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../channels/channel.ts';
import { LogChannel, maskAddress } from '../../channels/log.ts';
import { recordingLogger } from '../support/logger.ts';

const text = '【接电助手】您的用电申请 YX2026-0001 已进入“现场勘查”环节，查询码 482913。回复 TD 退订';

function outbound(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    outboxId: 'obx_42',
    to: '13800001111',
    text,
    notice: { kind: 'step-started', variables: { applicationNo: 'YX2026-0001' } },
    ...overrides,
  };
}

describe('LogChannel', () => {
  it('logs an SMS at info level with the phone masked and the text length, not the text', async () => {
    const { logger, lines, entries } = recordingLogger();
    const channel = new LogChannel('sms', logger);

    const result = await channel.send(outbound());

    expect(result).toEqual({ providerId: 'log-obx_42', status: 'delivered' });
    expect(entries()).toHaveLength(1);
    expect(entries()[0]).toMatchObject({
      level: 30,
      channel: 'sms',
      outboxId: 'obx_42',
      to: '138****1111',
      notice: 'step-started',
      textLength: Array.from(text).length,
    });
    const written = lines.join('\n');
    expect(written).not.toContain('13800001111');
    expect(written).not.toContain('现场勘查');
    expect(written).not.toContain('482913');
  });

  it('masks a WeChat contact id the same way, keeping only its ends', async () => {
    const { logger, lines, entries } = recordingLogger();
    await new LogChannel('wechat', logger).send(outbound({ to: 'wxid_customer0042' }));

    expect(entries()[0]).toMatchObject({ channel: 'wechat', to: 'wxi**********0042' });
    expect(lines.join('\n')).not.toContain('wxid_customer0042');
  });

  it('is named after its kind and the log provider', () => {
    const { logger } = recordingLogger();
    const channel = new LogChannel('wechat', logger);
    expect({ kind: channel.kind, provider: channel.provider }).toEqual({ kind: 'wechat', provider: 'log' });
  });
});

describe('maskAddress', () => {
  it.each([
    ['sms', '13800001111', '138****1111'],
    ['sms', '+86 138 0000 1111', '138****1111'],
    ['wechat', 'wxid_abcdefgh', 'wxi******efgh'],
    ['wechat', 'short', 's****'],
  ] as const)('masks %s address %s as %s', (kind, to, expected) => {
    expect(maskAddress(kind, to)).toBe(expected);
  });
});

describe('maskAddress for e-mail', () => {
  it('keeps the first character and the domain', () => {
    expect(maskAddress('email', 'zhang.san@example.cn')).toBe('z***@example.cn');
    expect(maskAddress('email', 'broken')).toBe('***');
  });
});
