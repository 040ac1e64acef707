import { randomBytes } from 'node:crypto';
import { AppError } from '../http/errors.ts';
import { TOKEN_LIMITS } from './initial-token.schema.ts';
import type { Knex } from 'knex';
import type { ZodError } from 'zod';
import type { AuditService } from '../audit/audit.service.ts';
import { translator } from '../i18n/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { AppsRepo } from './apps.repo.ts';
import type { AppsService } from './apps.service.ts';
import type { Actor } from './app-policy.ts';
import { standardMetadata, type LiveVersion } from './live-app.ts';
import { appRolesOf, fieldErrors, registrationSchema, usesSecret, type Registration } from './registration.schema.ts';
import type { SecretHasher } from './secrets.ts';
import type { InitialToken, InitialTokensRepo } from './initial-tokens.repo.ts';

/** An RFC 7591 §3.2.2 error: what the registration endpoint answers, as JSON with this status. */
export class RegistrationError extends Error {
  constructor(
    readonly error: 'invalid_redirect_uri' | 'invalid_client_metadata' | 'invalid_token',
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
  }
}


const en = translator('en');

/**
 * RFC 7591 metadata (plus Satu Akun's own fields, named as in the portal form, such as `app_roles`: an array of
 * `{ name, description }`) → the portal's registration form.
 */
const formOf = (m: Record<string, unknown>, agency: string): Record<string, unknown> => {
  const purposes = (typeof m.scope_purposes === 'object' && m.scope_purposes) || {};
  const scopes = typeof m.scope === 'string' ? m.scope.split(' ').filter(Boolean) : [];
  const contacts = Array.isArray(m.contacts) ? m.contacts : [];
  const method = m.token_endpoint_auth_method ?? 'client_secret_basic';
  return {
    ...m,
    name: m.client_name,
    agency,
    client_type: method === 'none' ? 'public' : 'confidential',
    token_endpoint_auth_method: method,
    scopes: scopes.map((scope) => ({ scope, purpose: (purposes as Record<string, unknown>)[scope] })),
    responsible_email: m.responsible_email ?? contacts[0],
  };
};

/** The registration as RFC 7591/7592 responses show it. */
const metadataOf = (r: Registration) => ({
  ...standardMetadata(r, r.scopes.map((s) => s.scope).join(' ')),
  contacts: [r.responsible_email],
  description: r.description,
  kind: r.kind,
  environment: r.environment,
  level: r.level,
  app_roles: appRolesOf(r),
});

/**
 * Dynamic client registration (RFC 7591) and its management (RFC 7592), tied to Diskominfo's approval: an
 * administrator issues an initial access token to a developer (agency, expiry, number of uses); a registration made
 * with it is *submitted*, not active, until a reviewer approves it; an update through RFC 7592 becomes a change
 * request; a delete retires the app.
 */
