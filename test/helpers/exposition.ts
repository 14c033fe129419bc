// A strict reader of the Prometheus text exposition format 0.0.4
// (prometheus/docs: content/docs/instrumenting/exposition_formats.md, "Text format details"):
// it throws on anything Prometheus' parser would refuse or read ambiguously, and returns the samples.

export interface Sample { name: string; labels: Record<string, string>; value: number }
export interface Family { name: string; help?: string; type: string; samples: Sample[] }

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*';
const VALUE = '(?:[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|[+-]?Inf|NaN)';
// Blanks may separate tokens (label pairs too), never split one.
const PAIR = `${LABEL}[ \\t]*=[ \\t]*"(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`;
const SAMPLE = new RegExp(`^(${NAME})(?:[ \\t]*\\{[ \\t]*((?:${PAIR}(?:[ \\t]*,[ \\t]*${PAIR})*[ \\t]*,?)?)[ \\t]*\\})?[ \\t]+(${VALUE})(?:[ \\t]+-?\\d+)?[ \\t]*$`);
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<string, string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['', '_sum', '_count'], counter: ['', '_total'] };

export function parseExposition(text: string): Map<string, Family> {
  if (text.length && !text.endsWith('\n')) throw new Error('the last line must end with a line feed');
  const families = new Map<string, Family>();
  const closed = new Set<string>();
  const seen = new Set<string>();
  let current: Family | undefined;
  const familyOf = (name: string): Family | undefined => {
    if (current) {
      const suffixes = SUFFIXES[current.type] ?? [''];
      if (suffixes.some((s) => name === current!.name + s) || name === current.name) return current;
    }
    return undefined;
  };
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    const where = `line ${i + 1} (${line})`;
    const meta = new RegExp(`^# (HELP|TYPE) (${NAME})(?: (.*))?$`).exec(line);
    if (meta) {
      const [, kind, name, rest] = meta;
      if (closed.has(name)) throw new Error(`${where}: family ${name} appears twice (its lines must be together)`);
      if (current && current.name !== name) { closed.add(current.name); current = undefined; }
      let f = families.get(name);
      if (!f) families.set(name, f = { name, type: 'untyped', samples: [] });
      if (f.samples.length) throw new Error(`${where}: ${kind} after the samples of ${name}`);
      if (kind === 'HELP') {
        if (f.help !== undefined) throw new Error(`${where}: second HELP for ${name}`);
        f.help = rest ?? '';
      } else {
        if (!rest || !TYPES.has(rest)) throw new Error(`${where}: bad TYPE`);
        if ((f as Family & { typed?: boolean }).typed) throw new Error(`${where}: second TYPE for ${name}`);
        (f as Family & { typed?: boolean }).typed = true;
        f.type = rest;
      }
      current = f;
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`${where}: not a valid sample line`);
    const [, name, labelText, value] = m;
    const labels: Record<string, string> = {};
    for (const lm of (labelText ?? '').matchAll(new RegExp(`(${LABEL})[ \\t]*=[ \\t]*"((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"`, 'g'))) {
      if (lm[1] in labels) throw new Error(`${where}: label ${lm[1]} twice`);
      labels[lm[1]] = lm[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) throw new Error(`${where}: duplicate series`);
    seen.add(key);
    let f = familyOf(name);
    if (!f) {
      // An untyped sample without metadata: its own family.
      if (current) { closed.add(current.name); current = undefined; }
      if (closed.has(name) || families.has(name)) throw new Error(`${where}: samples of ${name} are not together`);
      families.set(name, f = { name, type: 'untyped', samples: [] });
      current = f;
    }
    f.samples.push({ name, labels, value: Number(value.replace(/Inf$/, 'Infinity')) });
  }
  return families;
}

/** The value of the one sample of `name` whose labels include `labels`, or undefined. */
export function valueOf(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return undefined;
}
