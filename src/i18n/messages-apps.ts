/**
 * Strings of app registration: field labels, choices, redirect-policy verdicts and validation messages. Bahasa
 * Indonesia is the reference; English must have the same keys. Spread into the main dictionaries of `messages.ts`.
 *
 * Validation messages carry no `{placeholders}`: they travel as zod issue messages (the key alone), so every number a
 * person needs (lengths, limits) is written into the text.
 */
export const idApps = {
  // Field labels
  'apps.field.name': 'Nama aplikasi',
  'apps.field.description': 'Deskripsi dan kegunaan',
  'apps.field.agency': 'Kode perangkat daerah pemilik',
  'apps.field.kind': 'Jenis aplikasi',
  'apps.field.environment': 'Lingkungan',
  'apps.field.level': 'Tingkat keamanan yang diminta',
  'apps.field.client_type': 'Tipe klien',
  'apps.field.token_endpoint_auth_method': 'Metode autentikasi klien',
  'apps.field.jwks_uri': 'Alamat JWKS (jwks_uri)',
  'apps.field.jwks': 'Kunci publik aplikasi (JWKS)',
  'apps.field.id_token_signed_response_alg': 'Algoritma tanda tangan ID token',
  'apps.field.redirect_uris': 'Alamat pengalihan (redirect URI)',
  'apps.field.post_logout_redirect_uris': 'Alamat pengalihan setelah keluar (post-logout redirect URI)',
  'apps.field.redirect_justification': 'Alasan pengecualian alamat',
  'apps.field.backchannel_logout_uri': 'Alamat back-channel logout',
  'apps.field.scopes': 'Data yang diminta',
  'apps.field.scope_purpose': 'Tujuan penggunaan data',
  'apps.field.app_roles': 'Peran aplikasi',
  'apps.field.app_role_name': 'Nama peran',
  'apps.field.app_role_description': 'Yang dapat dilakukan pemegang peran',
  'apps.field.grant_types': 'Jenis grant',
  'apps.field.responsible_name': 'Nama penanggung jawab',
  'apps.field.responsible_email': 'E-mail penanggung jawab',
  'apps.field.responsible_phone': 'Telepon penanggung jawab',
  'apps.field.docs_repository': 'Repositori kode sumber',
  'apps.field.docs_manual': 'Manual atau panduan pengguna',
  'apps.field.docs_security_report': 'Laporan uji keamanan',
  'apps.field.outside_party': 'Aplikasi dikembangkan atau dikelola pihak luar (bukan perangkat daerah)',
  'apps.field.agreement_reference': 'Nomor perjanjian kerja sama (PKS)',
  'apps.field.agreement_expires': 'Tanggal berakhir perjanjian kerja sama',

  // Choices
  'apps.kind.umum': 'Aplikasi umum (dipakai bersama lintas perangkat daerah)',
  'apps.kind.khusus': 'Aplikasi khusus (untuk satu perangkat daerah)',
  'apps.environment.development': 'Pengembangan (development)',
  'apps.environment.staging': 'Uji coba (staging)',
  'apps.environment.production': 'Produksi (production)',
  'apps.level.1': 'Tingkat 1: kata sandi',
  'apps.level.2': 'Tingkat 2: kata sandi dan verifikasi dua langkah',
  'apps.level.3': 'Tingkat 3: kata sandi dan verifikasi dua langkah, keduanya baru saja dilakukan',
  'apps.client_type.confidential': 'Rahasia (confidential): aplikasi di server yang dapat menyimpan rahasia',
  'apps.client_type.public': 'Publik (public): aplikasi peramban (SPA) atau seluler, tanpa rahasia, memakai PKCE',
  'apps.auth_method.client_secret_basic': 'Rahasia klien di header (client_secret_basic)',
  'apps.auth_method.client_secret_post': 'Rahasia klien di isi permintaan (client_secret_post)',
  'apps.auth_method.private_key_jwt': 'JWT yang ditandatangani kunci privat aplikasi (private_key_jwt)',
  'apps.auth_method.none': 'Tanpa rahasia, dengan PKCE (none)',
  'apps.grant_type.authorization_code': 'Kode otorisasi (authorization_code): pengguna masuk lewat Satu Akun',
  'apps.grant_type.refresh_token': 'Token penyegar (refresh_token): tetap terhubung tanpa masuk ulang',
  'apps.grant_type.client_credentials': 'Kredensial klien (client_credentials): akses antarsistem tanpa pengguna',
  'apps.signing_alg.RS256': 'RS256 (RSA): didukung semua pustaka OpenID Connect',
  'apps.signing_alg.ES256': 'ES256 (ECDSA P-256): dianjurkan bila pustaka aplikasi mendukungnya',

  // Redirect policy: verdicts
  'apps.verdict.ok': 'Diizinkan',
  'apps.verdict.exception': 'Perlu pengecualian',
  'apps.verdict.refused': 'Ditolak',

  // Redirect policy: refusals (one URI)
  'apps.redirect.refused_not_url': 'Bukan alamat lengkap. Tulis alamat yang diawali https:// beserta nama host dan jalurnya.',
  'apps.redirect.refused_too_long': 'Alamat lebih dari 2000 karakter. Persingkat alamatnya.',
  'apps.redirect.refused_whitespace': 'Alamat memuat spasi atau karakter tak terlihat. Ketik ulang alamatnya tanpa spasi.',
  'apps.redirect.refused_fragment': 'Alamat tidak boleh memuat tanda pagar (#). Hapus # dan semua yang sesudahnya.',
  'apps.redirect.refused_userinfo': 'Alamat tidak boleh memuat nama pengguna atau kata sandi (bagian sebelum @). Hapus bagian itu.',
  'apps.redirect.refused_wildcard': 'Tanda bintang (*) tidak diizinkan: alamat dicocokkan persis. Daftarkan setiap alamat secara lengkap.',
  'apps.redirect.refused_backslash': 'Alamat memuat garis miring terbalik (\\). Gunakan garis miring biasa (/).',
  'apps.redirect.refused_traversal': 'Alamat memuat segmen jalur "." atau ".." (juga bentuk %2e). Tulis jalur tujuan akhirnya secara langsung.',
  'apps.redirect.refused_scheme': 'Skema alamat ini tidak dapat dipakai untuk pengalihan. Gunakan alamat https://.',
  'apps.redirect.refused_custom_scheme':
    'Skema khusus aplikasi seluler harus berupa nama domain terbalik yang memuat titik, misalnya id.go.contoh.app:/callback.',
  'apps.redirect.refused_loopback':
    'Alamat localhost (127.0.0.1, [::1]) hanya untuk aplikasi di lingkungan pengembangan. Untuk uji coba dan produksi, gunakan alamat https di domain pemerintah kabupaten.',

  // Redirect policy: exceptions (allowed only with a justification the reviewer accepts)
  'apps.redirect.exception_outside_domain':
    'Alamat berada di luar domain pemerintah kabupaten. Hanya dapat disetujui sebagai pengecualian: jelaskan mengapa aplikasi tidak dapat memakai domain kabupaten.',
  'apps.redirect.exception_ip_host':
    'Alamat memakai alamat IP, bukan nama domain. Gunakan nama domain; bila tidak dapat, jelaskan alasannya untuk ditinjau sebagai pengecualian.',
  'apps.redirect.exception_plain_http':
    'Alamat memakai http tanpa enkripsi: kode masuk dapat disadap di jaringan. Gunakan https; bila belum dapat (misalnya aplikasi intranet), jelaskan alasannya untuk ditinjau sebagai pengecualian.',
  'apps.redirect.exception_custom_scheme':
    'Skema khusus aplikasi seluler (RFC 8252). Hanya dapat disetujui sebagai pengecualian: sebutkan aplikasi seluler dan domain pemilik skema ini.',

  // Redirect policy: the list as a whole
  'apps.redirect.list_empty': 'Isi paling sedikit satu alamat pengalihan (redirect URI).',
  'apps.redirect.list_too_many': 'Paling banyak 10 alamat. Hapus alamat yang tidak dipakai.',
  'apps.redirect.list_duplicate': 'Alamat ini sudah tercantum. Hapus salah satunya.',
  'apps.redirect.justification_required':
    'Ada alamat yang memerlukan pengecualian. Jelaskan alasannya (paling sedikit 20 karakter) agar peninjau Diskominfo dapat menilainya.',

  // Registration form validation
  'apps.invalid.form': 'Formulir tidak dapat dibaca. Muat ulang halaman, lalu coba lagi.',
  'apps.invalid.value': 'Isian ini tidak sah. Periksa kembali.',
  'apps.invalid.name': 'Isi nama aplikasi, 3–80 karakter.',
  'apps.invalid.description': 'Jelaskan kegunaan aplikasi, 10–2000 karakter.',
  'apps.invalid.agency': 'Isi kode perangkat daerah, 2–40 karakter: huruf, angka, garis bawah (_) atau tanda hubung (-).',
  'apps.invalid.kind': 'Pilih jenis aplikasi: umum atau khusus.',
  'apps.invalid.environment': 'Pilih lingkungan: pengembangan, uji coba, atau produksi.',
  'apps.invalid.level': 'Pilih tingkat keamanan 1, 2, atau 3.',
  'apps.invalid.client_type': 'Pilih tipe klien: rahasia (confidential) atau publik (public).',
  'apps.invalid.id_token_signed_response_alg': 'Pilih algoritma tanda tangan ID token: RS256 atau ES256.',
  'apps.invalid.token_endpoint_auth_method':
    'Pilih metode autentikasi klien: client_secret_basic, client_secret_post, private_key_jwt, atau none.',
  'apps.invalid.public_needs_none': 'Aplikasi publik (SPA, seluler) tidak dapat menyimpan rahasia. Pilih metode none; aplikasi memakai PKCE.',
  'apps.invalid.confidential_needs_authentication':
    'Aplikasi rahasia harus membuktikan identitasnya. Pilih client_secret_basic, client_secret_post, atau private_key_jwt.',
  'apps.invalid.jwks_missing': 'Metode private_key_jwt memerlukan kunci publik aplikasi. Isi alamat JWKS (jwks_uri) atau tempel JWKS.',
  'apps.invalid.jwks_both': 'Isi salah satu saja: alamat JWKS (jwks_uri) atau JWKS yang ditempel.',
  'apps.invalid.jwks_unused': 'Kunci publik (JWKS) hanya dipakai dengan metode private_key_jwt. Kosongkan isian ini atau pilih private_key_jwt.',
  'apps.invalid.jwks_uri': 'Alamat JWKS harus alamat https lengkap, tanpa tanda pagar (#).',
  'apps.invalid.jwks_json': 'JWKS tidak sah. Tempel JWKS dalam format JSON yang memuat daftar "keys".',
  'apps.invalid.jwks_empty': 'JWKS harus memuat paling sedikit satu kunci publik.',
  'apps.invalid.jwks_private_key':
    'JWKS memuat kunci privat atau rahasia. Anggap kunci itu bocor: buat pasangan kunci baru dan kirim hanya kunci publiknya.',
  'apps.invalid.redirect_justification': 'Alasan pengecualian paling banyak 2000 karakter.',
  'apps.invalid.backchannel_logout_uri':
    'Alamat back-channel logout harus alamat https (http://localhost hanya untuk lingkungan pengembangan).',
  'apps.invalid.scopes': 'Daftar data yang diminta tidak sah. Pilih dari daftar yang tersedia.',
  'apps.invalid.scope':
    'Pilih data dari daftar: openid, profile, email, nip, kepegawaian, roles, offline_access, admin:people:read, admin:people:write, admin:roles:write, admin:sessions:write.',
  'apps.invalid.scope_duplicate': 'Data ini dipilih lebih dari sekali. Hapus salah satunya.',
  'apps.invalid.scope_purpose':
    'Jelaskan untuk apa data ini dipakai, 10–500 karakter. Data hanya diberikan untuk tujuan yang dinyatakan (aturan Walidata).',
  'apps.invalid.app_roles': 'Daftar peran aplikasi tidak sah. Tulis setiap peran dengan nama dan penjelasannya.',
  'apps.invalid.app_role_name':
    'Nama peran 1–40 karakter: huruf kecil, angka, garis bawah (_), titik (.) atau tanda hubung (-), diawali huruf atau angka, misalnya operator atau kepala_seksi.',
  'apps.invalid.app_role_description': 'Jelaskan apa yang dapat dilakukan pemegang peran ini di aplikasi, 10–300 karakter.',
  'apps.invalid.app_roles_duplicate': 'Nama peran ini sudah tercantum. Setiap peran harus bernama lain; hapus atau ganti salah satunya.',
  'apps.invalid.app_roles_too_many': 'Paling banyak 30 peran per aplikasi. Gabungkan atau hapus peran yang tidak dipakai.',
  'apps.invalid.app_roles_required':
    'Aplikasi yang meminta data roles harus mencantumkan paling sedikit satu peran: data itu berisi peran pegawai di aplikasi ini. Tambahkan perannya, atau hapus centang roles.',
  'apps.invalid.grant_types': 'Pilih jenis grant: authorization_code, refresh_token, atau client_credentials.',
  'apps.invalid.public_client_credentials':
    'Aplikasi publik tidak dapat memakai client_credentials karena tidak punya rahasia. Hapus grant ini atau jadikan aplikasi rahasia.',
  'apps.invalid.responsible_name': 'Isi nama penanggung jawab, 3–120 karakter.',
  'apps.invalid.responsible_email': 'Isi alamat e-mail penanggung jawab yang sah, misalnya nama@dinas.go.id.',
  'apps.invalid.responsible_phone': 'Nomor telepon 6–20 karakter: angka, +, spasi, atau tanda hubung.',
  'apps.invalid.docs_url': 'Isi tautan lengkap yang diawali https:// atau http://.',
  'apps.invalid.outside_party': 'Centang kotak ini hanya bila aplikasi dikembangkan atau dikelola pihak luar.',
  'apps.invalid.agreement_reference':
    'Aplikasi pihak luar wajib mencantumkan nomor perjanjian kerja sama (PKS), 3–200 karakter.',
  'apps.invalid.agreement_expires': 'Isi tanggal berakhir perjanjian dengan format TTTT-BB-HH, misalnya 2027-12-31.',
  'apps.invalid.first_party':
    'Apakah aplikasi ini aplikasi milik Pemkab sendiri (tanpa pemberitahuan pertama) diputuskan Diskominfo saat peninjauan; pendaftaran tidak dapat menetapkannya.',
  // The admin API's scopes (issue 10 §7): labels wherever scopes are listed (registration form, review, notice). They
  // release no data about the person signing in; they let the app's own client-credentials tokens call the admin API.
  'scope.admin:people:read': 'API admin: membaca data pegawai, status akun, sesi, peran, dan daftar perangkat daerah (untuk otomasi; tidak ada data Anda yang dikirim ke aplikasi saat masuk)',
  'scope.admin:people:write': 'API admin: menangguhkan, menonaktifkan, dan memulihkan akun, membuka blokir, dan mengatur ulang verifikasi dua langkah pegawai',
  'scope.admin:roles:write': 'API admin: memberi dan mencabut peran global dan peran aplikasi',
  'scope.admin:sessions:write': 'API admin: mengakhiri sesi masuk pegawai',
};

