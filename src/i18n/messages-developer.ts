/** Strings of the developer portal (/developer). Bahasa Indonesia is the reference; English has the same keys. */
export const idDeveloper = {
  'developer.title': 'Portal pengembang',
  'developer.intro':
    'Daftarkan dan kelola aplikasi perangkat daerah Anda ({agency}) yang masuk dengan Satu Akun. Setiap pendaftaran dan setiap perubahan ditinjau Diskominfo sebelum berlaku.',
  'developer.no_agency':
    'Akun Anda tidak tercatat pada perangkat daerah mana pun di direktori, sehingga Anda belum dapat mendaftarkan aplikasi. Hubungi admin OPD Anda.',
  'developer.new': 'Daftarkan aplikasi baru',
  'developer.back_to_list': 'Kembali ke daftar aplikasi',
  'developer.back_to_app': 'Kembali ke aplikasi',
  'developer.cancel': 'Batal',

  // The list
  'developer.list.title': 'Aplikasi perangkat daerah Anda',
  'developer.list.empty': 'Belum ada aplikasi terdaftar untuk perangkat daerah Anda.',
  'developer.list.name': 'Nama',
  'developer.list.client_id': 'ID klien',
  'developer.list.status': 'Status',
  'developer.list.change': 'Usulan perubahan',
  'developer.list.updated': 'Terakhir diperbarui',
  'developer.list.change_none': 'Tidak ada',
  'developer.list.change_open': 'Ada: {state}',

  // Statuses of an app and states of a version
  'developer.status.draft': 'Draf',
  'developer.status.submitted': 'Diajukan, menunggu tinjauan',
  'developer.status.changes_requested': 'Perlu perbaikan',
  'developer.status.rejected': 'Ditolak',
  'developer.status.active': 'Aktif',
  'developer.status.suspended': 'Ditangguhkan',
  'developer.status.retired': 'Dipensiunkan',
  'developer.state.draft': 'draf',
  'developer.state.submitted': 'diajukan, menunggu tinjauan',
  'developer.state.changes_requested': 'perlu perbaikan',
  'developer.state.approved': 'disetujui',
  'developer.state.rejected': 'ditolak',
  'developer.state.superseded': 'digantikan versi yang lebih baru',
  'developer.state.withdrawn': 'ditarik',

  // What happened (history)
  'developer.event.created': 'Didaftarkan sebagai draf',
  'developer.event.updated': 'Draf diubah',
  'developer.event.change_started': 'Usulan perubahan dimulai',
  'developer.event.submitted': 'Diajukan untuk ditinjau',
  'developer.event.approved': 'Disetujui',
  'developer.event.rejected': 'Ditolak',
  'developer.event.changes_requested': 'Diminta perbaikan',
  'developer.event.suspended': 'Ditangguhkan',
  'developer.event.reinstated': 'Diaktifkan kembali',
  'developer.event.retired': 'Dipensiunkan',
  'developer.event.secret_rotated': 'Rahasia klien dibuat atau diganti',
  'developer.actor.you': 'Anda',
  'developer.actor.system': 'Sistem',
  'developer.actor.reviewer': 'Peninjau Diskominfo',
  'developer.actor.other': 'Pengguna lain',

  // The detail page
  'developer.detail.client_id': 'ID klien (client_id)',
  'developer.detail.status': 'Status',
  'developer.detail.agency': 'Perangkat daerah',
  'developer.detail.updated': 'Terakhir diperbarui',
  'developer.detail.live': 'Konfigurasi yang berlaku (versi {version})',
  'developer.detail.live_none': 'Konfigurasi yang berlaku',
  'developer.detail.not_live': 'Aplikasi ini belum pernah disetujui, sehingga belum dapat dipakai untuk masuk.',
  'developer.detail.open': 'Versi {version}: {state}',
  'developer.detail.open_title': 'Versi yang sedang dikerjakan',
  'developer.detail.change_request_note':
    'Ini usulan perubahan. Konfigurasi yang berlaku tetap dipakai sampai usulan ini disetujui Diskominfo.',
  'developer.detail.reviewer_comment': 'Catatan peninjau',
  'developer.detail.waiting': 'Menunggu tinjauan Diskominfo. Selama ditinjau, versi ini tidak dapat diubah.',
  'developer.detail.fix_and_submit': 'Perbaiki sesuai catatan peninjau, lalu ajukan lagi.',
  'developer.detail.rejected_note':
    'Pendaftaran ini ditolak; alasannya ada di riwayat. Untuk mencoba lagi, daftarkan aplikasi baru yang sudah diperbaiki.',
  'developer.detail.suspended_note':
    'Aplikasi ini ditangguhkan oleh Diskominfo: tidak ada yang dapat masuk dan semua tokennya dicabut. Alasannya ada di riwayat; hubungi Diskominfo.',
  'developer.detail.retired_note': 'Aplikasi ini sudah dipensiunkan dan tidak dapat dipakai lagi untuk masuk.',
  'developer.detail.edit_draft': 'Ubah draf',
  'developer.detail.propose': 'Usulkan perubahan',
  'developer.detail.propose_help':
    'Perubahan (alamat pengalihan, data, tingkat keamanan) ditinjau dulu; selama itu konfigurasi yang berlaku tetap dipakai.',
  'developer.detail.submit': 'Ajukan untuk ditinjau',
  'developer.detail.submit_help': 'Setelah diajukan, Diskominfo meninjau pendaftaran ini. Selama ditinjau, isinya tidak dapat diubah.',
  'developer.detail.retire': 'Pensiunkan aplikasi',
  'developer.detail.actions': 'Tindakan',

  // One version's settings
  'developer.version.level_requested': 'Tingkat keamanan yang diminta',
  'developer.version.level_granted': 'Tingkat keamanan yang ditetapkan',
  'developer.version.scopes_granted': 'Data yang diberikan',
  'developer.version.approved': 'Disetujui {date}',
  'developer.version.submitted': 'Diajukan {date}',
  'developer.version.none': 'Tidak ada',
  'developer.version.verdict': '{uri} ({verdict})',
  'developer.version.agreement': 'Perjanjian kerja sama {reference}, berlaku sampai {date}',

  // History
  'developer.history.title': 'Riwayat',
  'developer.history.empty': 'Belum ada riwayat.',
  'developer.history.at': 'Waktu',
  'developer.history.action': 'Kejadian',
  'developer.history.actor': 'Oleh',
  'developer.history.reason': 'Alasan atau catatan peninjau',
  'developer.history.version': 'versi {version}',

  // Client secrets
  'developer.secret.title': 'Rahasia klien (client secret)',
  'developer.secret.count': 'Rahasia klien yang berlaku saat ini: {count}.',
  'developer.secret.none': 'Aplikasi ini belum mempunyai rahasia klien, sehingga belum dapat mengambil token.',
  'developer.secret.previous_until': 'Rahasia sebelumnya tetap berlaku sampai {date}, lalu berhenti.',
  'developer.secret.hash_note':
    'Satu Akun hanya menyimpan hash rahasia, bukan rahasianya. Rahasia yang hilang tidak dapat ditampilkan lagi; buat rahasia baru dengan menggantinya.',
  'developer.secret.create': 'Buat rahasia klien',
  'developer.secret.create_help': 'Rahasia dibuat oleh server dan hanya ditampilkan satu kali.',
  'developer.secret.rotate': 'Ganti rahasia klien',
  'developer.secret.not_used': 'Aplikasi ini tidak memakai rahasia klien (metode {method}).',
  'developer.secret.not_active': 'Rahasia klien dapat dibuat setelah aplikasi disetujui dan selama aplikasi aktif.',
  'developer.secret.shown_title': 'Rahasia klien baru',
  'developer.secret.shown_warning':
    'Salin rahasia ini sekarang dan simpan di tempat aman (misalnya pengelola rahasia di server aplikasi). Rahasia ini tidak akan ditampilkan lagi.',
  'developer.secret.shown_label': 'Rahasia klien (client_secret)',
  'developer.secret.shown_old_until': 'Rahasia lama tetap berlaku sampai {date}; setelah itu hanya rahasia baru ini yang diterima.',
  'developer.secret.shown_old_stopped': 'Rahasia lama sudah tidak berlaku; hanya rahasia baru ini yang diterima.',
  'developer.secret.shown_done': 'Sudah saya simpan, kembali ke aplikasi',

  // Rotation
  'developer.rotate.title': 'Ganti rahasia klien',
  'developer.rotate.intro':
    'Rahasia baru dibuat dan ditampilkan satu kali. Agar aplikasi tidak berhenti selama Anda memasang rahasia baru, rahasia lama dapat tetap berlaku untuk sementara (masa tumpang tindih).',
  'developer.rotate.overlap': 'Masa tumpang tindih (jam)',
  'developer.rotate.overlap_help':
    'Angka 0 sampai {max} ({days} hari). 0 berarti rahasia lama langsung berhenti: pilih 0 bila rahasia lama bocor.',
  'developer.rotate.next': 'Lanjut',
  'developer.rotate.confirm_title': 'Ganti rahasia klien {name}?',
  'developer.rotate.what_new': 'Rahasia baru dibuat dan ditampilkan satu kali saja.',
  'developer.rotate.what_overlap':
    'Rahasia lama tetap berlaku selama {hours} jam (sampai sekitar {date}), lalu berhenti. Pasang rahasia baru di aplikasi sebelum itu.',
  'developer.rotate.what_now': 'Rahasia lama langsung berhenti berlaku: aplikasi gagal mengambil token sampai rahasia baru dipasang.',
  'developer.rotate.submit': 'Ya, ganti rahasia',

  // Retirement
  'developer.retire.title': 'Pensiunkan {name}?',
  'developer.retire.what_signin': 'Mulai saat itu juga, tidak ada yang dapat masuk ke aplikasi ini dengan Satu Akun.',
  'developer.retire.what_tokens': 'Semua token yang pernah diberikan kepada aplikasi ini dicabut, dan rahasia kliennya dihapus.',
  'developer.retire.what_final':
    'Tindakan ini tidak dapat dibatalkan. Untuk memakai Satu Akun lagi, aplikasi harus didaftarkan ulang dan ditinjau.',
  'developer.retire.reason': 'Alasan',
  'developer.retire.reason_help': 'Wajib, paling sedikit 10 karakter. Alasan dicatat di riwayat aplikasi dan jejak audit.',
  'developer.retire.submit': 'Ya, pensiunkan aplikasi',

  // After an action
  'developer.done.created': 'Draf tersimpan. Periksa sekali lagi, lalu ajukan untuk ditinjau.',
  'developer.done.saved': 'Perubahan tersimpan. Ajukan untuk ditinjau bila sudah lengkap.',
  'developer.done.submitted': 'Pendaftaran diajukan. Diskominfo akan meninjaunya; hasilnya tercatat di riwayat.',
  'developer.done.retired': 'Aplikasi dipensiunkan.',

  // The registration form
  'developer.form.new_title': 'Daftarkan aplikasi baru',
  'developer.form.edit_title': 'Ubah draf: {name}',
  'developer.form.propose_title': 'Usulkan perubahan: {name}',
  'developer.form.propose_note': 'Konfigurasi yang berlaku tetap dipakai sampai usulan ini disetujui Diskominfo.',
  'developer.form.intro':
    'Isian bertanda * wajib. Peninjau Diskominfo memeriksa terutama untuk apa setiap data dipakai, dan mengapa alamat di luar kebijakan diperlukan: tulis jawabannya dengan jelas.',
  'developer.form.errors_title': 'Ada isian yang perlu diperbaiki:',
  'developer.form.required': 'wajib',
  'developer.form.choose': 'Pilih…',
  'developer.form.save_new': 'Simpan sebagai draf',
  'developer.form.save': 'Simpan',
  'developer.form.after_save': 'Draf belum dikirim ke Diskominfo: setelah disimpan, Anda mengajukannya dari halaman aplikasi.',
  'developer.form.uri_problem': '{uri}: {message}',
  'developer.form.role_problem': '"{role}": {message}',
  'developer.form.roles_label': 'Daftar peran (satu per baris, nama: penjelasan)',
  'developer.form.scope_always': 'Selalu disertakan: pengenal akun Anda di aplikasi (bukan NIP).',
  'developer.form.scope_purpose_label': 'Tujuan penggunaan data {scope}',
  'developer.form.section.about': 'Tentang aplikasi',
  'developer.form.section.signin': 'Cara aplikasi masuk',
  'developer.form.section.addresses': 'Alamat',
  'developer.form.section.data': 'Data yang diminta',
  'developer.form.section.roles': 'Peran pengguna di aplikasi',
  'developer.form.section.contact': 'Penanggung jawab',
  'developer.form.section.docs': 'Dokumentasi',
  'developer.form.section.outside': 'Pihak luar',

  // Help under each field: what the reviewer looks for
  'developer.help.name': 'Nama yang dilihat pegawai saat masuk, 3–80 karakter.',
  'developer.help.description': 'Untuk apa aplikasi ini dan siapa penggunanya. Peninjau menilai apakah data yang diminta sesuai kegunaan ini.',
  'developer.help.agency': 'Perangkat daerah pemilik aplikasi. Pengembang hanya dapat mendaftarkan aplikasi untuk perangkat daerahnya sendiri.',
  'developer.help.agency_fixed': 'Aplikasi didaftarkan untuk perangkat daerah Anda.',
  'developer.help.kind': 'Aplikasi umum dipakai lintas OPD; aplikasi khusus hanya untuk satu OPD.',
  'developer.help.environment': 'Alamat http://localhost hanya diterima untuk lingkungan pengembangan.',
  'developer.help.level':
    'Tingkat 2 atau 3 untuk aplikasi yang mengolah data pribadi, keuangan, atau kepegawaian. Peninjau menetapkan tingkat akhirnya.',
  'developer.help.client_type':
    'Aplikasi di server dapat menyimpan rahasia; aplikasi peramban (SPA) atau seluler tidak, dan memakai PKCE.',
  'developer.help.token_endpoint_auth_method':
    'Aplikasi rahasia: client_secret_basic atau client_secret_post; private_key_jwt (kunci privat, tanpa rahasia bersama) dianjurkan untuk aplikasi tingkat 3. Aplikasi publik: none.',
  'developer.help.jwks_uri': 'Hanya untuk private_key_jwt: alamat https tempat aplikasi menerbitkan kunci publiknya. Isi ini atau JWKS di bawah, tidak keduanya.',
  'developer.help.jwks': 'Hanya untuk private_key_jwt: tempel JWKS berisi kunci publik saja. Jangan pernah mengirim kunci privat.',
  'developer.help.id_token_signed_response_alg':
    'Cara Satu Akun menandatangani ID token untuk aplikasi ini. RS256 (bawaan) didukung semua pustaka, termasuk jumbojett/openid-connect-php. Pilih ES256 bila pustaka Anda mendukungnya (openid-client, Authlib, mod_auth_openidc) dan setel pustaka ke algoritma yang sama.',
  'developer.help.grant_types': 'Biasanya kode otorisasi dan token penyegar. Kredensial klien hanya untuk akses antarsistem tanpa pengguna.',
  'developer.help.redirect_uris':
    'Satu alamat per baris, paling banyak 10, dicocokkan persis. Alamat https di domain pemerintah kabupaten diterima; alamat lain perlu pengecualian.',
  'developer.help.post_logout_redirect_uris': 'Satu alamat per baris: ke mana pengguna dikembalikan setelah keluar. Boleh kosong.',
  'developer.help.redirect_justification':
    'Wajib bila ada alamat di luar kebijakan (domain lain, alamat IP, http, skema aplikasi seluler): mengapa diperlukan, dan sampai kapan. Paling sedikit 20 karakter.',
  'developer.help.backchannel_logout_uri': 'Opsional: alamat https yang dipanggil Satu Akun saat sesi pengguna berakhir.',
  'developer.help.scopes':
    'Pilih hanya data yang benar-benar dipakai, dan tulis tujuan masing-masing (10–500 karakter). Data hanya diberikan untuk tujuan yang dinyatakan (aturan Walidata); peninjau dapat memberikan lebih sedikit dari yang diminta.',
  'developer.help.app_roles':
    'Opsional; wajib bila aplikasi meminta data roles. Tulis satu peran per baris: nama peran, titik dua, lalu apa yang dapat dilakukan pemegangnya (10–300 karakter), misalnya "verifikator: Memeriksa dan menyetujui pengajuan SPPD". Nama peran dikirim ke aplikasi dan dapat dipakai sebagai aturan akses, sehingga ditinjau Diskominfo bersama aplikasi. Paling banyak 30 peran.',
  'developer.help.responsible_name': 'Orang yang dihubungi Diskominfo tentang aplikasi ini, termasuk saat ada insiden keamanan.',
  'developer.help.responsible_email': 'E-mail dinas yang dibaca; pemberitahuan hasil tinjauan dikirim ke sini.',
  'developer.help.responsible_phone': 'Opsional. Angka, +, spasi, atau tanda hubung.',
  'developer.help.docs_repository': 'Opsional: tautan repositori kode sumber.',
  'developer.help.docs_manual': 'Opsional: tautan manual atau panduan pengguna.',
  'developer.help.docs_security_report': 'Opsional, tetapi diharapkan untuk tingkat 2 dan 3: tautan laporan uji keamanan (misalnya uji penetrasi).',
  'developer.help.outside_party': 'Centang bila aplikasi dibuat atau dikelola pihak luar, misalnya vendor atau instansi lain.',
  'developer.help.agreement_reference': 'Wajib untuk pihak luar: nomor perjanjian kerja sama (PKS).',
  'developer.help.agreement_expires':
    'Wajib untuk pihak luar, format TTTT-BB-HH. Setelah tanggal ini aplikasi ditangguhkan otomatis sampai perjanjian diperpanjang.',
} as const;

