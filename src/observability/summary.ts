// The short human summary printed on stderr at the end of a run.

import { REASONS, type ReasonCode } from '../entities/reasons.js';
import { KINDS } from '../entities/kinds.js';
import { formatDuration, formatInt, planDelivery, plural, type Report } from '../accounting/report.js';

/** `title`: what the first line starts with (default `chatmigrate COMMAND`; migrate: the phase). */
export function formatSummary(report: Report, files: { rejects?: string | undefined; report?: string | undefined; title?: string } = {}): string {
  const r = report;
  // The input could not even be opened: the error says it all, counts of nothing would only distract.
  if (r.status === 'failed' && r.read === 0 && r.input.format == null) return '';
  const lines: string[] = [];
  const dupes = `${formatInt(r.duplicates)} duplicates${r.conflicts > 0 ? ` (${formatInt(r.conflicts)} with different content)` : ''}`;
  lines.push(
    `${files.title ?? `chatmigrate ${r.command}`}: ${formatInt(r.read)} read = ${formatInt(r.valid)} valid + ${formatInt(r.invalid)} invalid + ${dupes} + ${formatInt(r.skipped)} skipped  (${formatDuration(r.durationMs)}, ${r.input.format ?? 'unknown format'})`,
  );
  // Counts of a resumed run are cumulative: without this line they would read as this run's alone.
  if (r.resumed) {
    lines.push(`  resumed: after the ${formatInt(r.resumed.fromRecord)} records settled by earlier runs (${formatDuration(r.resumed.earlierRunsMs)}); the counts cover all the runs`);
  }
  if (r.imported !== undefined) {
    lines.push(
      `  delivered: ${formatInt(r.imported)} imported + ${formatInt(r.alreadyPresent ?? 0)} already present; ${formatInt(r.rejected ?? 0)} rejected by the server; ${formatInt(r.unsent ?? 0)} unsent`,
    );
    // Under a quota, the share of its budget says whether it was used (never over: the governor);
    // without one, a rate over one or two requests (an auth failure, a tiny input) means nothing.
    const rate =
      r.budgetUsed !== undefined && (r.requests ?? 0) > 0
        ? `, ${Math.round(r.budgetUsed * 100)}% of the budget (${r.plan.rpm} per ${formatDuration(r.plan.rateWindowMs)})`
        : (r.requests ?? 0) >= 3 && r.durationMs >= 1000
          ? `, ${r.achievedRpm ?? 0} req/min`
          : '';
    lines.push(`  requests: ${formatInt(r.requests ?? 0)} (${formatInt(r.retries ?? 0)} ${r.retries === 1 ? 'retry' : 'retries'}, ${formatInt(r.throttled ?? 0)} throttled)${rate}`);
  }
  const reasons = Object.entries(r.reasons).sort((a, b) => b[1] - a[1]);
  if (reasons.length > 0) {
    lines.push('  not delivered, by reason:');
    for (const [code, n] of reasons.slice(0, 12)) {
      const meaning = code in REASONS ? REASONS[code as ReasonCode] : 'reported by the server';
      lines.push(`    ${code.padEnd(30)} ${formatInt(n).padStart(10)}  ${meaning}`);
      // Which fields the count is made of: a reason about a nested object names them.
      const fields = Object.entries(r.reasonFields?.[code] ?? {}).sort((a, b) => b[1] - a[1]);
      if (fields.length > 1 || (fields.length === 1 && !meaning.startsWith(`${fields[0]![0]} `))) {
        const shown = fields.slice(0, 4).map(([field, k]) => `${field} ${formatInt(k)}`).join(', ');
        lines.push(`${' '.repeat(47)}fields: ${shown}${fields.length > 4 ? `, … ${fields.length - 4} more` : ''}`);
      }
    }
    if (reasons.length > 12) lines.push(`    … and ${reasons.length - 12} more reason codes (see the report)`);
  }
  const skipped = Object.entries(r.skippedBy ?? {}).sort((a, b) => b[1] - a[1]);
  if (skipped.length > 0) {
    lines.push('  skipped, by rule:');
    for (const [rule, n] of skipped) lines.push(`    ${rule.padEnd(30)} ${formatInt(n).padStart(10)}`);
  }
  if (r.outOfOrder > 0) {
    const kind = KINDS[r.kind];
    const one = r.outOfOrder === 1;
    lines.push(
      `  out of order: ${plural(r.outOfOrder, kind.entity)} with an earlier ${kind.order ?? 'time'} than the ${kind.entity} before ${one ? 'it' : 'them'}; they are sent in input order and CometChat wants history oldest first: export sorted (mongoexport --sort '{ts:1}')`,
    );
  }
  if (r.suggestion !== undefined) lines.push(`  hint: ${r.suggestion}`);
  if (r.command === 'validate') lines.push(`  plan: ${r.plan.text}`);
  else if ((r.unsent ?? 0) > 0) lines.push(`  left to send: ${planDelivery(r.unsent ?? 0, r.plan.batchSize, r.plan.rpm, r.plan.rateWindowMs, r.kind).text}`);
  if (files.rejects && (r.invalid > 0 || (r.rejected ?? 0) > 0 || r.conflicts > 0)) lines.push(`  rejects: ${files.rejects}`);
  if (files.report) lines.push(`  report: ${files.report}`);
  if (r.ids !== undefined && r.ids.missing > 0) {
    // The ids file is what threads, reactions and pins are mapped by: a gap in it must not be silent.
    lines.push(
      `  ids: ${formatInt(r.ids.written)} written this run; ${plural(r.ids.missing, KINDS[r.kind].entity)} imported without an id (the reply that carried it was lost: a 5xx after the server stored the batch, or a stop), so their muids are missing from --ids`,
    );
  }
  // An interrupted run did not see the input's end: no claim about what it held.
  if (r.read === 0 && (r.status === 'ok' || r.status === 'some-invalid')) {
    lines.push('  warning: the input held no records, so nothing was checked or sent (if it came through a pipe, did the command before it fail?)');
  }
  return lines.join('\n');
}
