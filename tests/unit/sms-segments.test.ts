import { describe, expect, it } from 'vitest';
import { MAX_SMS_SEGMENTS, smsSegments } from '../../server/domain/sms-segments.ts';

describe('smsSegments', () => {
  it('allows at most 3 segments', () => {
    expect(MAX_SMS_SEGMENTS).toBe(3);
  });

  it('counts an empty text as no segment', () => {
    expect(smsSegments('')).toEqual({ encoding: 'gsm7', units: 0, segments: 0 });
  });

  it('sends plain Latin text as GSM-7: 160 characters single, 153 per part when concatenated', () => {
    expect(smsSegments('Hello')).toEqual({ encoding: 'gsm7', units: 5, segments: 1 });
    expect(smsSegments('a'.repeat(160)).segments).toBe(1);
    expect(smsSegments('a'.repeat(161)).segments).toBe(2);
    expect(smsSegments('a'.repeat(306)).segments).toBe(2);
    expect(smsSegments('a'.repeat(307)).segments).toBe(3);
    expect(smsSegments('a'.repeat(459)).segments).toBe(3);
    expect(smsSegments('a'.repeat(460)).segments).toBe(4);
  });

  it('counts GSM-7 extension characters as two septets', () => {
    expect(smsSegments('{'.repeat(80))).toEqual({ encoding: 'gsm7', units: 160, segments: 1 });
    expect(smsSegments('€'.repeat(81))).toEqual({ encoding: 'gsm7', units: 162, segments: 2 });
    expect(smsSegments('[a]~|^\\').units).toBe(13);
  });

  it('never splits an escape pair across two parts', () => {
    // 306 septets would fill two parts exactly, but the € cannot straddle the first boundary.
    expect(smsSegments('a'.repeat(152) + '€' + 'a'.repeat(152))).toEqual({ encoding: 'gsm7', units: 306, segments: 3 });
  });

  it('keeps accented letters of the GSM alphabet in GSM-7 and falls back to UCS-2 for the others', () => {
    expect(smsSegments('Café £5 Ç').encoding).toBe('gsm7');
    expect(smsSegments('façade').encoding).toBe('ucs2');
  });

  it('sends any Chinese as UCS-2: 70 characters single, 67 per part', () => {
    expect(smsSegments('abc电')).toEqual({ encoding: 'ucs2', units: 4, segments: 1 });
    expect(smsSegments('电'.repeat(70)).segments).toBe(1);
    expect(smsSegments('电'.repeat(71)).segments).toBe(2);
    expect(smsSegments('电'.repeat(134)).segments).toBe(2);
    expect(smsSegments('电'.repeat(135)).segments).toBe(3);
    expect(smsSegments('电'.repeat(201)).segments).toBe(3);
    expect(smsSegments('电'.repeat(202)).segments).toBe(4);
  });

  it('counts UTF-16 code units in UCS-2, so an emoji takes two', () => {
    expect(smsSegments('😀')).toEqual({ encoding: 'ucs2', units: 2, segments: 1 });
    expect(smsSegments('😀'.repeat(35)).segments).toBe(1);
    expect(smsSegments('😀'.repeat(36))).toEqual({ encoding: 'ucs2', units: 72, segments: 2 });
  });

  it('never splits a surrogate pair across two parts', () => {
    // 134 units would fill two parts exactly; the emoji after 66 characters moves to the second part.
    expect(smsSegments('电'.repeat(66) + '😀'.repeat(34))).toEqual({ encoding: 'ucs2', units: 134, segments: 3 });
  });
});
