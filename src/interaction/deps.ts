import type Provider from 'oidc-provider';
import type { AccountsService } from '../accounts/accounts.service.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { ClientRegistry } from '../clients/app.ts';
import type { ConsentService } from '../consent/consent.service.ts';
import type { Render } from '../http/render.ts';
import type { EnrolmentPolicy } from '../mfa/enrolment-policy.ts';
import type { EnrolmentProof } from '../mfa/enrolment-proof.service.ts';
import type { FactorsService } from '../mfa/factors.service.ts';
import type { MfaService } from '../mfa/mfa.service.ts';
import type { WebauthnService } from '../mfa/webauthn.service.ts';
import type { Clock } from '../shared/clock.ts';
import type { LoginService } from './login.service.ts';

/** What the sign-in experience is built from (the composition root passes it; each route file takes what it uses). */
export interface InteractionDeps {
  provider: Provider;
  login: LoginService;
  consent: ConsentService;
  clients: ClientRegistry;
  accounts: AccountsService;
  mfa: MfaService;
  webauthn: WebauthnService;
  /** Whether a person has a second factor: the one definition (`factors.hasAny`). */
  factors: FactorsService;
  enrolmentProof: EnrolmentProof;
  enrolment: EnrolmentPolicy;
  clock: Clock;
  audit: AuditService;
  render: Render;
}
