/**
 * Generates the FICTIONAL staff of "Kabupaten Contoh" into `staff.json` beside this file.
 * Deterministic: the same seed gives the same file, so the committed output only changes when this code does.
 * Run: `npx tsx src/directory/sample/generate.ts`
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SampleAgency, SamplePerson, SampleStaff } from './index.ts';

type Kind = 'dinas' | 'badan' | 'setda' | 'inspektorat' | 'kecamatan';
interface AgencySpec extends SampleAgency { kind: Kind; size: number; functional: string[] }

const AGENCIES: AgencySpec[] = [
  { code: 'SETDA', name: 'Sekretariat Daerah', kind: 'setda', size: 22, functional: ['Analis Kebijakan Ahli Muda', 'Analis Kebijakan Ahli Pertama', 'Analis Hukum Ahli Pertama', 'Perancang Peraturan Perundang-undangan Ahli Muda', 'Pranata Hubungan Masyarakat Ahli Pertama'] },
  { code: 'DISKOMINFO', name: 'Dinas Komunikasi dan Informatika', kind: 'dinas', size: 20, functional: ['Pranata Komputer Ahli Pertama', 'Pranata Komputer Ahli Muda', 'Analis Sistem Informasi', 'Pranata Hubungan Masyarakat Ahli Pertama', 'Statistisi Ahli Pertama', 'Sandiman Ahli Pertama'] },
  { code: 'DINKES', name: 'Dinas Kesehatan', kind: 'dinas', size: 28, functional: ['Perawat Ahli Pertama', 'Perawat Terampil', 'Bidan Terampil', 'Dokter Ahli Muda', 'Epidemiolog Kesehatan Ahli Pertama', 'Apoteker Ahli Pertama', 'Pranata Komputer Ahli Pertama'] },
  { code: 'DISDIK', name: 'Dinas Pendidikan', kind: 'dinas', size: 30, functional: ['Guru Ahli Pertama', 'Guru Ahli Muda', 'Guru Ahli Madya', 'Pengawas Sekolah Ahli Madya', 'Pamong Belajar Ahli Pertama'] },
  { code: 'BKPSDM', name: 'Badan Kepegawaian dan Pengembangan Sumber Daya Manusia', kind: 'badan', size: 16, functional: ['Analis Sumber Daya Manusia Aparatur Ahli Pertama', 'Analis Sumber Daya Manusia Aparatur Ahli Muda', 'Pengelola Kepegawaian', 'Asesor Sumber Daya Manusia Aparatur Ahli Pertama'] },
  { code: 'BAPPEDA', name: 'Badan Perencanaan Pembangunan Daerah', kind: 'badan', size: 15, functional: ['Perencana Ahli Pertama', 'Perencana Ahli Muda', 'Analis Kebijakan Ahli Muda', 'Statistisi Ahli Pertama'] },
  { code: 'INSPEKTORAT', name: 'Inspektorat Daerah', kind: 'inspektorat', size: 16, functional: ['Auditor Ahli Pertama', 'Auditor Ahli Muda', 'Pengawas Penyelenggaraan Urusan Pemerintahan di Daerah Ahli Pertama', 'Auditor Terampil'] },
  { code: 'DPUPR', name: 'Dinas Pekerjaan Umum dan Penataan Ruang', kind: 'dinas', size: 18, functional: ['Teknik Jalan dan Jembatan Ahli Pertama', 'Teknik Tata Bangunan dan Perumahan Ahli Pertama', 'Penata Ruang Ahli Pertama', 'Pengelola Pengadaan Barang/Jasa Ahli Pertama'] },
  { code: 'BPKAD', name: 'Badan Pengelolaan Keuangan dan Aset Daerah', kind: 'badan', size: 17, functional: ['Pengelola Keuangan', 'Analis Anggaran Ahli Pertama', 'Analis Keuangan Pusat dan Daerah Ahli Muda', 'Penata Kelola Barang Milik Daerah', 'Bendahara'] },
  { code: 'DISDUKCAPIL', name: 'Dinas Kependudukan dan Pencatatan Sipil', kind: 'dinas', size: 16, functional: ['Administrator Database Kependudukan Ahli Pertama', 'Pengelola Data Kependudukan', 'Pranata Komputer Terampil', 'Pengadministrasi Kependudukan'] },
  { code: 'KEC-SUKAMAJU', name: 'Kecamatan Sukamaju', kind: 'kecamatan', size: 11, functional: ['Pengadministrasi Umum', 'Pengelola Layanan Kependudukan', 'Analis Pemerintahan'] },
  { code: 'KEC-MEKARSARI', name: 'Kecamatan Mekarsari', kind: 'kecamatan', size: 10, functional: ['Pengadministrasi Umum', 'Pengelola Layanan Kependudukan', 'Analis Pemerintahan'] },
  { code: 'KEC-SUKADAMAI', name: 'Kecamatan Sukadamai', kind: 'kecamatan', size: 10, functional: ['Pengadministrasi Umum', 'Pengelola Layanan Kependudukan', 'Analis Pemerintahan'] },
  { code: 'KEC-TANJUNGSARI', name: 'Kecamatan Tanjungsari', kind: 'kecamatan', size: 10, functional: ['Pengadministrasi Umum', 'Pengelola Layanan Kependudukan', 'Analis Pemerintahan'] },
];

/** Leaders of each kind of agency with the golongan range they usually hold. */
const LEADERS: Record<Kind, [string, string[]][]> = {
  setda: [['Sekretaris Daerah', ['IV/d']], ['Asisten Pemerintahan dan Kesejahteraan Rakyat', ['IV/c']], ['Kepala Bagian Hukum', ['IV/a', 'IV/b']], ['Kepala Bagian Organisasi', ['IV/a']], ['Kepala Subbagian Tata Usaha', ['III/d']]],
  dinas: [['Kepala Dinas', ['IV/c', 'IV/d']], ['Sekretaris', ['IV/b']], ['Kepala Bidang', ['IV/a', 'IV/b']], ['Kepala Bidang', ['IV/a']], ['Kepala Subbagian Umum dan Kepegawaian', ['III/d']]],
  badan: [['Kepala Badan', ['IV/c', 'IV/d']], ['Sekretaris', ['IV/b']], ['Kepala Bidang', ['IV/a', 'IV/b']], ['Kepala Subbagian Umum dan Kepegawaian', ['III/d']]],
  inspektorat: [['Inspektur', ['IV/c', 'IV/d']], ['Sekretaris', ['IV/b']], ['Inspektur Pembantu Wilayah I', ['IV/a', 'IV/b']], ['Inspektur Pembantu Wilayah II', ['IV/a']]],
  kecamatan: [['Camat', ['IV/a', 'IV/b']], ['Sekretaris Kecamatan', ['III/d', 'IV/a']], ['Kepala Seksi Pemerintahan', ['III/c', 'III/d']], ['Lurah', ['III/c', 'III/d']], ['Kepala Seksi Pelayanan Umum', ['III/b', 'III/c']]],
};

