/** Strings of the notification outbox in the admin console (/admin/kotak-keluar). Bahasa Indonesia first. */
export const idOutbox = {
  'outbox.title': 'Kotak keluar notifikasi',
  'outbox.smtp_on': 'SMTP sudah dikonfigurasi: pesan dikirim otomatis dan dikirim ulang bila gagal.',
  'outbox.smtp_off': 'SMTP belum dikonfigurasi (SATU_AKUN_SMTP_URL): pesan menunggu di sini. Bila perlu, sampaikan isinya kepada penerima secara manual.',
  'outbox.empty': 'Belum ada pesan.',
  'outbox.sensitive': 'Isi pesan ini dirahasiakan (kode pemasangan verifikasi dua langkah, hanya untuk penerimanya).',
  'outbox.to': 'Kepada: {recipient}',
  'outbox.sent': 'terkirim',
  'outbox.waiting': 'menunggu',
  'outbox.failed': 'gagal {attempts} kali: {error}',
} as const;

export const enOutbox: Record<keyof typeof idOutbox, string> = {
  'outbox.title': 'Notification outbox',
  'outbox.smtp_on': 'SMTP is configured: messages are sent automatically and retried when sending fails.',
  'outbox.smtp_off': 'SMTP is not configured (SATU_AKUN_SMTP_URL): messages wait here. Pass them on by hand where needed.',
  'outbox.empty': 'No messages yet.',
  'outbox.sensitive': 'The content of this message is withheld (a two-step verification set-up code, for the recipient only).',
  'outbox.to': 'To: {recipient}',
  'outbox.sent': 'sent',
  'outbox.waiting': 'waiting',
  'outbox.failed': 'failed {attempts} times: {error}',
};