/** A message key of app registration. */
export type AppsMessageKey = keyof typeof idApps;

/** English strings of app registration; exactly the keys of `idApps`. */
export const enApps = {
  'apps.field.name': 'Application name',
  'apps.field.description': 'Description and purpose',
  'apps.field.agency': 'Owning agency code',
  'apps.field.kind': 'Application kind',
  'apps.field.environment': 'Environment',
  'apps.field.level': 'Requested security level',
  'apps.field.client_type': 'Client type',
  'apps.field.token_endpoint_auth_method': 'Client authentication method',
  'apps.field.jwks_uri': 'JWKS address (jwks_uri)',
  'apps.field.jwks': 'Application public keys (JWKS)',
  'apps.field.id_token_signed_response_alg': 'ID token signing algorithm',
  'apps.field.redirect_uris': 'Redirect URIs',
  'apps.field.post_logout_redirect_uris': 'Post-logout redirect URIs',
  'apps.field.redirect_justification': 'Justification for address exceptions',
  'apps.field.backchannel_logout_uri': 'Back-channel logout URI',
  'apps.field.scopes': 'Requested data',
  'apps.field.scope_purpose': 'Purpose of use',
  'apps.field.app_roles': 'App roles',
  'apps.field.app_role_name': 'Role name',
  'apps.field.app_role_description': 'What a holder of the role can do',
  'apps.field.grant_types': 'Grant types',
  'apps.field.responsible_name': 'Responsible person',
  'apps.field.responsible_email': 'Responsible person e-mail',
  'apps.field.responsible_phone': 'Responsible person phone',
  'apps.field.docs_repository': 'Source code repository',
  'apps.field.docs_manual': 'Manual or user guide',
  'apps.field.docs_security_report': 'Security test report',
  'apps.field.outside_party': 'Developed or operated by an outside party (not an agency)',
  'apps.field.agreement_reference': 'Cooperation agreement number (PKS)',
  'apps.field.agreement_expires': 'Cooperation agreement expiry date',

  'apps.kind.umum': 'Shared application (used across agencies)',
  'apps.kind.khusus': 'Agency-specific application',
  'apps.environment.development': 'Development',
  'apps.environment.staging': 'Staging',
  'apps.environment.production': 'Production',
  'apps.level.1': 'Level 1: password',
  'apps.level.2': 'Level 2: password and two-step verification',
  'apps.level.3': 'Level 3: password and two-step verification, both recent',
  'apps.client_type.confidential': 'Confidential: a server-side application that can keep a secret',
  'apps.client_type.public': 'Public: a browser (SPA) or mobile application, without a secret, using PKCE',
  'apps.auth_method.client_secret_basic': 'Client secret in a header (client_secret_basic)',
  'apps.auth_method.client_secret_post': 'Client secret in the request body (client_secret_post)',
  'apps.auth_method.private_key_jwt': "JWT signed with the application's private key (private_key_jwt)",
  'apps.auth_method.none': 'No secret, with PKCE (none)',
  'apps.grant_type.authorization_code': 'Authorization code: people sign in through Satu Akun',
  'apps.grant_type.refresh_token': 'Refresh token: stay connected without signing in again',
  'apps.grant_type.client_credentials': 'Client credentials: system-to-system access without a person',
  'apps.signing_alg.RS256': 'RS256 (RSA): supported by every OpenID Connect library',
  'apps.signing_alg.ES256': "ES256 (ECDSA P-256): recommended when the app's library supports it",

  'apps.verdict.ok': 'Allowed',
  'apps.verdict.exception': 'Needs an exception',
  'apps.verdict.refused': 'Refused',

  'apps.redirect.refused_not_url': 'Not a complete address. Write an address starting with https://, with its host name and path.',
  'apps.redirect.refused_too_long': 'The address is longer than 2000 characters. Shorten it.',
  'apps.redirect.refused_whitespace': 'The address contains spaces or invisible characters. Type it again without spaces.',
  'apps.redirect.refused_fragment': 'The address must not contain a hash sign (#). Remove the # and everything after it.',
  'apps.redirect.refused_userinfo': 'The address must not contain a user name or password (the part before @). Remove that part.',
  'apps.redirect.refused_wildcard': 'Asterisks (*) are not allowed: addresses are matched exactly. Register each address in full.',
  'apps.redirect.refused_backslash': 'The address contains a backslash (\\). Use a forward slash (/).',
  'apps.redirect.refused_traversal': 'The address contains a "." or ".." path segment (also as %2e). Write the final path directly.',
  'apps.redirect.refused_scheme': 'This address scheme cannot be used for redirects. Use an https:// address.',
  'apps.redirect.refused_custom_scheme':
    'A mobile app custom scheme must be a reversed domain name containing a dot, for example id.go.contoh.app:/callback.',
  'apps.redirect.refused_loopback':
    'Localhost addresses (127.0.0.1, [::1]) are for development-environment apps only. For staging and production, use an https address on the regency domain.',

  'apps.redirect.exception_outside_domain':
    "The address is outside the regency's domain. It can be approved only as an exception: explain why the app cannot use the regency domain.",
  'apps.redirect.exception_ip_host':
    'The address uses an IP address instead of a domain name. Use a domain name; if you cannot, explain why so it can be reviewed as an exception.',
  'apps.redirect.exception_plain_http':
    'The address uses unencrypted http: sign-in codes can be intercepted on the network. Use https; if you cannot yet (an intranet app, say), explain why so it can be reviewed as an exception.',
  'apps.redirect.exception_custom_scheme':
    'A mobile app custom scheme (RFC 8252). It can be approved only as an exception: name the mobile app and the domain that owns this scheme.',

  'apps.redirect.list_empty': 'Enter at least one redirect URI.',
  'apps.redirect.list_too_many': 'At most 10 addresses. Remove the ones not in use.',
  'apps.redirect.list_duplicate': 'This address is already listed. Remove one of them.',
  'apps.redirect.justification_required':
    'Some addresses need an exception. Explain why (at least 20 characters) so the Diskominfo reviewer can assess it.',

  'apps.invalid.form': 'The form could not be read. Reload the page and try again.',
  'apps.invalid.value': 'This value is not valid. Please check it.',
  'apps.invalid.name': 'Enter the application name, 3–80 characters.',
  'apps.invalid.description': 'Describe what the application is for, 10–2000 characters.',
  'apps.invalid.agency': 'Enter the agency code, 2–40 characters: letters, digits, underscore (_) or hyphen (-).',
  'apps.invalid.kind': 'Choose the application kind: shared or agency-specific.',
  'apps.invalid.environment': 'Choose the environment: development, staging or production.',
  'apps.invalid.level': 'Choose security level 1, 2 or 3.',
  'apps.invalid.client_type': 'Choose the client type: confidential or public.',
  'apps.invalid.id_token_signed_response_alg': 'Choose the ID token signing algorithm: RS256 or ES256.',
  'apps.invalid.token_endpoint_auth_method':
    'Choose the client authentication method: client_secret_basic, client_secret_post, private_key_jwt or none.',
  'apps.invalid.public_needs_none': 'A public application (SPA, mobile) cannot keep a secret. Choose the method none; the app uses PKCE.',
  'apps.invalid.confidential_needs_authentication':
    'A confidential application must prove who it is. Choose client_secret_basic, client_secret_post or private_key_jwt.',
  'apps.invalid.jwks_missing': "The private_key_jwt method needs the application's public keys. Enter a JWKS address (jwks_uri) or paste a JWKS.",
  'apps.invalid.jwks_both': 'Fill in only one: the JWKS address (jwks_uri) or the pasted JWKS.',
  'apps.invalid.jwks_unused': 'Public keys (JWKS) are used only with the private_key_jwt method. Clear this field or choose private_key_jwt.',
  'apps.invalid.jwks_uri': 'The JWKS address must be a complete https address, without a hash sign (#).',
  'apps.invalid.jwks_json': 'The JWKS is not valid. Paste a JWKS in JSON format with a "keys" list.',
  'apps.invalid.jwks_empty': 'The JWKS must contain at least one public key.',
  'apps.invalid.jwks_private_key':
    'The JWKS contains a private or secret key. Treat that key as leaked: create a new key pair and send only its public key.',
  'apps.invalid.redirect_justification': 'The justification may be at most 2000 characters.',
  'apps.invalid.backchannel_logout_uri':
    'The back-channel logout URI must be an https address (http://localhost only for development-environment apps).',
  'apps.invalid.scopes': 'The list of requested data is not valid. Choose from the list offered.',
  'apps.invalid.scope':
    'Choose data from the list: openid, profile, email, nip, kepegawaian, roles, offline_access, admin:people:read, admin:people:write, admin:roles:write, admin:sessions:write.',
  'apps.invalid.scope_duplicate': 'This data is chosen more than once. Remove one of them.',
  'apps.invalid.scope_purpose':
    'Explain what this data is used for, 10–500 characters. Data is released only for a stated purpose (the Walidata rule).',
  'apps.invalid.app_roles': 'The list of app roles is not valid. Give each role a name and a description.',
  'apps.invalid.app_role_name':
    'A role name of 1–40 characters: lower-case letters, digits, underscore (_), dot (.) or hyphen (-), starting with a letter or digit, for example operator or head_of_section.',
  'apps.invalid.app_role_description': 'Describe what a holder of this role can do in the app, 10–300 characters.',
  'apps.invalid.app_roles_duplicate': 'This role name is already listed. Each role needs its own name; remove or rename one of them.',
  'apps.invalid.app_roles_too_many': 'At most 30 roles per app. Merge or remove the roles not in use.',
  'apps.invalid.app_roles_required':
    "An app that requests the roles data must declare at least one role: that data holds the person's roles in this app. Add the roles, or untick roles.",
  'apps.invalid.grant_types': 'Choose grant types: authorization_code, refresh_token or client_credentials.',
  'apps.invalid.public_client_credentials':
    'A public application cannot use client_credentials because it has no secret. Remove this grant or make the application confidential.',
  'apps.invalid.responsible_name': 'Enter the name of the responsible person, 3–120 characters.',
  'apps.invalid.responsible_email': "Enter a valid e-mail address for the responsible person, for example name@dinas.go.id.",
  'apps.invalid.responsible_phone': 'Phone number of 6–20 characters: digits, +, spaces or hyphens.',
  'apps.invalid.docs_url': 'Enter a complete link starting with https:// or http://.',
  'apps.invalid.outside_party': 'Tick this box only if the application is developed or operated by an outside party.',
  'apps.invalid.agreement_reference':
    'An outside-party application must give its cooperation agreement number (PKS), 3–200 characters.',
  'apps.invalid.agreement_expires': 'Enter the agreement expiry date as YYYY-MM-DD, for example 2027-12-31.',
  'apps.invalid.first_party': 'Whether this is the regency’s own app (no first-time notice) is decided by Diskominfo in the review; a registration cannot set it.',
  'scope.admin:people:read': 'Admin API: read staff records, account states, sessions, roles and the agency list (for automation; no data about you is sent to the app when you sign in)',
  'scope.admin:people:write': 'Admin API: suspend, disable and reinstate accounts, unlock people and reset their two-step verification',
  'scope.admin:roles:write': 'Admin API: grant and remove global roles and app roles',
  'scope.admin:sessions:write': 'Admin API: end people\'s sign-in sessions',
} satisfies Record<AppsMessageKey, string>;

/** Whether a string is a message key of app registration (e.g. a zod issue message set by the registration schema). */
export const isAppsMessageKey = (value: string): value is AppsMessageKey => Object.hasOwn(idApps, value);
