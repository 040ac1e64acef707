import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'mocha';
import { watchdog } from '../../support/processes.ts';
import { serviceMissing } from '../../support/require-service.ts';

const APACHE = '/usr/sbin/apache2';
const MODULES = '/usr/lib/apache2/modules';
const NEEDED_MODULES = ['mod_mpm_event', 'mod_authn_core', 'mod_authz_core', 'mod_authz_user', 'mod_dir', 'mod_include', 'mod_auth_openidc'];

/** One site of the Apache relying party: its own port (a virtual host) and its own registration at Satu Akun. */
export interface ApacheSite {
  port: number;
  clientId: string;
  clientSecret: string;
}

/**
 * The mod_auth_openidc part of a site, as an app developer writes it (the README's "Apache (mod_auth_openidc)"
 * section shows the same directives). `/private/` is protected; `/redirect_uri` is the module's own callback,
 * which also serves `?logout=<url>` (RP-initiated logout) and `?logout=backchannel` (back-channel logout).
 */
export const openidcDirectives = (issuer: string, site: ApacheSite): string => {
  const base = `http://127.0.0.1:${site.port}`;
  return `
  OIDCProviderMetadataURL ${issuer}/.well-known/openid-configuration
  OIDCClientID ${site.clientId}
  OIDCClientSecret ${site.clientSecret}
  OIDCRedirectURI ${base}/redirect_uri
  OIDCCryptoPassphrase ${site.clientId}-test-passphrase-0123456789
  OIDCScope "openid profile email"
  OIDCPKCEMethod S256
  OIDCRemoteUserClaim sub
  OIDCDefaultLoggedOutURL ${base}/
  # The redirect URI is handled by the module, so it must be a location the module protects.
  <Location /redirect_uri>
    AuthType openid-connect
    Require valid-user
  </Location>
  <Location /private/>
    AuthType openid-connect
    Require valid-user
  </Location>`;
};

/** The page behind `/private/`: what mod_auth_openidc hands the application (claims of the ID token and userinfo). */
const PRIVATE_PAGE = `<!doctype html><title>Signed in</title><h1>Signed in</h1>
<dl>
<dt>REMOTE_USER</dt><dd id="remote-user"><!--#echo var="REMOTE_USER" --></dd>
<dt>sub</dt><dd id="sub"><!--#echo var="OIDC_CLAIM_sub" --></dd>
<dt>name</dt><dd id="name"><!--#echo var="OIDC_CLAIM_name" --></dd>
<dt>acr</dt><dd id="acr"><!--#echo var="OIDC_CLAIM_acr" --></dd>
<dt>ID token</dt><dd id="id-token"><!--#echo var="OIDC_id_token" --></dd>
</dl>
`;
const PUBLIC_PAGE = '<!doctype html><title>Signed out</title><h1>Signed out</h1>\n';

/** For the tests only: the ID token itself (OIDC_id_token), so a test can see which algorithm signed it. */
const TEST_ONLY = '  OIDCPassIDTokenAs claims serialized';

/** A self-contained httpd.conf: nothing of /etc/apache2 is read, everything lives in `dir`. */
const httpdConf = (dir: string, issuer: string, sites: ApacheSite[]): string => `
ServerRoot ${dir}
ServerName 127.0.0.1
PidFile ${dir}/httpd.pid
DefaultRuntimeDir ${dir}
ErrorLog ${dir}/error.log
LogLevel warn auth_openidc:info
${NEEDED_MODULES.map((m) => `LoadModule ${m.slice(4)}_module ${MODULES}/${m}.so`).join('\n')}
${process.getuid?.() === 0 ? 'User www-data\nGroup www-data' : ''}
StartServers 1
ServerLimit 1
ThreadsPerChild 16
MaxRequestWorkers 16
MinSpareThreads 1
MaxSpareThreads 32
DocumentRoot ${dir}/htdocs
DirectoryIndex index.shtml
<Directory ${dir}/htdocs>
  Options +Includes
  <Files "*.shtml">
    SetOutputFilter INCLUDES
    ForceType "text/html; charset=utf-8"
  </Files>
</Directory>
${sites.map((site) => `Listen 127.0.0.1:${site.port}\n<VirtualHost 127.0.0.1:${site.port}>${openidcDirectives(issuer, site)}\n${TEST_ONLY}\n</VirtualHost>`).join('\n')}
`;

const answers = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
const allAnswer = async (sites: ApacheSite[]) => (await Promise.all(sites.map((site) => answers(site.port)))).every(Boolean);

/**
 * Debian's Apache with mod_auth_openidc (package libapache2-mod-auth-openidc) as a relying party: one process, one
 * virtual host per site, started in the foreground from a configuration in a fresh temporary directory.
 */
/** Skips (locally) or fails (CI) the calling test when Apache or one of the modules is not installed. */
export const requireApache = (ctx: Context): void => {
  if (!existsSync(APACHE)) serviceMissing(ctx, 'apache2', `${APACHE} not found (Debian package apache2)`);
  for (const module of NEEDED_MODULES) {
    if (!existsSync(`${MODULES}/${module}.so`)) {
      serviceMissing(ctx, 'apache2', `${MODULES}/${module}.so not found (Debian packages apache2, libapache2-mod-auth-openidc)`);
    }
  }
};

export const startApacheRp = async (ctx: Context, issuer: string, sites: ApacheSite[]) => {
  requireApache(ctx);
  const dir = mkdtempSync(join(tmpdir(), 'satu-akun-apache-'));
  // As root, Apache serves from www-data children, which must read the pages.
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'htdocs', 'private'), { recursive: true, mode: 0o755 });
  writeFileSync(join(dir, 'htdocs', 'index.shtml'), PUBLIC_PAGE, { mode: 0o644 });
  writeFileSync(join(dir, 'htdocs', 'private', 'index.shtml'), PRIVATE_PAGE, { mode: 0o644 });
  writeFileSync(join(dir, 'httpd.conf'), httpdConf(dir, issuer, sites));
  watchdog(dir, join(dir, 'httpd.pid'), 'TERM');

  const child = spawn(APACHE, ['-f', join(dir, 'httpd.conf'), '-DFOREGROUND'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = () => child.kill('SIGTERM');
  process.once('exit', stop);
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const errorLog = join(dir, 'error.log');
  // Apache logs to its error log once running, so readiness is the pid file and every site answering.
  for (const deadline = Date.now() + 10_000; !(existsSync(join(dir, 'httpd.pid')) && (await allAnswer(sites))); ) {
    if (child.exitCode !== null || Date.now() > deadline) {
      stop();
      const log = existsSync(errorLog) ? readFileSync(errorLog, 'utf8').slice(-4000) : '';
      throw new Error(`apache2 did not start (exit ${child.exitCode}):\n${output}\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    urls: sites.map((site) => `http://127.0.0.1:${site.port}`),
    errorLog,
    close: async () => {
      process.off('exit', stop);
      if (child.exitCode === null) {
        stop();
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
export type ApacheRp = Awaited<ReturnType<typeof startApacheRp>>;
