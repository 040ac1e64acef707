import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { createSecretBox } from '../../src/mfa/secret-box.ts';

describe('mfa secret box (AES-256-GCM at rest)', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

  it('round-trips, with a fresh nonce every time', () => {
    const box = createSecretBox([oldKey]);
    const a = box.encrypt(SECRET, 'totp:sub-1');
    const b = box.encrypt(SECRET, 'totp:sub-1');
    expect(a).to.match(/^v1\.[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(a).not.to.equal(b);
    expect(a).not.to.contain(SECRET);
    expect(box.decrypt(a, 'totp:sub-1')).to.equal(SECRET);
  });

  it('rotates by prepending a key: old values still open, new values use the new key', () => {
    const sealedOld = createSecretBox([oldKey]).encrypt(SECRET, 'ctx');
    const rotated = createSecretBox([newKey, oldKey]);
    expect(rotated.decrypt(sealedOld, 'ctx')).to.equal(SECRET);
    const sealedNew = rotated.encrypt(SECRET, 'ctx');
    expect(sealedNew.split('.')[1]).not.to.equal(sealedOld.split('.')[1]);
    expect(createSecretBox([newKey]).decrypt(sealedNew, 'ctx')).to.equal(SECRET);
    // Once the old key is dropped, values sealed with it fail loudly instead of decrypting to garbage.
    expect(() => createSecretBox([newKey]).decrypt(sealedOld, 'ctx')).to.throw(/no longer configured/);
  });

  it('detects tampering with any part, and a value moved to another context', () => {
    const box = createSecretBox([oldKey]);
    const sealed = box.encrypt(SECRET, 'totp:sub-1');
    const parts = sealed.split('.');
    const flip = (s: string) => {
      const bytes = Buffer.from(s, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      return bytes.toString('base64url');
    };
    for (const i of [2, 3, 4]) {
      const altered = parts.map((p, j) => (j === i ? flip(p) : p)).join('.');
      expect(() => box.decrypt(altered, 'totp:sub-1'), `part ${i}`).to.throw(/authentication|malformed/);
    }
    expect(() => box.decrypt(sealed, 'totp:sub-2')).to.throw(/authentication/);
    expect(() => box.decrypt(parts.slice(0, 4).join('.'), 'totp:sub-1')).to.throw(/malformed/);
    expect(() => box.decrypt(`v2.${parts.slice(1).join('.')}`, 'totp:sub-1')).to.throw(/malformed/);
    // A truncated tag must not be accepted (GCM would otherwise verify fewer bytes).
    const shortTag = [...parts.slice(0, 3), Buffer.from(parts[3]!, 'base64url').subarray(0, 4).toString('base64url'), parts[4]].join('.');
    expect(() => box.decrypt(shortTag, 'totp:sub-1')).to.throw(/malformed/);
  });

  it('refuses keys that are not 256 bits, or no key at all', () => {
    expect(() => createSecretBox([])).to.throw(/at least one key/);
    expect(() => createSecretBox([randomBytes(16)])).to.throw(/32 bytes/);
  });
});