export const createDcrService = (deps: { knex: Knex; repo: AppsRepo; tokens: InitialTokensRepo; apps: AppsService; secrets: SecretHasher; audit: AuditService; clock: Clock; issuer: string; domains: string[] }) => {
  const schema = registrationSchema(deps.domains);
  const { tokens } = deps;
  /**
   * The metadata as a registration. The first-party mark (issue 11 §6) is Diskominfo's decision: `first_party` is
   * refused, and `satu_akun_first_party` (read-only, in responses) only when it differs from the app's mark.
   */
  const parse = (metadata: unknown, agency: string, firstParty = false): Registration => {
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw new RegistrationError('invalid_client_metadata', 'the body must be a JSON object of client metadata');
    const m = metadata as Record<string, unknown>;
    if ('first_party' in m || ('satu_akun_first_party' in m && m.satu_akun_first_party !== firstParty)) {
      throw new RegistrationError('invalid_client_metadata', `${'first_party' in m ? 'first_party' : 'satu_akun_first_party'}: ${en('apps.invalid.first_party')}`);
    }
    const result = schema.safeParse(formOf(metadata as Record<string, unknown>, agency));
    if (result.success) return result.data;
    const errors = fieldErrors(result.error as ZodError);
    const redirect = Object.keys(errors).some((path) => path.startsWith('redirect_uris') || path.startsWith('post_logout_redirect_uris'));
    const description = Object.entries(errors)
      .map(([path, keys]) => `${path || 'metadata'}: ${keys.map((k) => en(k)).join(' ')}`)
      .join('; ');
    throw new RegistrationError(redirect ? 'invalid_redirect_uri' : 'invalid_client_metadata', description);
  };

  const registrationUri = (clientId: string) => new URL(`/register/${encodeURIComponent(clientId)}`, deps.issuer).href;

  /** The app a registration access token manages; the same answer for an unknown app and a wrong token. */
  const authorized = async (clientId: string, token: string | undefined) => {
    const app = await deps.repo.findApp(clientId);
    const ok = !!app?.registrationTokenHash && app.status !== 'retired' && deps.secrets.matches([{ hash: app.registrationTokenHash, expiresAt: null }], token, deps.clock.now());
    if (!app || !ok) throw new RegistrationError('invalid_token', 'unknown client or invalid registration access token', 401);
    return app;
  };

  const actorFor = (sub: string, agency: string, ip: string): Actor => ({ sub, username: sub, agency, roles: [{ role: 'developer' }], ip });

  const describe = async (clientId: string) => {
    const app = (await deps.repo.findApp(clientId))!;
    const versions = (await deps.repo.versions(clientId)) as LiveVersion[];
    const current = versions.at(-1)!;
    return {
      client_id: clientId,
      ...metadataOf(current.registration),
      registration_client_uri: registrationUri(clientId),
      satu_akun_status: app.status,
      satu_akun_review: current.state,
      satu_akun_first_party: app.firstParty,
    };
  };

  return {
    /** Issues an initial access token (administrators), shown once. */
    async issueToken(admin: Actor, input: { issuedTo: string; agency: string; days: number; uses: number }): Promise<string> {
      const { days, uses } = input;
      const within = (n: number, limit: { min: number; max: number }) => Number.isInteger(n) && n >= limit.min && n <= limit.max;
      // Refused, never silently cut: the form says the same limits (initial-token.schema.ts).
      if (!within(days, TOKEN_LIMITS.days) || !within(uses, TOKEN_LIMITS.uses)) throw new AppError('tokens.error.limits', 400);
      const token = `sa_iat_${randomBytes(32).toString('base64url')}`;
      const id = randomBytes(6).toString('hex');
      const at = deps.clock.now();
      const expiresAt = new Date(at.getTime() + days * 86400_000);
      await deps.knex.transaction(async (trx) => {
        await tokens.insert({ id, tokenHash: deps.secrets.hash(token), issuedTo: input.issuedTo, agency: input.agency, expiresAt, usesLeft: uses, createdBy: admin.sub, createdAt: at }, trx);
        await deps.audit.record({ event: 'app.initial_token_issued', actor: admin.sub, subject: input.issuedTo, ip: admin.ip ?? null, details: { id, agency: input.agency, expiresAt: expiresAt.toISOString(), uses } }, trx);
      });
      return token;
    },

    async revokeToken(admin: Actor, id: string): Promise<void> {
      await deps.knex.transaction(async (trx) => {
        if (await tokens.revoke(id, deps.clock.now(), trx)) await deps.audit.record({ event: 'app.initial_token_revoked', actor: admin.sub, ip: admin.ip ?? null, details: { id } }, trx);
      });
    },

    tokens: (): Promise<InitialToken[]> => tokens.list(),

    /** RFC 7591 §3: registers a client with an initial access token; the app is submitted for review, not active. */
    async register(initialToken: string | undefined, metadata: unknown, ip: string) {
      const now = deps.clock.now();
      const grant = typeof initialToken === 'string' ? await tokens.findUsable(deps.secrets.hash(initialToken), now) : undefined;
      if (!grant) throw new RegistrationError('invalid_token', 'a valid initial access token is required (ask Diskominfo)', 401);
      // Metadata first: a refused registration does not spend a use of the token.
      const registration = parse(metadata, grant.agency);
      // One conditional update decides between concurrent uses, and against a revocation or expiry meanwhile.
      if (!(await tokens.spend(grant.id, now))) {
        throw new RegistrationError('invalid_token', 'a valid initial access token is required (ask Diskominfo)', 401);
      }
      const actor = actorFor(grant.issuedTo, grant.agency, ip);
      const clientId = await deps.apps.createDraft(actor, registration, 'dcr');
      const registrationToken = `sa_rat_${randomBytes(32).toString('base64url')}`;
      const secret = usesSecret(registration.token_endpoint_auth_method) ? deps.secrets.generate() : undefined;
      const at = deps.clock.now();
      await deps.knex.transaction(async (trx) => {
        await deps.repo.updateApp(clientId, 'draft', { registrationTokenHash: deps.secrets.hash(registrationToken) }, at, trx);
        // The secret exists from now on, but works only once a reviewer approves the app.
        if (secret) await deps.repo.rotateSecret(clientId, secret.hash, at, at, trx);
      });
      await deps.apps.submit(actor, clientId);
      return {
        ...(await describe(clientId)),
        client_id_issued_at: Math.floor(at.getTime() / 1000),
        ...(secret ? { client_secret: secret.secret, client_secret_expires_at: 0 } : {}),
        registration_access_token: registrationToken,
      };
    },

    /** RFC 7592 §2.1: the current registration (the version under review, or the live one). */
    async read(clientId: string, token: string | undefined) {
      await authorized(clientId, token);
      return describe(clientId);
    },

    /** RFC 7592 §2.2: an update becomes a change request, reviewed while the live configuration keeps working. */
    async update(clientId: string, token: string | undefined, metadata: unknown, ip: string) {
      const app = await authorized(clientId, token);
      if (typeof metadata === 'object' && metadata && 'client_id' in metadata && (metadata as { client_id: unknown }).client_id !== clientId) {
        throw new RegistrationError('invalid_client_metadata', 'client_id does not match the registration');
      }
      const registration = parse(metadata, app.agency, app.firstParty);
      const actor = actorFor(app.ownerSub, app.agency, ip);
      try {
        await deps.apps.saveDraft(actor, clientId, registration);
        await deps.apps.submit(actor, clientId);
      } catch (err) {
        throw new RegistrationError('invalid_client_metadata', `${en('review.error.not_changeable')} (${en((err as { code?: 'review.error.state' }).code ?? 'review.error.state')})`);
      }
      return describe(clientId);
    },

    /** RFC 7592 §2.3: deregistration retires the app. */
    async remove(clientId: string, token: string | undefined, ip: string): Promise<void> {
      const app = await authorized(clientId, token);
      await deps.apps.control(actorFor(app.ownerSub, app.agency, ip), clientId, 'retire', 'Deregistered by the client (RFC 7592)');
    },
  };
};

export type DcrService = ReturnType<typeof createDcrService>;
