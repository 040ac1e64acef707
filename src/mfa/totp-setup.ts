/** What the authenticator set-up pages show of an enrolment in progress. */
export interface TotpSetupView {
  /** The `otpauth://totp/…` URI: the phone's "open in the authenticator app" link, and what the QR code encodes. */
  otpauthUri: string;
  /** The QR code of that URI, as an SVG data URI (the page's `img-src` allows `data:`; no script draws it). */
  qr: string;
  /** The key as the app wants it pasted ("Salin kunci" copies this): base32, no spaces. */
  secret: string;
  /** The same key in groups of four, for reading and typing by hand; the page keeps each group on one line. */
  secretGroups: string[];
}

/** qrcode (and pngjs under it) loaded at the first set-up page, not at start: most processes never draw a QR code. */
const qrcode = async () => (await import('qrcode')).default;

/**
 * The set-up page's view of a TOTP secret, one for both places a person sets up an authenticator (enrolment during
 * sign-in, and my security): the same URI is the link a phone opens and the QR code a computer shows.
 */
export const totpSetupView = async ({ secret, otpauthUri }: { secret: string; otpauthUri: string }): Promise<TotpSetupView> => ({
  otpauthUri,
  qr: `data:image/svg+xml;base64,${Buffer.from(await (await qrcode()).toString(otpauthUri, { type: 'svg', margin: 1 })).toString('base64')}`,
  secret,
  secretGroups: secret.match(/.{1,4}/g) ?? [],
});