// Name pools by region (weight, male, female, family), so the sample reads like a real Indonesian regency.
// A family name ending in `*` is a woman's name (Lestari, Rahmawati...) and is never given to a man.
const split = (s: string): string[] => s.split(',');
const REGIONS: [number, string[], string[], string[]][] = [
  [34, split('Agus,Budi,Joko,Slamet,Heru,Teguh,Eko,Bayu,Wahyu,Sigit,Hadi,Yoga'), split('Sri,Endang,Wulan,Ratna,Dewi,Yuni,Tuti,Indah,Kartika,Rini,Sekar'), split('Santoso,Wibowo,Hartono,Prasetyo,Nugroho,Setiawan,Kurniawan,Saputra,Susanto,Purnomo,Handoko,Lestari*,Rahmawati*,Wulandari*,Handayani*,Puspitasari*,Kusumawati*')],
  [20, split('Asep,Ujang,Cecep,Dedi,Iwan,Gilang,Dadang,Yayan'), split('Euis,Neneng,Rina,Lina,Siti,Nurhayati,Imas,Nining'), split('Permana,Hidayat,Gunawan,Sopandi,Kusnadi,Suryana,Ramdani,Sutisna,Komalasari*')],
  [10, split('Benny,Hendra,Markus,Doni,Roy,Togar,Parulian'), split('Maria,Yanti,Rosa,Lina,Dian,Rumondang'), split('Nasution,Siregar,Lubis,Harahap,Simanjuntak,Sitompul,Hutapea,Pakpahan,Sinaga,Tambunan,Manurung,Lumbantobing')],
  [8, split('Zulkifli,Syahrul,Irfan,Fajar,Rizky,Afrizal'), split('Fitri,Rahma,Nurul,Intan,Aisyah,Yeni'), split('Chaniago,Piliang,Tanjung,Koto,Sikumbang,Jambak')],
  [6, split('I Made,I Ketut,I Wayan,I Nyoman,I Gede'), split('Ni Luh,Ni Made,Ni Ketut,Ni Wayan,Ni Kadek'), split('Sudarma,Wirawan,Suastika,Mahendra,Astawa,Sukadana')],
  [7, split('Andi,Muhammad,Syamsul,Arifin,Darwis'), split('Andi,Hasnah,Sitti,Nurhaedah'), split('Mappaseng,Latif,Syarifuddin,Amir,Hamzah,Pawellangi')],
  [5, split('Yohanes,Frans,Johny,Stevanus,Melkianus'), split('Agnes,Theresia,Maria,Grace,Meiske'), split('Pattiasina,Wattimena,Lumentut,Mandagi,Sumampouw,Pelupessy')],
  [10, split('Ahmad,Muhammad,Yusuf,Hasan,Ikhsan,Rahmat,Taufik,Arif'), split('Siti,Nur,Aisyah,Anisa,Maya,Putri,Fatimah'), split('Ramadhan,Hakim,Rosyid,Hidayatullah,Firmansyah,Maulana,Fauzi')],
];

