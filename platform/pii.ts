/**
 * Encryption of sensitive personal data (ID and phone numbers) at rest: AES-256-GCM with a random nonce,
 * plus an HMAC for exact-match lookups without decrypting, and the masked forms shown in lists.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

const VERSION = 1;

export interface PiiCipher {
  encrypt(plain: string): Buffer;
  decrypt(sealed: Buffer): string;
  /** Keyed hash of a normalised value, for equality lookups. */
  lookupHash(plain: string): Buffer;
}

export function piiCipher(key: Buffer): PiiCipher {
  if (key.length !== 32) throw new Error('The personal-data key must be 32 bytes (PII_ENCRYPTION_KEY)');
  const hashKey = createHmac('sha256', key).update('lookup-hash').digest();
  return {
    encrypt(plain) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from([VERSION]), nonce, cipher.getAuthTag(), body]);
    },
    decrypt(sealed) {
      if (sealed[0] !== VERSION) throw new Error(`Unknown personal-data encryption version ${sealed[0]}`);
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 13));
      decipher.setAuthTag(sealed.subarray(13, 29));
      return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]).toString('utf8');
    },
    lookupHash(plain) {
      return createHmac('sha256', hashKey).update(plain.replace(/\s+/g, '').toUpperCase()).digest();
    },
  };
}

/** 13812345678 → 138****5678 */
export function maskPhone(phone: string): string {
  const p = phone.replace(/\s+/g, '');
  return p.length <= 7 ? '*'.repeat(p.length) : `${p.slice(0, 3)}${'*'.repeat(p.length - 7)}${p.slice(-4)}`;
}

/** 110101199003071234 → 110***********1234 */
export function maskIdNumber(id: string): string {
  const p = id.replace(/\s+/g, '');
  return p.length <= 7 ? '*'.repeat(p.length) : `${p.slice(0, 3)}${'*'.repeat(p.length - 7)}${p.slice(-4)}`;
}

/** 王小明 → 王** (the notice board shows this, and only with the petitioner's consent) */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  return chars.length === 0 ? '' : chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
}
