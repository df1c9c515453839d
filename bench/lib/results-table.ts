// Renders a results file as Markdown: per suite its question, setup and rows (value, same-run
// floor, ratio, target, whether bench:check guards it). Pure: results in, text out.

import type { BenchResults, BenchRow } from './types.js';

export function formatNumber(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return n === undefined ? '' : String(n);
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  return Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

function rowLine(r: BenchRow): string {
  const guard = r.guard ? `${r.guard.better === 'higher' ? '≥' : '≤'} −${Math.round(r.guard.tolerance * 100)}%` : '';
  const pass = r.pass === undefined ? '' : r.pass ? 'yes' : 'NO';
  return `| ${r.id} | ${r.case} | ${formatNumber(r.value)} ${r.unit} | ${formatNumber(r.baseline)} | ${r.ratio === undefined ? '' : r.ratio.toFixed(2)} | ${r.target ?? ''} | ${pass} | ${guard} |`;
}

export function formatResultsTable(results: BenchResults): string {
  const m = results.machine;
  const parts = [`chatmigrate bench — ${m.date}, Node ${m.node}, ${m.cpus} cores (${m.cpu}), ${m.platform}${m.taskset ? '' : ', no taskset pinning'}`];
  for (const suite of results.suites) {
    const rows = results.rows.filter((r) => r.suite === suite.name);
    parts.push(
      [
        `\n## ${suite.name}: ${suite.question} (${suite.seconds.toFixed(0)} s)`,
        ...suite.setup.map((l) => `- ${l}`),
        '',
        '| metric | case | value | floor/baseline | ratio | target | pass | guarded |',
        '|---|---|---:|---:|---:|---:|---|---|',
        ...rows.map(rowLine),
      ].join('\n'),
    );
  }
  return parts.join('\n');
}
