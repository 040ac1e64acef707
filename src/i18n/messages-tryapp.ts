/** Strings of the try-app command-line test client (src/cli/try-app.ts). Bahasa Indonesia first. */
export const idTryApp = {
  'tryapp.usage': 'Cara pakai: npm run try-app -- <client_id> <client_secret> [--port 3003] [--scope "openid profile"] [--alg RS256|ES256]',
  'tryapp.running': 'Aplikasi uji berjalan di {url} (alamat pengalihan {redirect}). Tekan Ctrl+C untuk berhenti.',
} as const;

export const enTryApp: Record<keyof typeof idTryApp, string> = {
  'tryapp.usage': 'Usage: npm run try-app -- <client_id> <client_secret> [--port 3003] [--scope "openid profile"] [--alg RS256|ES256]',
  'tryapp.running': 'Test app running at {url} (redirect URI {redirect}). Press Ctrl+C to stop.',
};
