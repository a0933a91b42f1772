// WeChat's callback signatures: `signature` over token, timestamp and nonce (every callback and the URL check), and
// in safe mode `msg_signature` over the same plus the encrypted message. Both are SHA-1 of the sorted, joined parts.
import { createHash, timingSafeEqual } from 'node:crypto';

export function wechatSignature(parts: string[]): string {
  return createHash('sha1').update([...parts].sort().join('')).digest('hex');
}

/** True when `given` is the signature of `parts`; compared in constant time. */
export function isValidWechatSignature(parts: string[], given: unknown): boolean {
  if (typeof given !== 'string' || !/^[0-9a-f]{40}$/i.test(given)) return false;
  const expected = Buffer.from(wechatSignature(parts), 'hex');
  return timingSafeEqual(expected, Buffer.from(given.toLowerCase(), 'hex'));
}
