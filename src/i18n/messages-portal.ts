/** Strings shared by Satu Akun's own zones: zone sign-in, navigation, problem pages. Bahasa Indonesia first. */
export const idPortal = {
  'portal.signin_cancelled': 'Masuk dibatalkan atau tidak diizinkan. Buka halaman ini lagi untuk mencoba kembali.',
  'portal.signin_incomplete': 'Proses masuk tidak dapat diselesaikan: tautan ini sudah dipakai, sudah kedaluwarsa, atau tidak lengkap.',
  'portal.nav.account': 'Akun saya',
  'portal.nav.developer': 'Portal pengembang',
  'portal.nav.admin': 'Konsol admin',
  'portal.signed_in_as': 'Masuk sebagai {name}',
  'portal.logout': 'Keluar',
  'portal.name': 'Nama',
  'portal.username': 'Nama pengguna',
  'portal.agency': 'Perangkat daerah',
  'portal.problem.403': 'Tidak diizinkan',
  'portal.problem.404': 'Tidak ditemukan',
  'portal.problem.409': 'Tidak dapat dilakukan',
  'portal.back': 'Kembali',
} as const;

export const enPortal: Record<keyof typeof idPortal, string> = {
  'portal.signin_cancelled': 'Sign-in was cancelled or not allowed. Open this page again to retry.',
  'portal.signin_incomplete': 'The sign-in could not be completed: this link was already used, has expired, or is incomplete.',
  'portal.nav.account': 'My account',
  'portal.nav.developer': 'Developer portal',
  'portal.nav.admin': 'Admin console',
  'portal.signed_in_as': 'Signed in as {name}',
  'portal.logout': 'Sign out',
  'portal.name': 'Name',
  'portal.username': 'Username',
  'portal.agency': 'Agency',
  'portal.problem.403': 'Not allowed',
  'portal.problem.404': 'Not found',
  'portal.problem.409': 'Cannot be done',
  'portal.back': 'Back',
};
