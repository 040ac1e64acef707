/**
 * A large OpenLDAP directory for bench/directory-scale.ts: N generated staff as LDIF (streamed to a file,
 * deterministic: the same N gives the same file), loaded into a throw-away slapd (mdb) with `slapadd -q`, with the
 * equality indexes the provider's searches need. The tree is the sample tree's (`ou=people`, the service account
 * under `ou=services`), so bench/server.ts finds it with `--ldap-url` alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { connect } from 'node:net';
import {
  loadSampleStaff,
  SAMPLE_BASE_DN,
  SAMPLE_PASSWORD,
  SAMPLE_PEOPLE_DN,
  SAMPLE_SERVICE_DN,
  SAMPLE_SERVICE_PASSWORD,
  SAMPLE_SERVICES_DN,
  sshaHash,
} from '../src/directory/sample/index.ts';
import { freePort, pinned, stop } from './procs.ts';

const SCHEMA_DIR = '/etc/ldap/schema';

/**
 * What the provider searches by (src/directory/ldap.ts with the default configuration): the user filter
 * `(objectClass=inetOrgPerson)` AND-ed with `(|(uid=x)(employeeNumber=x)(mail=x))` at sign-in, and `entryUUID=x` when it
 * looks a person up by id. Without these, slapd scans every entry under the base for each search.
 */
export const INDEXES = ['objectClass eq', 'uid eq', 'mail eq', 'employeeNumber eq', 'entryUUID eq'];

const GIVEN = 'Agus,Budi,Joko,Slamet,Heru,Teguh,Eko,Bayu,Sri,Endang,Wulan,Ratna,Dewi,Yuni,Asep,Dedi,Euis,Rina,Benny,Maria,Fitri,Rahma,Andi,Siti'.split(',');
const FAMILY = 'Santoso,Wibowo,Hartono,Prasetyo,Nugroho,Setiawan,Permana,Hidayat,Nasution,Siregar,Lubis,Chaniago,Tanjung,Sudarma,Hamzah,Pattiasina,Ramadhan,Maulana'.split(',');
const GRADES = ['II/c', 'III/a', 'III/b', 'III/c', 'III/d', 'IV/a'];
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The login of generated person `i` (0-based); the bench signs in with these and SAMPLE_PASSWORD. */
export const loginOf = (i: number) => `pegawai${pad(i, 7)}`;

/** An 18-digit NIP (birth date, appointment month, sex, sequence), unique per `i` below 10,000,000. */
const nipOf = (i: number) => {
  const birth = new Date(Date.UTC(1966, 0, 1) + Math.floor(i / 1000) * 86_400_000 * 1.2);
  const ymd = `${birth.getUTCFullYear()}${pad(birth.getUTCMonth() + 1, 2)}${pad(birth.getUTCDate(), 2)}`;
  return `${ymd}${birth.getUTCFullYear() + 25}${pad(1 + (i % 12), 2)}${1 + (i % 2)}${pad(i % 1000, 3)}`;
};

