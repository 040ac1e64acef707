/** Kinds of staff. PNS have an 18-digit NIP, PPPK an 18-digit NI, non-ASN staff neither. */
export type EmployeeType = 'pns' | 'pppk' | 'non_asn';

/** A person as the staff directory describes them, mapped through configuration. */
export interface DirectoryUser {
  /** Stable directory identifier (OpenLDAP `entryUUID`, AD `objectGUID`): survives renames and transfers. */
  id: string;
  dn: string;
  /** The account name shown to the person (the first configured login attribute that has a value). */
  username: string;
  name: string;
  givenName?: string;
  familyName?: string;
  email?: string;
  /** PNS NIP or PPPK NI; absent for non-ASN staff. */
  nip?: string;
  employeeType: EmployeeType;
  agencyCode?: string;
  agencyName?: string;
  position?: string;
  grade?: string;
  /** DNs of the directory groups the person is a member of (`memberOf`), when the directory says; roles may follow. */
  groups?: string[];
}

/** The staff directory as the rest of Satu Akun sees it. */
export interface Directory {
  /**
   * Verifies a password. Resolves to the user, or `null` for an unknown login or a wrong password (callers must not
   * tell the two apart). Rejects with `DirectoryUnavailableError` when the directory cannot answer.
   */
  authenticate(login: string, password: string): Promise<DirectoryUser | null>;
  /**
   * Checks a password for a user found by `findUser`; `null` stands for an unknown login and still costs a (failing)
   * bind, so timing does not tell the two apart. Rejects with `DirectoryUnavailableError` when the directory cannot answer.
   */
  verifyPassword(user: DirectoryUser | null, password: string): Promise<boolean>;
  /** Looks a person up by login without a password; `null` when unknown. */
  findUser(login: string): Promise<DirectoryUser | null>;
  /**
   * Looks a person up by their stable directory identifier (`DirectoryUser.id`, an account's `directoryId`); `null`
   * only when the directory answered and holds no such person (they left the service). Rejects with
   * `DirectoryUnavailableError` when the directory cannot answer, which callers must never read as "gone".
   */
  findById(id: string): Promise<DirectoryUser | null>;
  /** Start-up check and health probe: binds with the service account and reads the base entry. */
  check(): Promise<void>;
  close(): Promise<void>;
}

/** The directory could not be reached or did not answer in time. Never counts as a failed sign-in. */
export class DirectoryUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DirectoryUnavailableError';
  }
}

/**
 * What a person typed as their login, in the one form that is searched and counted: Unicode NFKC (full-width
 * `ｄｅｗｉ` is `dewi`), trimmed and case-folded (login attributes — uid, mail, sAMAccountName, NIP — compare without case).
 */
export const normaliseLogin = (typed: string): string => typed.normalize('NFKC').trim().toLowerCase();