const FIXED: { uid: string; givenName: string; sn: string; type: SamplePerson['employeeType']; agency: string; title: string; grade?: string; gender: 1 | 2 }[] = [
  { uid: 'andi.wijaya', givenName: 'Andi', sn: 'Wijaya', type: 'pns', agency: 'DISKOMINFO', title: 'Pranata Komputer Ahli Madya', grade: 'IV/a', gender: 1 },
  { uid: 'siti.rahmawati', givenName: 'Siti', sn: 'Rahmawati', type: 'pns', agency: 'DISKOMINFO', title: 'Analis Sistem Informasi', grade: 'III/c', gender: 2 },
  { uid: 'dewi.lestari', givenName: 'Dewi', sn: 'Lestari', type: 'pns', agency: 'DINKES', title: 'Pranata Komputer Ahli Pertama', grade: 'III/a', gender: 2 },
  { uid: 'bambang.susilo', givenName: 'Bambang', sn: 'Susilo', type: 'pns', agency: 'INSPEKTORAT', title: 'Auditor Ahli Muda', grade: 'III/d', gender: 1 },
  { uid: 'rudi.hartono', givenName: 'Rudi', sn: 'Hartono', type: 'pppk', agency: 'DISDIK', title: 'Guru Ahli Pertama', grade: 'IX', gender: 1 },
  { uid: 'yanti.pakpahan', givenName: 'Yanti', sn: 'Pakpahan', type: 'non_asn', agency: 'KEC-SUKAMAJU', title: 'Staf Pelaksana', gender: 2 },
];

const STAFF_GRADES = ['II/c', 'II/d', 'III/a', 'III/b'];
const FUNCTIONAL_GRADE = (title: string): string[] =>
  /Madya/.test(title) ? ['IV/a', 'IV/b'] : /Muda/.test(title) ? ['III/c', 'III/d'] : /Pertama|Analis|Perencana/.test(title) ? ['III/a', 'III/b'] : ['II/c', 'II/d', 'III/a', 'III/b'];
const PPPK_GRADE = (title: string): string => (/Ahli Muda/.test(title) ? 'X' : /Ahli|Analis|Perencana/.test(title) ? 'IX' : /Terampil/.test(title) ? 'VII' : 'V');
const NON_ASN_TITLES = ['Staf Pelaksana', 'Tenaga Pendukung Administrasi', 'Tenaga Pendukung Teknis', 'Pengemudi'];