/** A v4-shaped UUID from a hash of `i`: stable across runs, as a real directory's entryUUID is. */
const uuidOf = (i: number) => {
  const h = createHash('sha1').update(`bench-${i}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/** Writes the LDIF of `count` people to `file`, calling `progress` every 100,000 entries. */
export const writeLdif = async (file: string, count: number, progress: (done: number) => void = () => {}): Promise<void> => {
  const agencies = loadSampleStaff().agencies;
  const password = sshaHash(SAMPLE_PASSWORD, Buffer.from('benchsal')); // one hash for all: slapd's bind cost is per bind, not per entry
  const out = createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`dn: ${SAMPLE_BASE_DN}\nobjectClass: top\nobjectClass: dcObject\nobjectClass: organization\ndc: contoh\no: Pemerintah Kabupaten Contoh\n\n`);
  await write(`dn: ${SAMPLE_PEOPLE_DN}\nobjectClass: organizationalUnit\nou: people\n\n`);
  await write(`dn: ${SAMPLE_SERVICES_DN}\nobjectClass: organizationalUnit\nou: services\n\n`);
  await write(`dn: ${SAMPLE_SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: satu-akun\nuserPassword: ${sshaHash(SAMPLE_SERVICE_PASSWORD)}\n\n`);
  for (let i = 0; i < count; i++) {
    const given = GIVEN[i % GIVEN.length]!;
    const family = FAMILY[Math.floor(i / GIVEN.length) % FAMILY.length]!;
    const agency = agencies[i % agencies.length]!;
    const uid = loginOf(i);
    await write(
      `dn: uid=${uid},${SAMPLE_PEOPLE_DN}\nobjectClass: inetOrgPerson\nuid: ${uid}\ncn: ${given} ${family}\ngivenName: ${given}\nsn: ${family}\n` +
        `mail: ${uid}@contoh.go.id\nemployeeNumber: ${nipOf(i)}\nemployeeType: pns\ndepartmentNumber: ${agency.code}\nou: ${agency.name}\n` +
        `title: Pengadministrasi Umum\nbusinessCategory: ${GRADES[i % GRADES.length]}\nuserPassword: ${password}\nentryUUID: ${uuidOf(i)}\n\n`,
    );
    if ((i + 1) % 100_000 === 0) progress(i + 1);
  }
  out.end();
  await once(out, 'finish');
};

/** A running slapd over a loaded mdb database. */
export interface BigDirectory {
  url: string;
  child: ChildProcess;
  /** Size of data.mdb in bytes (the pages in use, not the `maxsize` map). */
  dbBytes: number;
  close(): Promise<void>;
}

const slapdConf = (dir: string) =>
  [
    ...['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `include ${SCHEMA_DIR}/${s}.schema`),
    `pidfile ${join(dir, 'slapd.pid')}`,
    `argsfile ${join(dir, 'slapd.args')}`,
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    'database mdb',
    // The map's upper bound, not an allocation: 1,000,000 entries with these indexes take about 2 GB.
    'maxsize 21474836480',
    `suffix "${SAMPLE_BASE_DN}"`,
    `rootdn "cn=admin,${SAMPLE_BASE_DN}"`,
    'rootpw bench-root-password',
    `directory ${join(dir, 'data')}`,
    ...INDEXES.map((i) => `index ${i}`),
    'access to attrs=userPassword by anonymous auth by * none',
    'access to * by users read by * none',
    '',
  ].join('\n');

/**
 * Generates `count` people, loads them with `slapadd -q` (on every CPU: nothing is measured yet) and starts slapd
 * pinned to `cpu`. `log` gets progress lines; the temporary directory is removed on close.
 */
export const startBigDirectory = async (count: number, cpu: number | undefined, log: (line: string) => void): Promise<BigDirectory> => {
  if (!existsSync('/usr/sbin/slapadd')) throw new Error('slapd is not installed (Debian packages slapd and ldap-utils)');
  const dir = await mkdtemp(join(tmpdir(), 'satu-akun-bigdir-'));
  try {
    await mkdir(join(dir, 'data'));
    const conf = join(dir, 'slapd.conf');
    await writeFile(conf, slapdConf(dir));
    const ldif = join(dir, 'data.ldif');
    let t0 = Date.now();
    await writeLdif(ldif, count, (done) => log(`  LDIF: ${done.toLocaleString('en')} entries (${((Date.now() - t0) / 1000).toFixed(0)} s)`));
    log(`  LDIF of ${count.toLocaleString('en')} people: ${(statSync(ldif).size / 1e6).toFixed(0)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    t0 = Date.now();
    const mdb = join(dir, 'data', 'data.mdb');
    const load = spawn('taskset', ['-c', '0-1', '/usr/sbin/slapadd', '-q', '-f', conf, '-l', ldif], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    load.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const ticker = setInterval(() => log(`  slapadd: ${((Date.now() - t0) / 1000).toFixed(0)} s, data.mdb ${existsSync(mdb) ? ((statSync(mdb).blocks * 512) / 1e6).toFixed(0) : 0} MB`), 15_000);
    const [code] = (await once(load, 'exit')) as [number | null];
    clearInterval(ticker);
    if (code !== 0) throw new Error(`slapadd failed (${code}): ${stderr.slice(-2000)}`);
    const dbBytes = statSync(mdb).blocks * 512; // the file is sparse: its size is `maxsize`
    log(`  slapadd: ${((Date.now() - t0) / 1000).toFixed(1)} s, data.mdb ${(dbBytes / 1e6).toFixed(0)} MB`);
    await rm(ldif);

    const port = await freePort();
    // `-d 0`: foreground, so it is our child; stderr carries the "slapd starting" line we wait for.
    const [cmd, argv] = pinned(cpu, '/usr/sbin/slapd', ['-f', conf, '-h', `ldap://127.0.0.1:${port}/`, '-d', '0']);
    const child = await startAndWait(cmd, argv, port);
    return {
      url: `ldap://127.0.0.1:${port}`,
      child,
      dbBytes,
      close: async () => {
        await stop(child);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
};

/** slapd logs to stderr, so wait for its port rather than a stdout line. */
const startAndWait = async (cmd: string, argv: string[], port: number): Promise<ChildProcess> => {
  const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'inherit'] });
  const answers = () =>
    new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
  for (const deadline = Date.now() + 60_000; !(await answers()); ) {
    if (child.exitCode !== null) throw new Error(`slapd exited (${child.exitCode})`);
    if (Date.now() > deadline) throw new Error(`slapd did not answer on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return child;
};
