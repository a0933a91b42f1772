// Safe mode (安全模式) message encryption: AES-256-CBC keyed by the EncodingAESKey, IV = the key's first 16 bytes,
// PKCS#7 padding to 32-byte blocks (not AES's 16, so Node's own padding is switched off), and a plaintext of
// 16 random bytes + the message length (4 bytes, network order) + the message + the AppID it was sent to.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const BLOCK = 32;

export class SafeModeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafeModeError';
  }
}

export function aesKeyOf(encodingAesKey: string): Buffer {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new SafeModeError('EncodingAESKey must decode to 32 bytes');
  return key;
}

export function encryptMessage(encodingAesKey: string, appId: string, message: string, random: Buffer = randomBytes(16)): string {
  const key = aesKeyOf(encodingAesKey);
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  const plain = Buffer.concat([random, length, body, Buffer.from(appId, 'utf8')]);
  const pad = BLOCK - (plain.length % BLOCK);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}

/** The message inside `encrypted`; throws SafeModeError when it does not decrypt or was meant for another AppID. */
export function decryptMessage(encodingAesKey: string, appId: string, encrypted: string): string {
  const key = aesKeyOf(encodingAesKey);
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]);
  } catch {
    throw new SafeModeError('the message does not decrypt with the EncodingAESKey');
  }
  const pad = plain.at(-1) ?? 0;
  if (pad < 1 || pad > BLOCK || plain.length < 20 + pad) throw new SafeModeError('the decrypted message has no valid padding');
  const content = plain.subarray(16, plain.length - pad);
  const length = content.readUInt32BE(0);
  if (4 + length > content.length) throw new SafeModeError('the decrypted message is shorter than its length says');
  const receiver = content.subarray(4 + length).toString('utf8');
  if (receiver !== appId) throw new SafeModeError('the message was encrypted for another AppID');
  return content.subarray(4, 4 + length).toString('utf8');
}
