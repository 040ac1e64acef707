import { z } from 'zod';
import { cappedText } from '../http/form-fields.ts';

/**
 * The sign-in forms, read at the edge (issue 9 §3). Every field is length-capped free text: what it means is decided by
 * the services (the login service refuses a blank login, the second-factor service a malformed code), so a form
 * never fails here.
 */
export const loginForm = z.object({ username: cappedText(256), password: cappedText(1024) });
export const codeForm = z.object({ code: cappedText(64), method: cappedText(20) });
export const proofForm = z.object({ code: cappedText(64), resend: cappedText(4) });
export const passkeyForm = z.object({ response: cappedText(16_000), name: cappedText(100) });
export const choiceForm = z.object({ choice: cappedText(20), decision: cappedText(20) });
