import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { Client } from 'ldapts';
import type { Context } from 'mocha';
import { createAccountsRepo, type Account, type AccountsRepo } from '../../src/accounts/accounts.repo.ts';
import { createAccountsService, type AccountsService } from '../../src/accounts/accounts.service.ts';
import { CHECK_CACHE_MS, createDirectoryCheck, GONE_REASON, type DirectoryCheck } from '../../src/accounts/directory-sweep.ts';
import { createAuditRepo } from '../../src/audit/audit.repo.ts';
import { createAuditService, type AuditService } from '../../src/audit/audit.service.ts';
import type { Config } from '../../src/config/schema.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createKnex, migrate } from '../../src/db/knex.ts';
import type { Directory } from '../../src/directory/directory.ts';
import { startEmbeddedDirectory, type EmbeddedDirectory } from '../../src/directory/embedded-server.ts';
import { createLdapDirectory } from '../../src/directory/ldap.ts';
import { loadSampleStaff, samplePersonDn, toLdif, type SamplePerson } from '../../src/directory/sample/index.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { directoryConfig } from '../directory/directory-behaviour.ts';
import { manualClock, SECOND, type ManualClock } from '../support/clock.ts';
import { serviceMissing } from '../support/require-service.ts';
import { slapdAvailable, startSlapd, type Slapd } from '../support/slapd.ts';

const STAFF = loadSampleStaff().staff;

/** A real directory holding the sample staff, from which people can be removed as when they leave the service. */
interface Fixture {
  name: string;
  /** Skips the suite when the server is not installed. */
  require(ctx: Context): void;
  /** A fresh server holding the whole sample; its `ldap://` URL. */
  start(): Promise<string>;
  /** Removes these people from the directory. */
  remove(people: SamplePerson[]): Promise<void>;
  /** Stops the server: the directory is down. */
  stop(): Promise<void>;
}

/** The embedded ldapjs server; removing people restarts it on the same port without them. */
const embedded = (): Fixture => {
  let server: EmbeddedDirectory | undefined;
  let staff = STAFF;
  let port = 0;
  return {
    name: 'the embedded directory',
    require: () => undefined,
    async start() {
      staff = STAFF;
      server = await startEmbeddedDirectory({ port: 0, staff: { ...loadSampleStaff(), staff } });
      port = Number(new URL(server.url).port);
      return server.url;
    },
    async remove(people) {
      staff = staff.filter((p) => !people.includes(p));
      await server?.close();
      server = await startEmbeddedDirectory({ port, staff: { ...loadSampleStaff(), staff } });
    },
    async stop() {
      await server?.close();
      server = undefined;
    },
  };
};

/** OpenLDAP slapd; removing people is an LDAP delete by the directory's administrator. */
const slapd = (): Fixture => {
  let server: Slapd | undefined;
  return {
    name: 'OpenLDAP slapd',
    require(ctx) {
      if (!slapdAvailable()) serviceMissing(ctx, 'slapd', 'install the Debian packages slapd and ldap-utils');
    },
    async start() {
      server = await startSlapd({ ldif: toLdif() });
      return server.url;
    },
    async remove(people) {
      const admin = new Client({ url: server!.url, timeout: 5000 });
      try {
        await admin.bind(server!.rootDn, server!.rootPw);
        for (const p of people) await admin.del(samplePersonDn(p.uid));
      } finally {
        await admin.unbind();
      }
    },
    async stop() {
      await server?.close();
      server = undefined;
    },
  };
};

/** A real directory that counts the id searches reaching it and may run something before one. */
const counting = (inner: Directory) => {
  let searches = 0;
  let before: ((n: number) => Promise<void>) | undefined;
  const directory: Directory = {
    ...inner,
    findById: async (id) => {
      searches++;
      await before?.(searches);
      return inner.findById(id);
    },
  };
  return { directory, searches: () => searches, beforeSearch: (f: (n: number) => Promise<void>) => void (before = f) };
};

