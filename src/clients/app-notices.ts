import { dateTimeFormatter } from '../i18n/dates.ts';
import { translator, type Lang, type MessageKey } from '../i18n/index.ts';
import type { Message } from '../notify/outbox.repo.ts';
import type { AppRow } from './apps.repo.ts';
import type { Registration } from './registration.schema.ts';
import type { TimeZone } from '../http/form-fields.ts';

/** A transition worth telling people about. */
export interface Notice {
  app: AppRow;
  action: string;
  reason?: string;
  /** The registration the transition concerns (the open version, or the live one). */
  registration?: Registration;
  /** Secret rotations: when the previous secret stops working. */
  until?: Date;
}

const OUTCOMES = new Set(['approved', 'rejected', 'changes_requested', 'suspended', 'reinstated', 'retired', 'first_party_set', 'first_party_cleared']);
const DECISIONS = new Set(['approved', 'rejected', 'changes_requested']);
const LANGS = { id: translator('id'), en: translator('en') } as const;
type Params = (lang: Lang) => Record<string, string>;

/** A message in Bahasa Indonesia first, then English (recipients read either), to each of `recipients` once. */
const messages = (recipients: string[], subjectKey: MessageKey, bodyKey: MessageKey, params: Params): Message[] => {
  const { id, en } = LANGS;
  const subject = `${id(subjectKey, params('id'))} / ${en(subjectKey, params('en')).replace('[Satu Akun] ', '')}`;
  const body = `${id(bodyKey, params('id'))}\n\n${en(bodyKey, params('en'))}`;
  return [...new Set(recipients)].map((recipient) => ({ recipient, subject, body }));
};

/**
 * Who is told what (DESIGN.md: every transition notifies the people concerned): a submission goes to the reviewers'
 * addresses; decisions, suspensions and secret rotations go to the person responsible for the app.
 */
export const noticeMessages = (notice: Notice, ctx: { issuer: string; reviewers: string[]; timeZone: TimeZone }): Message[] => {
  const { app, action, registration } = notice;
  if (!registration) return [];
  const name = registration.name;
  const url = (path: string) => new URL(`${path}/${app.clientId}`, ctx.issuer).href;
  const responsible = [registration.responsible_email];

  if (action === 'submitted') {
    return messages(ctx.reviewers, 'review.notify.subject.submitted', 'review.notify.body.submitted', () => ({ name, agency: app.agency, url: url('/admin/aplikasi') }));
  }
  if (action === 'secret_rotated') {
    const until = (lang: Lang) => (notice.until ? dateTimeFormatter(lang, ctx.timeZone)(notice.until) : '-');
    return messages(responsible, 'review.notify.subject.secret', 'review.notify.body.secret', (lang) => ({ name, clientId: app.clientId, until: until(lang), url: url('/developer/aplikasi') }));
  }
  if (!OUTCOMES.has(action)) return [];
  const subjectKey: MessageKey = DECISIONS.has(action) ? 'review.notify.subject.decided' : 'review.notify.subject.control';
  return messages(responsible, subjectKey, 'review.notify.body.changed', (lang) => ({
    name,
    clientId: app.clientId,
    reason: notice.reason ?? '-',
    url: url('/developer/aplikasi'),
    outcome: LANGS[lang](`review.outcome.${action}` as MessageKey),
  }));
};
