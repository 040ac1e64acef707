import Bowser from 'bowser';
import type { MessageKey } from '../i18n/index.ts';

/** A browser described in words a person recognises: "Chrome 120 on Android (phone)". */
export interface DeviceWords {
  browser?: string;
  os?: string;
  /** Which kind of device, as a message key; absent when the browser does not say. */
  kind?: MessageKey;
}

const KINDS: Record<string, MessageKey> = { mobile: 'sessions.kind.mobile', tablet: 'sessions.kind.tablet', desktop: 'sessions.kind.desktop' };

/** Reads a User-Agent header (bowser: MIT, no native code, kept up to date with new browsers). */
export const describeDevice = (userAgent: string | undefined): DeviceWords => {
  if (!userAgent) return {};
  const parsed = Bowser.parse(userAgent);
  const major = parsed.browser.version?.split('.')[0];
  const osVersion = parsed.os.versionName ?? parsed.os.version;
  return {
    ...(parsed.browser.name ? { browser: major ? `${parsed.browser.name} ${major}` : parsed.browser.name } : {}),
    ...(parsed.os.name ? { os: osVersion ? `${parsed.os.name} ${osVersion}` : parsed.os.name } : {}),
    ...(parsed.platform.type && KINDS[parsed.platform.type] ? { kind: KINDS[parsed.platform.type] } : {}),
  };
};
