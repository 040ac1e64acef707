/** Strings of Satu Akun's own zones (my account, developer portal, admin console). Bahasa Indonesia is the reference. */
export const idPortal = {
  'portal.signin_cancelled': 'Masuk dibatalkan atau tidak diizinkan. Buka halaman ini lagi untuk mencoba kembali.',
  'portal.nav.account': 'Akun saya',
  'portal.nav.developer': 'Portal pengembang',
  'portal.nav.admin': 'Konsol admin',
  'portal.signed_in_as': 'Masuk sebagai {name}',
  'portal.logout': 'Keluar',
  'portal.name': 'Nama',
  'portal.username': 'Nama pengguna',
  'portal.agency': 'Perangkat daerah',
} as const;

export const enPortal: Record<keyof typeof idPortal, string> = {
  'portal.signin_cancelled': 'Sign-in was cancelled or not allowed. Open this page again to retry.',
  'portal.nav.account': 'My account',
  'portal.nav.developer': 'Developer portal',
  'portal.nav.admin': 'Admin console',
  'portal.signed_in_as': 'Signed in as {name}',
  'portal.logout': 'Sign out',
  'portal.name': 'Name',
  'portal.username': 'Username',
  'portal.agency': 'Agency',
};
