// Plain-text tables for stdout: a title, a header row, aligned columns (numbers right-aligned).

export function table(title: string, header: string[], rows: Array<Array<string | number>>): string {
  const cells = rows.map((r) => r.map(String));
  const width = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => cells.length > 0 && cells.every((r) => /^-?[\d.,]+%?$|^-$/.test(r[i] ?? '')));
  const line = (r: string[]) => r.map((c, i) => (numeric[i] && i > 0 ? c.padStart(width[i]) : c.padEnd(width[i]))).join('  ').trimEnd();
  return [
    `## ${title}`,
    line(header),
    width.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map(line),
    '',
  ].join('\n');
}
