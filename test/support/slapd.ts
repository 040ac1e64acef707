import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { freePort } from './processes.ts';

const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
const SCHEMA_DIR = '/etc/ldap/schema';
const MODULE_DIR = '/usr/lib/ldap';

/** A running throw-away slapd. */
export interface Slapd {
  /** `ldap://127.0.0.1:PORT` */
  url: string;
  /** `ldaps://127.0.0.1:PORT` when started with `tls`. */
  ldapsUrl?: string;
  rootDn: string;
  rootPw: string;
  /** slapd's process id (the benchmark measures and pins it). */
  pid: number;
  close(): Promise<void>;
}

/** Whether OpenLDAP's slapd and slapadd (Debian package `slapd`) are installed. */
export const slapdAvailable = (): boolean =>
  [SLAPD, SLAPADD, `${SCHEMA_DIR}/core.schema`, `${SCHEMA_DIR}/inetorgperson.schema`].every((p) => existsSync(p));

const answers = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/**
 * Runs a real OpenLDAP slapd in a fresh temporary directory: slapd.conf with the standard schemas (plus
 * `schemaExtra`, text in slapd.conf schema syntax), an mdb database loaded with `ldif` by slapadd before start.
 * Anonymous users may only bind, as on a hardened production directory; authenticated users read everything except
 * passwords. `tls` (PEM file paths) adds an ldaps listener and enables StartTLS on the plain one.
 */
export const startSlapd = async (options: {
  ldif: string;
  schemaExtra?: string;
  suffix?: string;
  rootDn?: string;
  rootPw?: string;
  /** PEM paths; `required` makes slapd refuse any operation but StartTLS on an unencrypted connection. */
  tls?: { certFile: string; keyFile: string; required?: boolean };
  /**
   * Loads the memberof overlay, as directories that grant roles by group do: adding a DN to a `groupOfNames`'s
   * `member` (online, not by slapadd, which runs no overlay) gives that entry a `memberOf` value naming the group.
   */
  memberOf?: boolean;
  /** Attributes given an equality index (`index <attr> eq`), as a production directory indexes its login attributes. */
  equalityIndexes?: string[];
}): Promise<Slapd> => {
  const suffix = options.suffix ?? 'dc=contoh,dc=go,dc=id';
  const rootDn = options.rootDn ?? `cn=admin,${suffix}`;
  const rootPw = options.rootPw ?? 'test-root-password';
  const dir = await mkdtemp(join(tmpdir(), 'satu-akun-slapd-'));
  let child: ChildProcess | undefined;
  try {
    await mkdir(join(dir, 'data'));
    if (options.schemaExtra) await writeFile(join(dir, 'extra.schema'), options.schemaExtra);
    const conf = join(dir, 'slapd.conf');
    await writeFile(
      conf,
      [
        ...['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `include ${SCHEMA_DIR}/${s}.schema`),
        options.schemaExtra ? `include ${join(dir, 'extra.schema')}` : '',
        `pidfile ${join(dir, 'slapd.pid')}`,
        `argsfile ${join(dir, 'slapd.args')}`,
        `modulepath ${MODULE_DIR}`,
        'moduleload back_mdb',
        options.memberOf ? 'moduleload memberof' : '',
        options.tls ? `TLSCertificateFile ${options.tls.certFile}\nTLSCertificateKeyFile ${options.tls.keyFile}` : '',
        options.tls?.required ? 'security tls=1' : '',
        'database mdb',
        'maxsize 104857600',
        `suffix "${suffix}"`,
        `rootdn "${rootDn}"`,
        `rootpw ${rootPw}`,
        `directory ${join(dir, 'data')}`,
        ...(options.equalityIndexes ?? []).map((a) => `index ${a} eq`),
        options.memberOf ? 'overlay memberof' : '',
        'access to attrs=userPassword by anonymous auth by * none',
        'access to * by users read by * none',
        '',
      ].join('\n'),
    );
    await writeFile(join(dir, 'data.ldif'), options.ldif);
    const load = spawnSync(SLAPADD, ['-q', '-f', conf, '-l', join(dir, 'data.ldif')], { encoding: 'utf8' });
    if (load.status !== 0) throw new Error(`slapadd failed (${load.status}): ${load.stderr}`);

    const port = await freePort();
    const tlsPort = options.tls ? await freePort() : undefined;
    const urls = [`ldap://127.0.0.1:${port}/`, ...(tlsPort ? [`ldaps://127.0.0.1:${tlsPort}/`] : [])].join(' ');
    // `-d 0` keeps slapd in the foreground, so it is our child and dies with the test run.
    const proc = spawn(SLAPD, ['-f', conf, '-h', urls, '-d', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 10_000;
    while (!(await answers(port))) {
      if (proc.exitCode !== null) throw new Error(`slapd exited (${proc.exitCode}): ${stderr}`);
      if (Date.now() > deadline) throw new Error(`slapd did not answer on port ${port}: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return {
      url: `ldap://127.0.0.1:${port}`,
      ...(tlsPort ? { ldapsUrl: `ldaps://127.0.0.1:${tlsPort}` } : {}),
      rootDn,
      rootPw,
      pid: proc.pid!,
      close: async () => {
        await stop(proc);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (child) await stop(child);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
};

/** Runs `use` with a client bound as the directory's administrator (adding, changing and removing entries). */
export const asDirectoryAdmin = async <T>(slapd: Slapd, use: (client: Client) => Promise<T>): Promise<T> => {
  const client = new Client({ url: slapd.url, timeout: 5000 });
  try {
    await client.bind(slapd.rootDn, slapd.rootPw);
    return await use(client);
  } finally {
    await client.unbind();
  }
};

const stop = (proc: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    const force = setTimeout(() => proc.kill('SIGKILL'), 3000);
    proc.once('exit', () => (clearTimeout(force), resolve()));
    proc.kill('SIGTERM');
  });
