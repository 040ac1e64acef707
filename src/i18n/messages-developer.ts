/** Strings of the developer portal (/developer). Bahasa Indonesia is the reference; English has the same keys. */
export const idDeveloper = {
  'developer.title': 'Portal pengembang',
} as const;

export const enDeveloper: Record<keyof typeof idDeveloper, string> = {
  'developer.title': 'Developer portal',
};