export const enDeveloper: Record<keyof typeof idDeveloper, string> = {
  'developer.title': 'Developer portal',
  'developer.intro':
    "Register and manage the apps of your agency ({agency}) that sign people in with Satu Akun. Every registration and every change is reviewed by Diskominfo before it takes effect.",
  'developer.no_agency':
    'Your account is not recorded under any agency in the directory, so you cannot register apps yet. Contact your agency administrator.',
  'developer.new': 'Register a new app',
  'developer.back_to_list': 'Back to the list of apps',
  'developer.back_to_app': 'Back to the app',
  'developer.cancel': 'Cancel',

  'developer.list.title': "Your agency's apps",
  'developer.list.empty': 'No apps are registered for your agency yet.',
  'developer.list.name': 'Name',
  'developer.list.client_id': 'Client ID',
  'developer.list.status': 'Status',
  'developer.list.change': 'Change request',
  'developer.list.updated': 'Last updated',
  'developer.list.change_none': 'None',
  'developer.list.change_open': 'Yes: {state}',

  'developer.status.draft': 'Draft',
  'developer.status.submitted': 'Submitted, awaiting review',
  'developer.status.changes_requested': 'Changes requested',
  'developer.status.rejected': 'Rejected',
  'developer.status.active': 'Active',
  'developer.status.suspended': 'Suspended',
  'developer.status.retired': 'Retired',
  'developer.state.draft': 'draft',
  'developer.state.submitted': 'submitted, awaiting review',
  'developer.state.changes_requested': 'changes requested',
  'developer.state.approved': 'approved',
  'developer.state.rejected': 'rejected',
  'developer.state.superseded': 'superseded by a newer version',
  'developer.state.withdrawn': 'withdrawn',

  'developer.event.created': 'Registered as a draft',
  'developer.event.updated': 'Draft changed',
  'developer.event.change_started': 'Change request started',
  'developer.event.submitted': 'Submitted for review',
  'developer.event.approved': 'Approved',
  'developer.event.rejected': 'Rejected',
  'developer.event.changes_requested': 'Changes requested',
  'developer.event.suspended': 'Suspended',
  'developer.event.reinstated': 'Reinstated',
  'developer.event.retired': 'Retired',
  'developer.event.secret_rotated': 'Client secret created or replaced',
  'developer.actor.you': 'You',
  'developer.actor.system': 'System',
  'developer.actor.reviewer': 'Diskominfo reviewer',
  'developer.actor.other': 'Another person',

  'developer.detail.client_id': 'Client ID (client_id)',
  'developer.detail.status': 'Status',
  'developer.detail.agency': 'Agency',
  'developer.detail.updated': 'Last updated',
  'developer.detail.live': 'Configuration in effect (version {version})',
  'developer.detail.live_none': 'Configuration in effect',
  'developer.detail.not_live': 'This app has never been approved, so nobody can sign in to it yet.',
  'developer.detail.open': 'Version {version}: {state}',
  'developer.detail.open_title': 'Version being worked on',
  'developer.detail.change_request_note':
    'This is a change request. The configuration in effect keeps working until Diskominfo approves this request.',
  'developer.detail.reviewer_comment': "Reviewer's comment",
  'developer.detail.waiting': 'Awaiting review by Diskominfo. While it is being reviewed, this version cannot be changed.',
  'developer.detail.fix_and_submit': "Make the changes the reviewer asks for, then submit again.",
  'developer.detail.rejected_note':
    'This registration was rejected; the reason is in the history. To try again, register a new, corrected app.',
  'developer.detail.suspended_note':
    'This app has been suspended by Diskominfo: nobody can sign in and all its tokens are revoked. The reason is in the history; contact Diskominfo.',
  'developer.detail.retired_note': 'This app has been retired and can no longer be used to sign in.',
  'developer.detail.edit_draft': 'Edit the draft',
  'developer.detail.propose': 'Propose a change',
  'developer.detail.propose_help':
    'A change (redirect URIs, data, security level) is reviewed first; meanwhile the configuration in effect keeps working.',
  'developer.detail.submit': 'Submit for review',
  'developer.detail.submit_help': 'Once submitted, Diskominfo reviews this registration. While it is being reviewed it cannot be changed.',
  'developer.detail.retire': 'Retire the app',
  'developer.detail.actions': 'Actions',

  'developer.version.level_requested': 'Requested security level',
  'developer.version.level_granted': 'Security level set',
  'developer.version.scopes_granted': 'Data granted',
  'developer.version.approved': 'Approved {date}',
  'developer.version.submitted': 'Submitted {date}',
  'developer.version.none': 'None',
  'developer.version.verdict': '{uri} ({verdict})',
  'developer.version.agreement': 'Cooperation agreement {reference}, valid until {date}',

  'developer.history.title': 'History',
  'developer.history.empty': 'No history yet.',
  'developer.history.at': 'Time',
  'developer.history.action': 'Event',
  'developer.history.actor': 'By',
  'developer.history.reason': "Reason or reviewer's comment",
  'developer.history.version': 'version {version}',

  'developer.secret.title': 'Client secret',
  'developer.secret.count': 'Client secrets in effect now: {count}.',
  'developer.secret.none': 'This app has no client secret yet, so it cannot obtain tokens.',
  'developer.secret.previous_until': 'The previous secret keeps working until {date}, then stops.',
  'developer.secret.hash_note':
    'Satu Akun stores only a hash of each secret, never the secret itself. A lost secret cannot be shown again; replace it with a new one.',
  'developer.secret.create': 'Create the client secret',
  'developer.secret.create_help': 'The secret is generated by the server and shown only once.',
  'developer.secret.rotate': 'Replace the client secret',
  'developer.secret.not_used': 'This app does not use a client secret (method {method}).',
  'developer.secret.not_active': 'A client secret can be created once the app is approved, and while it is active.',
  'developer.secret.shown_title': 'New client secret',
  'developer.secret.shown_warning':
    "Copy this secret now and keep it somewhere safe (such as the app server's secret store). It will not be shown again.",
  'developer.secret.shown_label': 'Client secret (client_secret)',
  'developer.secret.shown_old_until': 'The old secret keeps working until {date}; after that only this new secret is accepted.',
  'developer.secret.shown_old_stopped': 'The old secret no longer works; only this new secret is accepted.',
  'developer.secret.shown_done': 'I have saved it, back to the app',

  'developer.rotate.title': 'Replace the client secret',
  'developer.rotate.intro':
    'A new secret is generated and shown once. So that the app keeps working while you install the new secret, the old one can keep working for a while (the overlap).',
  'developer.rotate.overlap': 'Overlap (hours)',
  'developer.rotate.overlap_help':
    'A number from 0 to {max} ({days} days). 0 means the old secret stops at once: choose 0 if the old secret has leaked.',
  'developer.rotate.next': 'Continue',
  'developer.rotate.confirm_title': 'Replace the client secret of {name}?',
  'developer.rotate.what_new': 'A new secret is generated and shown only once.',
  'developer.rotate.what_overlap':
    'The old secret keeps working for {hours} hours (until about {date}), then stops. Install the new secret in the app before then.',
  'developer.rotate.what_now': 'The old secret stops working at once: the app cannot obtain tokens until the new secret is installed.',
  'developer.rotate.submit': 'Yes, replace the secret',

  'developer.retire.title': 'Retire {name}?',
  'developer.retire.what_signin': 'From this moment, nobody can sign in to this app with Satu Akun.',
  'developer.retire.what_tokens': 'Every token ever issued to this app is revoked, and its client secrets are deleted.',
  'developer.retire.what_final': 'This cannot be undone. To use Satu Akun again, the app must be registered and reviewed anew.',
  'developer.retire.reason': 'Reason',
  'developer.retire.reason_help': "Required, at least 10 characters. It is recorded in the app's history and the audit trail.",
  'developer.retire.submit': 'Yes, retire the app',

  'developer.done.created': 'Draft saved. Check it once more, then submit it for review.',
  'developer.done.saved': 'Changes saved. Submit for review when complete.',
  'developer.done.submitted': 'Registration submitted. Diskominfo will review it; the outcome is recorded in the history.',
  'developer.done.retired': 'The app has been retired.',

  'developer.form.new_title': 'Register a new app',
  'developer.form.edit_title': 'Edit draft: {name}',
  'developer.form.propose_title': 'Propose a change: {name}',
  'developer.form.propose_note': 'The configuration in effect keeps working until Diskominfo approves this request.',
  'developer.form.intro':
    'Fields marked * are required. Diskominfo reviewers look above all at what each data item is used for, and why any address outside the policy is needed: answer those clearly.',
  'developer.form.errors_title': 'Some fields need correcting:',
  'developer.form.required': 'required',
  'developer.form.choose': 'Choose…',
  'developer.form.save_new': 'Save as draft',
  'developer.form.save': 'Save',
  'developer.form.after_save': 'The draft is not sent to Diskominfo yet: once saved, you submit it from the app page.',
  'developer.form.uri_problem': '{uri}: {message}',
  'developer.form.role_problem': '"{role}": {message}',
  'developer.form.roles_label': 'Roles (one per line, name: description)',
  'developer.form.scope_always': 'Always included: your account identifier in the app (not your NIP).',
  'developer.form.scope_purpose_label': 'Purpose of the {scope} data',
  'developer.form.section.about': 'About the app',
  'developer.form.section.signin': 'How the app signs in',
  'developer.form.section.addresses': 'Addresses',
  'developer.form.section.data': 'Requested data',
  'developer.form.section.roles': 'User roles in the app',
  'developer.form.section.contact': 'Responsible person',
  'developer.form.section.docs': 'Documentation',
  'developer.form.section.outside': 'Outside party',

  'developer.help.name': 'The name staff see when signing in, 3–80 characters.',
  'developer.help.description': 'What the app is for and who uses it. The reviewer checks that the requested data fits this purpose.',
  'developer.help.agency': 'The agency that owns the app. Developers can only register apps for their own agency.',
  'developer.help.agency_fixed': 'The app is registered for your agency.',
  'developer.help.kind': 'A shared app is used across agencies; an agency-specific app by one agency only.',
  'developer.help.environment': 'http://localhost addresses are accepted for the development environment only.',
  'developer.help.level':
    'Level 2 or 3 for apps handling personal, financial or personnel data. The reviewer sets the final level.',
  'developer.help.client_type':
    'A server-side app can keep a secret; a browser (SPA) or mobile app cannot, and uses PKCE.',
  'developer.help.token_endpoint_auth_method':
    'Confidential apps: client_secret_basic or client_secret_post; private_key_jwt (a private key, no shared secret) is preferred for level-3 apps. Public apps: none.',
  'developer.help.jwks_uri': 'For private_key_jwt only: the https address where the app publishes its public keys. Fill in this or the JWKS below, not both.',
  'developer.help.jwks': 'For private_key_jwt only: paste a JWKS with public keys only. Never send a private key.',
  'developer.help.id_token_signed_response_alg':
    "How Satu Akun signs this app's ID tokens. RS256 (the default) is supported by every library, jumbojett/openid-connect-php included. Choose ES256 when your library supports it (openid-client, Authlib, mod_auth_openidc) and set the library to the same algorithm.",
  'developer.help.grant_types': 'Usually authorization code and refresh token. Client credentials only for system-to-system access without a person.',
  'developer.help.redirect_uris':
    "One address per line, at most 10, matched exactly. https addresses on the regency's domain are accepted; any other address needs an exception.",
  'developer.help.post_logout_redirect_uris': 'One address per line: where people are sent back after signing out. May be empty.',
  'developer.help.redirect_justification':
    'Required when an address is outside the policy (another domain, an IP address, http, a mobile app scheme): why it is needed, and until when. At least 20 characters.',
  'developer.help.backchannel_logout_uri': "Optional: an https address Satu Akun calls when a person's session ends.",
  'developer.help.scopes':
    'Choose only data the app really uses, and state the purpose of each (10–500 characters). Data is released only for a stated purpose (the Walidata rule); the reviewer may grant less than requested.',
  'developer.help.app_roles':
    'Optional; required when the app requests the roles data. Write one role per line: the role name, a colon, then what a holder of the role can do (10–300 characters), for example "verifier: Checks and approves travel requests". Role names are sent to the app and can be used as an access rule, so Diskominfo reviews them with the app. At most 30 roles.',
  'developer.help.responsible_name': 'The person Diskominfo contacts about this app, including in a security incident.',
  'developer.help.responsible_email': 'An official e-mail address that is read; review outcomes are sent here.',
  'developer.help.responsible_phone': 'Optional. Digits, +, spaces or hyphens.',
  'developer.help.docs_repository': 'Optional: a link to the source code repository.',
  'developer.help.docs_manual': 'Optional: a link to the manual or user guide.',
  'developer.help.docs_security_report': 'Optional, but expected for levels 2 and 3: a link to the security test report (a penetration test, say).',
  'developer.help.outside_party': 'Tick if the app is built or operated by an outside party, such as a vendor or another institution.',
  'developer.help.agreement_reference': 'Required for outside parties: the cooperation agreement (PKS) number.',
  'developer.help.agreement_expires':
    'Required for outside parties, as YYYY-MM-DD. After this date the app is suspended automatically until the agreement is extended.',
};
