// Text that comes from outside (metadata, servers' answers) rendered as one inert line: no line
// or paragraph breaks of any kind, no control characters, no bidirectional overrides that would
// make a reader see the text in another order than it is.
const BREAKS = /[\r\n\t\v\f\u0085\u2028\u2029]+/g;
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

export const oneLine = (s: string) => s.replace(BREAKS, ' ').replace(INVISIBLE, '');

/** A label (a metadata key): one line, spaces collapsed, at most `max` characters. */
export function label(s: string, max = 64): string {
  const flat = oneLine(s).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