/** mulberry32: tiny, well-distributed, and needs no dependency. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/** Builds the sample from a seed. Exported so a test could check determinism without touching the file. */
export const generateSampleStaff = (seed = 20260101): SampleStaff => {
  const random = prng(seed);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const usedUids = new Set<string>();
  const sequence = new Map<string, number>();

  const uuid = (): string => {
    const b = Array.from({ length: 16 }, () => int(0, 255));
    b[6] = ((b[6] as number) & 0x0f) | 0x40; // version 4
    b[8] = ((b[8] as number) & 0x3f) | 0x80; // RFC 4122 variant
    const h = b.map((x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
  // Staff are 23-58 years old on 1 January 2026 and joined the service between age 22 and 35 (never after 2025).
  const birthAndService = (minAge: number) => {
    const year = 2025 - int(minAge, 57);
    const birth = `${year}${pad(int(1, 12), 2)}${pad(int(1, 28), 2)}`;
    const start = Math.min(2025, year + int(22, 35));
    return { birth, start };
  };
  const serial = (prefix: string) => {
    const next = (sequence.get(prefix) ?? 0) + 1 + int(0, 3);
    sequence.set(prefix, next);
    return pad(next, 3);
  };
  // NIP: birth date, TMT CPNS (year+month), gender, sequence (PP 15/1979 layout as used by BKN).
  const nip = (gender: 1 | 2, senior: boolean) => {
    const { birth, start } = birthAndService(senior ? 40 : 24);
    const prefix = `${birth}${start}${pad(int(1, 12), 2)}${gender}`;
    return prefix + serial(prefix);
  };
  // NI PPPK: birth date, appointment year, the fixed "21" where a NIP has a month, gender, sequence.
  const ni = (gender: 1 | 2) => {
    const { birth } = birthAndService(24);
    const prefix = `${birth}${pick([2021, 2022, 2023, 2024, 2025])}21${gender}`;
    return prefix + serial(prefix);
  };
  const uidFor = (given: string, family: string): string => {
    const base = `${given}.${family}`.toLowerCase().replace(/[^a-z.]/g, '');
    let uid = base;
    for (let n = 2; usedUids.has(uid); n++) uid = `${base}${n}`;
    usedUids.add(uid);
    return uid;
  };
  const person = (p: { uid: string; givenName: string; sn: string; type: SamplePerson['employeeType']; agency: AgencySpec; title: string; grade?: string; gender: 1 | 2 }): SamplePerson => {
    const number = p.type === 'pns' ? nip(p.gender, /IV\//.test(p.grade ?? '')) : p.type === 'pppk' ? ni(p.gender) : undefined;
    return {
      uid: p.uid,
      entryUUID: uuid(),
      givenName: p.givenName,
      sn: p.sn,
      cn: `${p.givenName} ${p.sn}`,
      mail: `${p.uid}@contoh.go.id`,
      ...(number ? { employeeNumber: number } : {}),
      employeeType: p.type,
      departmentNumber: p.agency.code,
      ou: p.agency.name,
      title: p.title,
      ...(p.grade ? { businessCategory: p.grade } : {}),
    };
  };
  const agency = (code: string) => AGENCIES.find((a) => a.code === code) as AgencySpec;

  const staff: SamplePerson[] = [];
  for (const f of FIXED) {
    usedUids.add(f.uid);
    staff.push(person({ ...f, agency: agency(f.agency) }));
  }
  for (const a of AGENCIES) {
    const already = staff.filter((p) => p.departmentNumber === a.code).length;
    for (let i = 0; i < a.size - already; i++) {
      const gender: 1 | 2 = random() < 0.5 ? 1 : 2;
      let w = random() * 100;
      const region = REGIONS.find(([weight]) => (w -= weight) < 0) ?? (REGIONS[0] as (typeof REGIONS)[0]);
      const givenName = pick(gender === 1 ? region[1] : region[2]);
      const sn = pick(region[3].filter((n) => gender === 2 || !n.endsWith('*'))).replace('*', '');
      const leader = LEADERS[a.kind][i];
      const roll = random();
      // Leaders are always PNS; among the others about 10% non-ASN and 23% PPPK, so ~8% and ~15% overall.
      const type: SamplePerson['employeeType'] = leader ? 'pns' : roll < 0.1 ? 'non_asn' : roll < 0.33 ? 'pppk' : 'pns';
      const title = leader ? leader[0] : type === 'non_asn' ? pick(NON_ASN_TITLES) : random() < 0.2 ? pick(['Staf Pelaksana', 'Pengelola Umum Operasional']) : pick(a.functional);
      const grade = leader ? pick(leader[1]) : type === 'pns' ? pick(/Staf|Pengelola Umum/.test(title) ? STAFF_GRADES : FUNCTIONAL_GRADE(title)) : type === 'pppk' ? PPPK_GRADE(title) : undefined;
      staff.push(person({ uid: uidFor(givenName, sn), givenName, sn, type, agency: a, title, ...(grade ? { grade } : {}), gender }));
    }
  }
  return { seed, agencies: AGENCIES.map(({ code, name }) => ({ code, name })), staff };
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = new URL('./staff.json', import.meta.url);
  writeFileSync(out, `${JSON.stringify(generateSampleStaff(), null, 2)}\n`);
  console.log(`wrote ${fileURLToPath(out)}`);
}
