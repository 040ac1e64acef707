import { expect } from 'chai';
import { configSchema } from '../../src/config/schema.ts';
import { createTtl } from '../../src/oidc/ttl.ts';

describe('session lifetime', () => {
  const ttl = createTtl(configSchema.parse({ session: { idleMinutes: 30, absoluteHours: 10 } }));
  const now = () => Math.floor(Date.now() / 1000);

  it('expires an idle session after the idle timeout', () => {
    expect(ttl.Session(undefined, { loginTs: now() })).to.equal(30 * 60);
    expect(ttl.Session(undefined, {})).to.equal(30 * 60);
  });

  it('never lets activity extend a session past its absolute lifetime', () => {
    expect(ttl.Session(undefined, { loginTs: now() - (10 * 3600 - 600) })).to.be.within(599, 600);
    expect(ttl.Session(undefined, { loginTs: now() - 11 * 3600 })).to.equal(1);
  });
});
