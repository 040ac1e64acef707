import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, developmentWarnings, ENV_VARS, loadConfig } from '../../src/config/load.ts';
import { configSchema } from '../../src/config/schema.ts';
import { readClientsFile } from '../../src/clients/clients.repo.ts';
import { firstFactorProofOf } from '../../src/mfa/enrolment-proof.service.ts';

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

const tmp = () => mkdtempSync(join(tmpdir(), 'satu-akun-config-'));

describe('configuration', () => {
  it('runs on embedded defaults with no configuration at all', () => {
    const config = loadConfig({});
    expect(config).to.nested.include({ env: 'development', port: 3000, issuer: 'http://localhost:3000', 'database.client': 'sqlite', 'directory.mode': 'embedded', demoApps: true });
    expect(config.session).to.deep.equal({ idleMinutes: 30, absoluteHours: 10 });
    expect(developmentWarnings(config)).to.have.length.greaterThan(2);
  });

  it('reads environment variables, including lists, numbers and booleans', () => {
    const config = loadConfig({
      SATU_AKUN_PORT: '8080',
      SATU_AKUN_TRUST_PROXY: 'true',
      SATU_AKUN_REGENCY_DOMAINS: 'kutaitimurkab.go.id, kutimkab.go.id',
      SATU_AKUN_LDAP_LOGIN_ATTRIBUTES: 'sAMAccountName,userPrincipalName',
      SATU_AKUN_LDAP_ATTR_ID: 'objectGUID',
      SATU_AKUN_ROLE_ADMINISTRATORS: 'andi.wijaya, siti.rahmawati',
    });
    expect(config.port).to.equal(8080);
    expect(config.trustProxy).to.equal(true);
    expect(config.regency.domains).to.deep.equal(['kutaitimurkab.go.id', 'kutimkab.go.id']);
    expect(config.directory.loginAttributes).to.deep.equal(['sAMAccountName', 'userPrincipalName']);
    expect(config.directory.attributes.id).to.equal('objectGUID');
    expect(config.directory.attributes.nip, 'other mappings keep their defaults').to.equal('employeeNumber');
    expect(config.roles.administrator).to.deep.equal([{ login: 'andi.wijaya' }, { login: 'siti.rahmawati' }]);
  });

  it('reports every problem at once, naming the variable', () => {
    const problems = problemsOf(() =>
      loadConfig({ SATU_AKUN_PORT: 'eighty', SATU_AKUN_ISSUER: 'not a url', SATU_AKUN_DB_CLIENT: 'mysql', SATU_AKUN_PORTT: '1' }),
    );
    expect(problems).to.have.length(4);
    expect(problems.join('\n')).to.contain('SATU_AKUN_PORT').and.contain('SATU_AKUN_ISSUER').and.contain('SATU_AKUN_DB_CLIENT').and.contain('SATU_AKUN_PORTT: unknown variable');
  });

  it('rejects unknown keys in the configuration file, and lets the environment win over it', () => {
    const dir = tmp();
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ port: 4000, regency: { name: 'Kabupaten Kapuas', colour: 'green' } }));
    expect(problemsOf(() => loadConfig({ SATU_AKUN_CONFIG: file })).join('\n')).to.match(/regency.*colour|colour.*regency/);
    writeFileSync(file, JSON.stringify({ port: 4000, regency: { name: 'Kabupaten Kapuas' } }));
    const config = loadConfig({ SATU_AKUN_CONFIG: file, SATU_AKUN_PORT: '5000' });
    expect(config.port).to.equal(5000);
    expect(config.regency.name).to.equal('Kabupaten Kapuas');
  });

  it('refuses a second-factor key that is not 32 bytes', () => {
    expect(problemsOf(() => loadConfig({ SATU_AKUN_MFA_KEYS: 'too-short' })).join()).to.contain('32 bytes');
  });

  it('reports an unreadable configuration file', () => {
    const problems = problemsOf(() => loadConfig({ SATU_AKUN_CONFIG: '/nonexistent/satu-akun.json' }));
    expect(problems[0]).to.match(/SATU_AKUN_CONFIG=\/nonexistent\/satu-akun\.json: cannot read JSON/);
  });

  it('refuses development defaults in production', () => {
    const problems = problemsOf(() => loadConfig({ SATU_AKUN_ENV: 'production', SATU_AKUN_DB_CLIENT: 'pg' }));
    const text = problems.join('\n');
    for (const expected of ['SATU_AKUN_DB_URL', 'SATU_AKUN_COOKIE_KEYS', 'SATU_AKUN_MFA_KEYS', 'SATU_AKUN_CLIENT_SECRET_KEYS', 'SATU_AKUN_AUDIT_CHECKPOINT_KEY', 'must be https://', 'embedded sample directory', 'demo apps']) expect(text).to.contain(expected);
  });

  it('accepts a complete production configuration', () => {
    const config = loadConfig({
      SATU_AKUN_ENV: 'production',
      SATU_AKUN_ISSUER: 'https://sso.contoh.go.id',
      SATU_AKUN_COOKIE_KEYS: 'a'.repeat(32),
      SATU_AKUN_MFA_KEYS: Buffer.alloc(32, 7).toString('base64url'),
      SATU_AKUN_CLIENT_SECRET_KEYS: 'c'.repeat(32),
      SATU_AKUN_AUDIT_CHECKPOINT_KEY: Buffer.alloc(32, 9).toString('base64url'),
      SATU_AKUN_LDAP_MODE: 'ldap',
      SATU_AKUN_DEMO_APPS: 'false',
      SATU_AKUN_DB_CLIENT: 'pg',
      SATU_AKUN_DB_URL: 'postgres://satu:secret@db/satu',
    });
    expect(developmentWarnings(config).join()).not.to.contain('development defaults');
  });

  it('maps every documented variable to a real configuration path', () => {
    // Walks the schema through defaults/optionals and preprocessors down to the named key.
    type Node = { def?: { innerType?: Node; out?: Node }; shape?: Record<string, Node> };
    const exists = (path: string) => {
      let node: Node | undefined = configSchema as unknown as Node;
      for (const key of path.split('.')) {
        while (node && !node.shape && (node.def?.innerType || node.def?.out)) node = node.def.innerType ?? node.def.out;
        node = node?.shape?.[key];
        if (!node) return false;
      }
      return true;
    };
    for (const [name, path] of Object.entries(ENV_VARS)) expect(exists(path), `${name} → ${path}`).to.equal(true);
    expect(exists('directory.attributes.nope')).to.equal(false);
  });

  it('validates the clients file with a message per problem', () => {
    const dir = tmp();
    const file = join(dir, 'clients.json');
    writeFileSync(file, JSON.stringify([{ client_id: 'x', client_name: 'X', redirect_uris: ['not a url'], client_secret: 'short' }]));
    const problems = problemsOf(() => readClientsFile(file));
    expect(problems.join('\n')).to.contain('redirect_uris').and.contain('client_secret');
    writeFileSync(file, JSON.stringify([{ client_id: 'x', client_name: 'X', redirect_uris: ['https://x.contoh.go.id/cb'] }]));
    expect(problemsOf(() => readClientsFile(file)).join('\n')).to.contain('needs client_secret');
  });

  it('chooses the first-factor proof: none with the sample directory, e-mail with SMTP, else an administrator code', () => {
    const ldap = { SATU_AKUN_LDAP_MODE: 'ldap', SATU_AKUN_LDAP_URL: 'ldap://ldap.contoh.go.id', SATU_AKUN_LDAP_BASE_DN: 'dc=contoh,dc=go,dc=id' };
    expect(firstFactorProofOf(loadConfig({}))).to.equal('none');
    expect(firstFactorProofOf(loadConfig(ldap))).to.equal('code');
    expect(firstFactorProofOf(loadConfig({ ...ldap, SATU_AKUN_SMTP_URL: 'smtp://mail.contoh.go.id' }))).to.equal('email');
    expect(firstFactorProofOf(loadConfig({ ...ldap, SATU_AKUN_MFA_FIRST_FACTOR_PROOF: 'none' }))).to.equal('none');
    expect(problemsOf(() => loadConfig({ SATU_AKUN_MFA_FIRST_FACTOR_PROOF: 'email' })).join('\n')).to.contain('`email` needs SATU_AKUN_SMTP_URL');
  });
});
