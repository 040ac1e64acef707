import { en, id, type MessageKey } from './messages.ts';

export type Lang = 'id' | 'en';
export type { MessageKey };
export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

const dictionaries: Record<Lang, Record<MessageKey, string>> = { id, en };

/** Returns a translator for one language; `{name}` placeholders are filled from params. */
export const translator = (lang: Lang): Translate => (key, params) =>
  dictionaries[lang][key].replace(/\{(\w+)\}/g, (_, name: string) => String(params?.[name] ?? `{${name}}`));

/** Both languages, for a terminal, which has no language preference: English first for log searches. */
export const bilingual: Translate = (key, params) => `${translator('en')(key, params)} / ${translator('id')(key, params)}`;

/** Picks the language: explicit choice (query or cookie), then OIDC `ui_locales`, then Bahasa Indonesia. */
export const pickLang = (...candidates: (string | undefined | null)[]): Lang => {
  for (const candidate of candidates) {
    for (const tag of (candidate ?? '').split(/[\s,]+/)) {
      const base = tag.toLowerCase().split(/[-_;]/)[0];
      if (base === 'id' || base === 'en') return base;
    }
  }
  return 'id';
};
