// The Official Account's vendor pieces: safe-mode AES, signatures, the callback XML, the typed template fields.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aesKeyOf, decryptMessage, encryptMessage, SafeModeError } from '../../channels/wechat-oa/safe-mode.ts';
import { isValidWechatSignature, wechatSignature } from '../../channels/wechat-oa/signature.ts';
import { parseInbound, WechatXmlError } from '../../channels/wechat-oa/xml.ts';
import { fieldValue, TemplateMapError } from '../../channels/wechat-oa/template-map.ts';
import { runTemplatesCheck } from '../../server/cli/templates-check.ts';
import { templatesDir } from '../../server/app.ts';

const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APP = 'wx0123456789abcdef';

describe('safe mode', () => {
  it('encrypts as WeChat does: 16 random bytes, the length in network order, the message, the AppID, PKCS#7 to 32 bytes', () => {
    const random = Buffer.alloc(16, 7);
    const encrypted = encryptMessage(KEY, APP, '<xml>你好</xml>', random);
    const key = aesKeyOf(KEY);
    // built independently here: the same layout, padded to a multiple of 32 with the pad length as every pad byte
    const body = Buffer.from('<xml>你好</xml>');
    const plain = Buffer.concat([random, Buffer.from([0, 0, 0, body.length]), body, Buffer.from(APP)]);
    const pad = 32 - (plain.length % 32);
    const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
    cipher.setAutoPadding(false);
    const expected = Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
    expect(encrypted).toBe(expected);
    expect(Buffer.from(encrypted, 'base64').length % 32).toBe(0);
    expect(decryptMessage(KEY, APP, encrypted)).toBe('<xml>你好</xml>');
  });

  it('pads a full block with a whole block of 32s', () => {
    // 16 + 4 + 12 = 32 bytes before the AppID of 0 characters: a whole extra block of padding
    const encrypted = encryptMessage(KEY, '', 'x'.repeat(12));
    expect(Buffer.from(encrypted, 'base64').length).toBe(64);
    expect(decryptMessage(KEY, '', encrypted)).toBe('x'.repeat(12));
  });

  it('refuses a message for another AppID or under another key', () => {
    const encrypted = encryptMessage(KEY, APP, 'hello');
    expect(() => decryptMessage(KEY, 'wxsomebodyelse', encrypted)).toThrow(SafeModeError);
    expect(() => decryptMessage('Z'.repeat(43), APP, encrypted)).toThrow(SafeModeError);
  });
});

describe('signatures', () => {
  it('is the SHA-1 of the sorted, joined parts, compared exactly', () => {
    const expected = createHash('sha1').update(['1764000000', 'nonce1', 'Token'].sort().join('')).digest('hex');
    expect(wechatSignature(['Token', '1764000000', 'nonce1'])).toBe(expected);
    expect(isValidWechatSignature(['Token', '1764000000', 'nonce1'], expected)).toBe(true);
    expect(isValidWechatSignature(['Token', '1764000001', 'nonce1'], expected)).toBe(false);
    expect(isValidWechatSignature(['Token', '1764000000', 'nonce1'], undefined)).toBe(false);
    expect(isValidWechatSignature(['Token', '1764000000', 'nonce1'], 'not-hex')).toBe(false);
  });
});

describe('callback XML', () => {
  it('keeps a 19-digit MsgId as text and reads the delivery-result event', () => {
    const text = parseInbound('<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1764000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[进度 & 催办]]></Content><MsgId>9223372036854775807</MsgId></xml>');
    expect(text).toEqual({ type: 'text', openId: 'o1', toUser: 'gh_1', createTime: 1764000000, msgId: '9223372036854775807', text: '进度 & 催办' });
    const result = parseInbound('<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName><CreateTime>1764000001</CreateTime><MsgType>event</MsgType><Event>TEMPLATESENDJOBFINISH</Event><MsgID>200163836</MsgID><Status><![CDATA[failed:user block]]></Status></xml>');
    expect(result).toMatchObject({ type: 'template_result', msgId: '200163836', status: 'failed:user block' });
  });

  it('refuses a DOCTYPE (no entity expansion) and a message without its sender', () => {
    expect(() => parseInbound('<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><FromUserName>&a;</FromUserName></xml>')).toThrow(WechatXmlError);
    expect(() => parseInbound('<xml><MsgType>text</MsgType></xml>')).toThrow(WechatXmlError);
  });
});

