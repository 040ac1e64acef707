import { translator, type MessageKey } from '../i18n/index.ts';
import type { Message } from '../notify/outbox.repo.ts';
import type { AppRow } from './apps.repo.ts';
import type { Registration } from './registration.schema.ts';

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

const OUTCOMES = new Set(['approved', 'rejected', 'changes_requested', 'suspended', 'reinstated', 'retired']);
const id = translator('id');
const en = translator('en');
/** Bahasa Indonesia first, then English: recipients read either. */
const both = (key: MessageKey, params: Record<string, string>) => `${id(key, params)}\n\n${en(key, params)}`;
const subject = (key: MessageKey, params: Record<string, string>) => `${id(key, params)} / ${en(key, params).replace('[Satu Akun] ', '')}`;

/**
 * Who is told what (DESIGN.md: every transition notifies the people concerned): a submission goes to the reviewers'
 * addresses; decisions, suspensions and secret rotations go to the person responsible for the app.
 */
export const noticeMessages = (notice: Notice, ctx: { issuer: string; reviewers: string[] }): Message[] => {
  const { app, action, registration } = notice;
  if (!registration) return [];
  const name = registration.name;
  const developerUrl = new URL(`/developer/aplikasi/${app.clientId}`, ctx.issuer).href;
  const to = (recipients: string[], subjectKey: MessageKey, bodyKey: MessageKey, params: Record<string, string>) =>
    [...new Set(recipients)].map((recipient) => ({ recipient, subject: subject(subjectKey, params), body: both(bodyKey, params) }));

  if (action === 'submitted') {
    const url = new URL(`/admin/aplikasi/${app.clientId}`, ctx.issuer).href;
    return to(ctx.reviewers, 'review.notify.subject.submitted', 'review.notify.body.submitted', { name, agency: app.agency, url });
  }
  if (action === 'secret_rotated') {
    const until = notice.until ? notice.until.toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '-';
    return to([registration.responsible_email], 'review.notify.subject.secret', 'review.notify.body.secret', { name, clientId: app.clientId, until, url: developerUrl });
  }
  if (!OUTCOMES.has(action)) return [];
  const decided = action === 'approved' || action === 'rejected' || action === 'changes_requested';
  const params = (lang: 'id' | 'en') => ({ name, clientId: app.clientId, reason: notice.reason ?? '-', url: developerUrl, outcome: (lang === 'id' ? id : en)(`review.outcome.${action}` as MessageKey) });
  const subjectKey: MessageKey = decided ? 'review.notify.subject.decided' : 'review.notify.subject.control';
  return [
    {
      recipient: registration.responsible_email,
      subject: `${id(subjectKey, params('id'))} / ${en(subjectKey, params('en')).replace('[Satu Akun] ', '')}`,
      body: `${id('review.notify.body.changed', params('id'))}\n\n${en('review.notify.body.changed', params('en'))}`,
    },
  ];
};
