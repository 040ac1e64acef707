/** Strings of audit retention: `audit archive` (src/cli/audit-archive.ts) and the archive notes of `audit verify`. */
export const idArchive = {
  'archive.usage': 'Cara pakai: npm run satu-akun -- audit archive [--dry-run]',
  'archive.nothing': 'Tidak ada yang diarsipkan: tidak ada catatan yang lebih tua dari {days} hari (sebelum {cutoff}).',
  'archive.waiting_reports': 'Catatan sampai nomor {due} sudah cukup tua, tetapi laporan penggunaan baru menghitung sampai nomor {counted}: catatan diarsipkan setelah dihitung (laporan diperbarui setiap 5 menit selama Satu Akun berjalan).',
  'archive.planned': 'Uji coba: catatan {from}–{to} ({count} catatan) lebih tua dari {days} hari dan akan dipindahkan ke {file}. Tidak ada yang diubah.',
  'archive.done': 'Catatan {from}–{to} ({count} catatan) diarsipkan ke {file} (SHA-256 {sha256}) dan {deleted} catatan dihapus dari basis data. Salin berkas itu ke luar server ini.',
  'archive.resumed': 'Menyelesaikan proses yang sempat terhenti: {count} catatan yang sudah diarsipkan dihapus dari basis data.',
  'archive.busy': 'Proses arsip jejak audit lain sedang berjalan (proses {pid}); coba lagi nanti.',
  'archive.chain_broken': 'Tidak diarsipkan: rantai jejak audit tidak utuh di catatan {seq} ({reason}). Jalankan audit verify dan periksa dulu; tidak ada yang dihapus.',
  'archive.file_bad': 'Tidak diarsipkan: berkas arsip {file} tidak terbaca kembali dengan benar ({problem}); tidak ada yang dihapus.',
  'archive.failed': 'Pengarsipan jejak audit gagal: {message}',
  'audit.archive_anchor': 'Catatan sampai nomor {seq} sudah diarsipkan (hash terakhir {hash}); rantai diperiksa mulai dari situ. Berkas arsip diperiksa terpisah: npm run audit:verify -- --file BERKAS',
  'audit.checkpoint_archived': 'Titik periksa bertanda tangan menunjuk catatan {seq}, yang sudah diarsipkan, sehingga tidak dapat dicocokkan dengan basis data. Ini bukan tanda pengubahan; cocokkan dengan berkas arsipnya secara terpisah.',
} as const;

export const enArchive: Record<keyof typeof idArchive, string> = {
  'archive.usage': 'Usage: npm run satu-akun -- audit archive [--dry-run]',
  'archive.nothing': 'Nothing to archive: no record is older than {days} days (before {cutoff}).',
  'archive.waiting_reports': 'Records up to {due} are old enough, but the usage reports have counted only up to {counted}: records are archived once counted (the reports update every 5 minutes while Satu Akun runs).',
  'archive.planned': 'Dry run: records {from}–{to} ({count} records) are older than {days} days and would move to {file}. Nothing was changed.',
  'archive.done': 'Archived records {from}–{to} ({count} records) to {file} (SHA-256 {sha256}) and deleted {deleted} records from the database. Copy the file off this server.',
  'archive.resumed': 'Finished an interrupted run: deleted {count} records that were already archived.',
  'archive.busy': 'Another audit archive run is in progress (process {pid}); try again later.',
  'archive.chain_broken': 'Not archived: the audit chain is not intact at record {seq} ({reason}). Run audit verify and investigate first; nothing was deleted.',
  'archive.file_bad': 'Not archived: the archive file {file} did not read back correctly ({problem}); nothing was deleted.',
  'archive.failed': 'Audit archive failed: {message}',
  'audit.archive_anchor': 'Records up to {seq} are archived (last hash {hash}); the chain was checked from there. Check the archive files separately: npm run audit:verify -- --file FILE',
  'audit.checkpoint_archived': 'The signed checkpoint names record {seq}, which is archived, so it cannot be checked against the database. This is not a sign of tampering; check it against its archive file separately.',
};