describe('typed template fields', () => {
  const tz = 'Asia/Shanghai';
  it('shortens a thing to 20 characters and a character_string by its tail, by the one shortening rule', () => {
    const thing = fieldValue('k', 'thing1', { type: 'thing', value: '{{text}}' }, { text: '设计文件已审核通过，审核意见书明天上午可到营业厅领取。' }, tz);
    expect(thing).toBe('设计文件已审核通过，审核意见书明天上午…');
    expect([...thing]).toHaveLength(20);
    expect(fieldValue('k', 'character_string1', { type: 'character_string', value: '{{no}}' }, { no: 'YX' + '0'.repeat(40) + '123' }, tz)).toBe('0'.repeat(29) + '123');
  });

  it('formats dates and times as WeChat wants them', () => {
    expect(fieldValue('k', 'date1', { type: 'date', value: '{{d}}' }, { d: '2027-03-01' }, tz)).toBe('2027年3月1日');
    expect(fieldValue('k', 'time1', { type: 'time', value: '{{t}}' }, { t: Date.parse('2026-11-24T09:05:00+08:00') }, tz)).toBe('2026年11月24日 09:05');
  });

  it('refuses what WeChat would: a phrase over 5 characters, Chinese in a character_string, an unknown variable', () => {
    expect(() => fieldValue('k', 'phrase1', { type: 'phrase', value: '已经完成办理了' }, {}, tz)).toThrow(TemplateMapError);
    expect(() => fieldValue('k', 'character_string1', { type: 'character_string', value: '{{x}}' }, { x: '工单1' }, tz)).toThrow(TemplateMapError);
    expect(() => fieldValue('k', 'thing1', { type: 'thing', value: '{{nope}}' }, {}, tz)).toThrow(/no variable "nope"/);
  });

  it('uses the fallback for a null variable (no handler yet)', () => {
    const spec = { type: 'thing' as const, value: '{{handler.name|mask}} {{handler.phone}}', fallback: '班组长稍后与您联系' };
    expect(fieldValue('k', 'thing5', spec, { handler: null }, tz)).toBe('班组长稍后与您联系');
    expect(fieldValue('k', 'thing5', spec, { handler: { name: '李明', phone: '13912345678' } }, tz)).toBe('李* 13912345678');
  });
});

describe('templates:check and the Official Account map', () => {
  function run(edit: (map: Record<string, any>) => void): { failures: number; output: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiedian-oa-templates-'));
    fs.cpSync(templatesDir, dir, { recursive: true });
    const file = path.join(dir, 'wechat-oa.json');
    const map = JSON.parse(fs.readFileSync(file, 'utf8'));
    edit(map);
    fs.writeFileSync(file, JSON.stringify(map));
    let output = '';
    const failures = runTemplatesCheck({ dir, smsSignature: '【接电助手】', timeZone: 'Asia/Shanghai', out: { write: (chunk: string) => (output += chunk) } });
    fs.rmSync(dir, { recursive: true, force: true });
    return { failures, output };
  }

  it('passes the shipped map and prints each kind as sent', () => {
    const { failures, output } = run(() => {});
    expect(failures).toBe(0);
    expect(output).toContain('wechat-oa.json step_started (5 fields)\n    character_string1: YX2026-0001\n    thing2: 设计文件审核\n    date3: 2026年11月26日\n');
    expect(output).toMatch(/wechat-oa\.json: 7 notice kinds mapped, \d+ sample renders checked\n/);
  });

  it('fails on a customer notice left unmapped, an unknown kind, and a field a sample breaks', () => {
    const { failures, output } = run((map) => {
      delete map.connected;
      map.no_such_kind = map.plan_created;
      map.hurry_answered.fields.phrase3 = { type: 'phrase', value: '{{reply}}' };
    });
    // the broken field fails for the main sample and for the edge sample alike
    expect(failures).toBe(4);
    expect(output).toContain('FAIL wechat-oa.json: connected: not mapped (customers get this notice)');
    expect(output).toContain('FAIL wechat-oa.json: no_such_kind: no such notice kind');
    expect(output).toMatch(/FAIL wechat-oa\.json: hurry_answered\.phrase3: phrase ".*" is longer than 5 characters\n/);
    expect(output).toMatch(/FAIL wechat-oa\.json: hurry_answered\.phrase3: phrase ".*" is longer than 5 characters \(edge sample 1\)\n/);
  });
});
