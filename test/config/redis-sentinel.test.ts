import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config/load.ts';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration: Redis directly or through Sentinel', () => {
  it('reads the sentinels, the master group (mymaster by default) and both passwords', () => {
    const config = loadConfig({ SATU_AKUN_REDIS_SENTINELS: '10.0.0.5:26379, redis-b.contoh.go.id:26380,[fd00::7]:26379' });
    expect(config.redisSentinel).to.deep.equal({
      hosts: [{ host: '10.0.0.5', port: 26379 }, { host: 'redis-b.contoh.go.id', port: 26380 }, { host: 'fd00::7', port: 26379 }],
      name: 'mymaster',
    });
    expect(config.redisUrl).to.equal(undefined);
    const named = loadConfig({ SATU_AKUN_REDIS_SENTINELS: '10.0.0.5:26379', SATU_AKUN_REDIS_SENTINEL_NAME: 'satu-akun', SATU_AKUN_REDIS_SENTINEL_PASSWORD: 's-pass', SATU_AKUN_REDIS_SENTINEL_MASTER_PASSWORD: 'r-pass' });
    expect(named.redisSentinel).to.deep.include({ name: 'satu-akun', password: 's-pass', masterPassword: 'r-pass' });
  });

  it('refuses both a URL and sentinels, and sentinels that are not host:port, all at once with the other problems', () => {
    const problems = problemsOf({ SATU_AKUN_REDIS_URL: 'redis://127.0.0.1:6379', SATU_AKUN_REDIS_SENTINELS: '10.0.0.5, 10.0.0.6:99999,10.0.0.7:26379', SATU_AKUN_PORT: 'eighty' });
    expect(problems).to.have.length(3);
    const text = problems.join('\n');
    expect(text).to.contain('SATU_AKUN_REDIS_URL').and.contain('not both');
    expect(text).to.contain('redisSentinel.hosts (SATU_AKUN_REDIS_SENTINELS): each sentinel is host:port (e.g. 10.0.0.5:26379), not: 10.0.0.5, 10.0.0.6:99999');
    expect(text).to.contain('SATU_AKUN_PORT');
  });

  it('refuses a master group name or password without sentinels, naming the variable that is missing', () => {
    const text = problemsOf({ SATU_AKUN_REDIS_SENTINEL_NAME: 'satu-akun' }).join('\n');
    expect(text).to.contain('redisSentinel.hosts (SATU_AKUN_REDIS_SENTINELS)');
  });
});