for (const fixture of [embedded(), slapd()]) {
  describe(`accounts: people no longer in the directory, against ${fixture.name}`, () => {
    let dir = '';
    let databases = 0;
    let knex: Knex;
    let repo: AccountsRepo;
    let accounts: AccountsService;
    let audit: AuditService;
    let clock: ManualClock;
    let url: string;
    let directories: Directory[];
    let checks: DirectoryCheck[];
    let ldap: ReturnType<typeof counting>;
    let check: DirectoryCheck;
    /** Subs whose sessions `endEverything` was asked to end, in order. */
    let ended: string[];
    let logs: Array<{ level: number; msg: string } & Record<string, unknown>>;
    const logger = createLogger('debug', { write: (line: string) => void logs.push(JSON.parse(line)) });

    /** A directory check over a real LDAP directory configured with `overrides`. */
    const build = (overrides: Partial<Config['directory']> = {}) => {
      const inner = createLdapDirectory(directoryConfig({ url, ...overrides }), logger);
      directories.push(inner);
      const counted = counting(inner);
      const built = createDirectoryCheck({ knex, directory: counted.directory, accounts, audit, clock, logger, endEverything: async (sub) => void ended.push(sub) });
      checks.push(built);
      return { check: built, ldap: counted };
    };

    /** An account for each person, with subs in the order given (a sweep walks them by sub). */
    const enrol = async (people: SamplePerson[]): Promise<Account[]> => {
      for (const [i, p] of people.entries()) {
        await repo.insertIfAbsent({
          sub: `sub-${String(i).padStart(4, '0')}-${p.uid}`,
          directoryId: p.entryUUID,
          username: p.uid,
          status: 'active',
          profile: { username: p.uid, name: p.cn, employeeType: p.employeeType },
          createdAt: clock.now(),
          lastLoginAt: null,
        });
      }
      return Promise.all(people.map(async (p) => (await accounts.findByDirectoryId(p.entryUUID))!));
    };
    const stored = async (account: Account) => (await accounts.find(account.sub))!;
    const disabledRecords = () => audit.list({ event: 'account.disabled' });
    const statuses = async (list: Account[]) => Promise.all(list.map(async (a) => (await stored(a)).status));

    before(function () {
      fixture.require(this);
      dir = mkdtempSync(join(tmpdir(), 'directory-sweep-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    beforeEach(async () => {
      logs = [];
      ended = [];
      directories = [];
      checks = [];
      clock = manualClock('2026-03-02T01:00:00Z');
      knex = createKnex(loadConfig({ SATU_AKUN_DATA_DIR: dir, SATU_AKUN_DB_FILE: `t${databases++}.sqlite` }));
      await migrate(knex);
      repo = createAccountsRepo(knex);
      accounts = createAccountsService({ repo, clock });
      audit = createAuditService({ repo: createAuditRepo(knex), clock, logger });
      url = await fixture.start();
      ({ check, ldap } = build());
    });
    afterEach(async () => {
      for (const c of checks) await c.close();
      for (const d of directories) await d.close();
      await fixture.stop();
      await knex.destroy();
    });

    const [andi, siti, dewi, bambang] = ['andi.wijaya', 'siti.rahmawati', 'dewi.lestari', 'bambang.susilo'].map((uid) => STAFF.find((p) => p.uid === uid)!) as [
      SamplePerson,
      SamplePerson,
      SamplePerson,
      SamplePerson,
    ];

    describe('at a refresh (stillThere)', () => {
      it('keeps a person the directory still holds', async () => {
        const [a] = await enrol([andi, siti]);
        expect(await check.stillThere(a!)).to.equal(true);
        expect(await statuses([a!])).to.deep.equal(['active']);
        expect(await disabledRecords()).to.deep.equal([]);
        expect(ended).to.deep.equal([]);
      });

      it('refuses the refresh of a person removed from the directory; the sweep disables them, audits it, and ends everything of theirs once', async () => {
        const [a, d] = await enrol([andi, dewi]);
        await fixture.remove([dewi]);
        expect(await check.stillThere(d!)).to.equal(false);
        // The refresh is refused, but only the sweep, which sees everyone at once, changes the account.
        expect(await statuses([d!])).to.deep.equal(['active']);
        expect(await disabledRecords()).to.deep.equal([]);
        expect(ended).to.deep.equal([]);
        expect(await check.sweep()).to.deep.include({ gone: 1 });

        const account = await stored(d!);
        expect(account.status).to.equal('disabled');
        expect(account.statusChange).to.deep.equal({ reason: GONE_REASON, until: null, at: clock.now(), by: 'system' });
        const records = await disabledRecords();
        expect(records.map(({ actor, subject, details }) => ({ actor, subject, details }))).to.deep.equal([
          { actor: null, subject: d!.sub, details: { reason: GONE_REASON, from: 'active' } },
        ]);
        expect(ended).to.deep.equal([d!.sub]);
        expect(await check.stillThere(a!)).to.equal(true);

        // Asked again after the cached answer expired: still gone, but nothing recorded or ended twice.
        clock.move(CHECK_CACHE_MS + SECOND);
        expect(await check.stillThere(d!)).to.equal(false);
        expect(await disabledRecords()).to.have.length(1);
        expect(ended).to.deep.equal([d!.sub]);
        expect(await audit.verify()).to.deep.include({ ok: true });
      });

      it('changes nothing while the directory is unavailable, however long the person has been gone', async () => {
        const [, d] = await enrol([andi, dewi]);
        await fixture.remove([dewi]);
        await fixture.stop();
        expect(await check.stillThere(d!)).to.equal(true);
        expect(await statuses([d!])).to.deep.equal(['active']);
        expect(await disabledRecords()).to.deep.equal([]);
        expect(ended).to.deep.equal([]);
        expect(logs.some((l) => l.level === 40 && /directory unavailable/.test(l.msg) && l.sub === d!.sub)).to.equal(true);
      });
    });

    describe('the cache', () => {
      it('asks the directory once a minute per person, however many refreshes come', async () => {
        const [a] = await enrol([andi]);
        expect(await check.stillThere(a!)).to.equal(true);
        expect(await check.stillThere(a!)).to.equal(true);
        expect(await Promise.all([1, 2, 3, 4, 5].map(() => check.stillThere(a!)))).to.deep.equal([true, true, true, true, true]);
        expect(ldap.searches()).to.equal(1);
        clock.move(CHECK_CACHE_MS - 1);
        await check.stillThere(a!);
        expect(ldap.searches()).to.equal(1);
        clock.move(1);
        await check.stillThere(a!);
        expect(ldap.searches()).to.equal(2);
      });

      it('asks once for a burst of concurrent refreshes of someone who left, and changes nothing itself', async () => {
        const [d] = await enrol([dewi]);
        await fixture.remove([dewi]);
        expect(await Promise.all([1, 2, 3, 4].map(() => check.stillThere(d!)))).to.deep.equal([false, false, false, false]);
        expect(ldap.searches()).to.equal(1);
        expect(ended).to.deep.equal([]);
        expect(await disabledRecords()).to.have.length(0);
      });

      it('keeps people apart: each person is asked about once', async () => {
        const list = await enrol([andi, siti, dewi]);
        for (const a of [...list, ...list]) expect(await check.stillThere(a)).to.equal(true);
        expect(ldap.searches()).to.equal(3);
      });

      it('holds an "unavailable, so still there" answer for the minute too, so an outage does not slow every refresh', async () => {
        const [a] = await enrol([andi]);
        await fixture.stop();
        expect(await check.stillThere(a!)).to.equal(true);
        expect(await check.stillThere(a!)).to.equal(true);
        expect(ldap.searches()).to.equal(1);
      });

      it('is not used by the sweep, which always asks the directory', async () => {
        const list = await enrol([andi, siti]);
        for (const a of list) await check.stillThere(a);
        expect(await check.sweep()).to.deep.equal({ checked: 2, gone: 0 });
        expect(ldap.searches()).to.equal(4);
      });
    });

    describe('the periodic sweep', () => {
      it('keeps everyone the directory still holds', async () => {
        const list = await enrol(STAFF.slice(0, 12));
        expect(await check.sweep()).to.deep.equal({ checked: 12, gone: 0 });
        expect(new Set(await statuses(list))).to.deep.equal(new Set(['active']));
        expect(await disabledRecords()).to.deep.equal([]);
        expect(ended).to.deep.equal([]);
      });

      it('disables everyone removed, suspended people too, across more than one batch, and skips disabled accounts', async () => {
        const people = STAFF.slice(0, 230);
        const list = await enrol(people);
        // Removed from the directory: one active account, one suspended, one already disabled by an administrator.
        const [gone, suspended, disabled] = [people[3]!, people[150]!, people[220]!];
        const accountOf = (p: SamplePerson) => list[people.indexOf(p)]!;
        await accounts.setStatus(accountOf(suspended).sub, 'suspended', { reason: 'Pemeriksaan', until: null, by: 'admin' });
        await accounts.setStatus(accountOf(disabled).sub, 'disabled', { reason: 'Mutasi', until: null, by: 'admin' });
        await fixture.remove([gone, suspended, disabled]);

        expect(await check.sweep()).to.deep.equal({ checked: 229, gone: 2 });
        expect(ldap.searches()).to.equal(229);
        const records = await disabledRecords();
        expect(records.map(({ actor, subject, details }) => ({ actor, subject, details }))).to.have.deep.members([
          { actor: null, subject: accountOf(gone).sub, details: { reason: GONE_REASON, from: 'active' } },
          { actor: null, subject: accountOf(suspended).sub, details: { reason: GONE_REASON, from: 'suspended' } },
        ]);
        expect(ended).to.deep.equal([accountOf(gone).sub, accountOf(suspended).sub]);
        expect((await stored(accountOf(disabled))).statusChange).to.include({ reason: 'Mutasi', by: 'admin' });
        expect((await statuses(list)).filter((s) => s === 'active')).to.have.length(227);

        // The next sweep walks only the accounts that may still sign in.
        expect(await check.sweep()).to.deep.equal({ checked: 227, gone: 0 });
        expect(ended).to.have.length(2);
        expect(await audit.verify()).to.deep.include({ ok: true });
      });

      it('disables nobody when the directory is unavailable', async () => {
        const list = await enrol([andi, dewi]);
        await fixture.remove([dewi]);
        await fixture.stop();
        expect(await check.sweep()).to.deep.equal({ checked: 0, gone: 0, stopped: 'directory_unavailable' });
        expect(await statuses(list)).to.deep.equal(['active', 'active']);
        expect(await disabledRecords()).to.deep.equal([]);
        expect(ended).to.deep.equal([]);
      });

      it('stops at the first failure and disables nobody, not even those found missing before it', async () => {
        // Walked in this order: dewi (missing) first, then the directory goes down at the third search.
        const list = await enrol([dewi, andi, siti, bambang]);
        await fixture.remove([dewi]);
        ldap.beforeSearch(async (n) => {
          if (n === 3) await fixture.stop();
        });
        expect(await check.sweep()).to.deep.equal({ checked: 2, gone: 0, stopped: 'directory_unavailable' });
        expect(await statuses(list)).to.deep.equal(['active', 'active', 'active', 'active']);
        expect(await disabledRecords()).to.deep.equal([]);
        expect(ended).to.deep.equal([]);
      });

      describe('safety valve: too many missing at once is a misconfigured directory, not people leaving', () => {
        it('disables nobody when more than 20 and more than 10 % are missing, and says so', async () => {
          const people = STAFF.slice(0, 210);
          const list = await enrol(people);
          const removed = people.filter((_, i) => i % 9 === 0).slice(0, 22);
          await fixture.remove(removed);

          expect(await check.sweep()).to.deep.equal({ checked: 210, gone: 0, stopped: 'too_many_missing' });
          expect((await statuses(list)).every((s) => s === 'active')).to.equal(true);
          expect(await disabledRecords()).to.deep.equal([]);
          expect(ended).to.deep.equal([]);
          const error = logs.find((l) => l.level === 50);
          expect(error).to.include({ checked: 210, missing: 22 });
          expect(error?.msg).to.match(/22 of 210 .*nobody disabled/);

          // Until a sweep passes, a refresh of someone missing disables nobody either.
          const first = list[people.indexOf(removed[0]!)]!;
          expect(await check.stillThere(first)).to.equal(true);
          expect((await stored(first)).status).to.equal('active');

          // Two of them an administrator disables; the 20 left are few enough to be believed.
          for (const p of removed.slice(0, 2)) await accounts.setStatus(list[people.indexOf(p)]!.sub, 'disabled', { reason: 'Pensiun', until: null, by: 'admin' });
          expect(await check.sweep()).to.deep.equal({ checked: 208, gone: 20 });
          expect(ended).to.have.length(20);
          clock.move(CHECK_CACHE_MS);
          expect(await check.stillThere(first)).to.equal(false);
        });

        it('believes more than 20 missing when they are no more than 10 % of the accounts', async () => {
          const people = STAFF.slice(0, 210);
          await enrol(people);
          await fixture.remove(people.filter((_, i) => i % 10 === 0).slice(0, 21));
          expect(await check.sweep()).to.deep.equal({ checked: 210, gone: 21 });
          expect(await disabledRecords()).to.have.length(21);
          expect(ended).to.have.length(21);
        });

        it('disables nobody when the user filter is wrong and nearly everyone looks gone', async () => {
          const people = STAFF.slice(0, 60);
          const list = await enrol(people);
          const { check: misconfigured } = build({ userFilter: '(departmentNumber=DISKOMINFO)' });
          const result = await misconfigured.sweep();
          expect(result).to.include({ checked: 60, gone: 0, stopped: 'too_many_missing' });
          expect((await statuses(list)).every((s) => s === 'active')).to.equal(true);
          expect(ended).to.deep.equal([]);
        });
      });

      it('runs on a timer once started, and close waits for it', async () => {
        const [, d] = await enrol([andi, dewi]);
        await fixture.remove([dewi]);
        check.start(60 * 60 * SECOND);
        for (let i = 0; i < 100 && !ended.length; i++) await new Promise((r) => setTimeout(r, 50));
        await check.close();
        expect(ended).to.deep.equal([d!.sub]);
        expect(await statuses([d!])).to.deep.equal(['disabled']);
      });
    });
  });
}
