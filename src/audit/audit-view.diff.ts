/** One line of a before/after difference: a field (dotted path) or a list item added, removed or changed. */
export type Change = { kind: 'added' | 'removed'; field: string; value: string } | { kind: 'changed'; field: string; from: string; to: string };

/** A value as one line of text: lists joined, objects as JSON, nothing as an empty string. */
export const asText = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) return value.map(String).join(', ');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An object as dotted paths to its non-object values (lists stay whole). */
const flatten = (value: unknown, path = '', out = new Map<string, unknown>()): Map<string, unknown> => {
  if (isObject(value)) for (const [k, v] of Object.entries(value)) flatten(v, path ? `${path}.${k}` : k, out);
  else out.set(path, value);
  return out;
};

/**
 * What an administrative change did, from the `before` and `after` its record keeps: items added to and removed from
 * a list (a person's roles), or fields added, removed and changed in an object (an agency, an app registration).
 */
export const diff = (before: unknown, after: unknown): Change[] => {
  if ((Array.isArray(before) || before === undefined || before === null) && Array.isArray(after)) {
    const was = new Set((before ?? []).map(asText));
    const now = new Set(after.map(asText));
    return [
      ...[...now].filter((v) => !was.has(v)).map((value): Change => ({ kind: 'added', field: '', value })),
      ...[...was].filter((v) => !now.has(v)).map((value): Change => ({ kind: 'removed', field: '', value })),
    ];
  }
  const was = before === undefined || before === null ? new Map<string, unknown>() : flatten(before);
  const now = after === undefined || after === null ? new Map<string, unknown>() : flatten(after);
  const changes: Change[] = [];
  for (const field of new Set([...was.keys(), ...now.keys()])) {
    const from = was.has(field) ? asText(was.get(field)) : undefined;
    const to = now.has(field) ? asText(now.get(field)) : undefined;
    if (from === to) continue;
    if (from === undefined) changes.push({ kind: 'added', field, value: to! });
    else if (to === undefined) changes.push({ kind: 'removed', field, value: from });
    else changes.push({ kind: 'changed', field, from, to });
  }
  return changes;
};
