import { randomBytes } from 'node:crypto';
import { maskIdNumber, maskName, maskPhone, piiCipher } from '../../platform/pii';
import { hashPassword, verifyPassword } from '../../platform/password';

describe('personal data protection', () => {
  const cipher = piiCipher(randomBytes(32));

  it('when a phone number is encrypted, then it decrypts to itself and the ciphertext does not contain it', () => {
    // when
    const sealed = cipher.encrypt('13812345678');
    // then
    expect(sealed.toString('latin1')).not.toContain('13812345678');
    expect(cipher.decrypt(sealed)).toBe('13812345678');
    expect(cipher.encrypt('13812345678').equals(sealed)).toBe(false);
  });

  it('when the ciphertext is tampered with, then decryption fails', () => {
    const sealed = cipher.encrypt('110101199003071234');
    sealed[sealed.length - 1] ^= 1;
    expect(() => cipher.decrypt(sealed)).toThrow();
  });

  it('when the same number is written differently, then the lookup hash matches', () => {
    expect(cipher.lookupHash('138 1234 5678').equals(cipher.lookupHash('13812345678'))).toBe(true);
    expect(cipher.lookupHash('11010119900307123x').equals(cipher.lookupHash('11010119900307123X'))).toBe(true);
  });

  it('masks phone, ID numbers and names for lists and the notice board', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskIdNumber('110101199003071234')).toBe('110***********1234');
    expect(maskName('王小明')).toBe('王**');
    expect(maskName('王五')).toBe('王*');
  });
});

describe('passwords', () => {
  it('when a password is hashed, then only the same password verifies', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^scrypt\$/);
    await expect(verifyPassword('correct horse', hash)).resolves.toBe(true);
    await expect(verifyPassword('wrong horse', hash)).resolves.toBe(false);
  });
});
