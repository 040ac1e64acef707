/**
 * A deterministic directory of `count` staff for the one-core layout: the committed sample (239 people) first, then
 * more people from the sample generator with further seeds. A uid or NIP already taken is skipped, so every login
 * attribute (uid, mail, employeeNumber) stays unique. Everyone has the sample password.
 */
import { generateSampleStaff } from '../src/directory/sample/generate.ts';
import { loadSampleStaff, type SamplePerson, type SampleStaff } from '../src/directory/sample/index.ts';

export const benchStaff = (count = 2000): SampleStaff => {
  const sample = loadSampleStaff();
  const staff: SamplePerson[] = [];
  const uids = new Set<string>();
  const numbers = new Set<string>();
  const add = (p: SamplePerson) => {
    if (staff.length >= count || uids.has(p.uid) || (p.employeeNumber && numbers.has(p.employeeNumber))) return;
    uids.add(p.uid);
    if (p.employeeNumber) numbers.add(p.employeeNumber);
    staff.push(p);
  };
  sample.staff.forEach(add);
  for (let seed = sample.seed + 1; staff.length < count; seed++) {
    // The generator's uids are unique within one seed only: a clash with an earlier seed gets the seed appended.
    for (const p of generateSampleStaff(seed).staff) {
      const uid = uids.has(p.uid) ? `${p.uid}.${seed % 1000}` : p.uid;
      add({ ...p, uid, mail: `${uid}@contoh.go.id` });
    }
  }
  return { ...sample, staff };
};
