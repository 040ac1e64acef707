/** Strings of the app lifecycle and review (src/clients/apps.service.ts). Bahasa Indonesia is the reference. */
export const idReview = {
  'review.error.not_found': 'Aplikasi tidak ditemukan, atau Anda tidak berhak melihatnya.',
  'review.error.forbidden': 'Anda tidak berhak melakukan tindakan ini pada aplikasi ini.',
  'review.error.own_app': 'Anda tidak dapat memutuskan pendaftaran aplikasi yang Anda daftarkan atau ubah sendiri. Minta peninjau lain.',
  'review.error.state': 'Tindakan ini tidak dapat dilakukan pada status aplikasi saat ini. Muat ulang halaman untuk melihat status terbaru.',
  'review.error.reason': 'Tuliskan alasan, paling sedikit {min} karakter.',
  'review.error.exceptions': 'Alamat berikut di luar kebijakan dan harus diterima secara eksplisit sebelum menyetujui: {uris}',
  'review.error.scopes': 'Data yang diberikan harus termasuk openid dan hanya dari data yang diminta.',
  'review.error.agency': 'Anda hanya dapat mendaftarkan aplikasi untuk perangkat daerah Anda sendiri.',
  'review.error.overlap': 'Masa tumpang tindih harus antara 0 dan {max} jam.',
  'review.error.no_secret_method': 'Aplikasi ini tidak memakai client secret (aplikasi publik atau private_key_jwt).',
} as const;

export const enReview: Record<keyof typeof idReview, string> = {
  'review.error.not_found': 'App not found, or you may not see it.',
  'review.error.forbidden': 'You may not do this to this app.',
  'review.error.own_app': 'You cannot decide on a registration you registered or changed yourself. Ask another reviewer.',
  'review.error.state': 'This cannot be done in the app’s current status. Reload the page to see the latest status.',
  'review.error.reason': 'Give a reason of at least {min} characters.',
  'review.error.exceptions': 'These addresses are outside the policy and must be accepted explicitly before approval: {uris}',
  'review.error.scopes': 'The data granted must include openid and only data that was requested.',
  'review.error.agency': 'You can only register apps for your own agency.',
  'review.error.overlap': 'The overlap must be between 0 and {max} hours.',
  'review.error.no_secret_method': 'This app does not use a client secret (a public app, or private_key_jwt).',
};
