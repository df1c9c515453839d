// The documentation holds together: every relative link in README.md and docs/ points at a file
// that exists and, when it names one, at a heading of that file (GitHub's anchor rule); every
// docs page is listed in the README's Documentation table and links back to the README.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

const PAGES = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];

/** The text outside fenced code blocks (a `# comment` in a shell example is no heading). */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '');
}

/** GitHub's anchor of a heading: lowercased, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const m of prose(markdown).matchAll(/^#{1,6} +(.+?) *$/gm)) {
    const base = m[1]!.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

test('every relative link in README.md and docs/ points at an existing file and heading', () => {
  const broken: string[] = [];
  for (const page of PAGES) {
    for (const m of prose(readFileSync(page, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
      const link = m[1]!;
      if (/^[a-z]+:/.test(link)) continue; // https:, mailto:
      const [path, anchor] = link.split('#') as [string, string | undefined];
      const target = path === '' ? page : normalize(join(dirname(page), path));
      if (!existsSync(target)) {
        broken.push(`${page}: ${link} (no file ${target})`);
        continue;
      }
      if (anchor !== undefined && !anchorsOf(readFileSync(target, 'utf8')).has(anchor)) broken.push(`${page}: ${link} (no heading #${anchor} in ${target})`);
    }
  }
  assert.deepEqual(broken, []);
});

test('every docs page is in the README\'s Documentation table and links back to the README', () => {
  const readme = readFileSync('README.md', 'utf8');
  const table = readme.slice(readme.indexOf('## Documentation'));
  for (const page of PAGES.slice(1)) {
    assert.ok(table.includes(`](${page})`), `${page} is not in the README's Documentation table`);
    assert.ok(readFileSync(page, 'utf8').includes('](../README.md)'), `${page} has no link back to the README`);
  }
});
