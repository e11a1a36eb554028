// Every relative link in README.md, docs/*.md and packages/*/README.md must point at a file or
// folder that exists, and a `#fragment` into a Markdown file at one of its headings. Links to
// other sites (`https:`, `mailto:`) are not followed: CI has no network. Exits 1 listing each
// broken link as `file:line: target`.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** The Markdown files checked under `root`: the root README, docs/ and each package README. */
export function markdownFiles(root: string): string[] {
  const files = [join(root, 'README.md')];
  for (const name of existsSync(join(root, 'docs')) ? readdirSync(join(root, 'docs')).sort() : []) {
    if (name.endsWith('.md')) files.push(join(root, 'docs', name));
  }
  const packages = join(root, 'packages');
  for (const pkg of existsSync(packages) ? readdirSync(packages).sort() : []) {
    const readme = join(root, 'packages', pkg, 'README.md');
    if (existsSync(readme)) files.push(readme);
  }
  return files;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, `-1` for repeats. */
export function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutCode(markdown).split('\n')) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = (heading[1] ?? '')
      .toLowerCase()
      .replace(/<[^>]+>/g, '')
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    found.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return found;
}

/** Fenced code blocks blanked out (line count kept), so `[a](b)` inside code is not a link. */
function withoutCode(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (block) =>
    block.replace(/[^\n]/g, ''),
  );
}

export function links(markdown: string): { line: number; target: string }[] {
  const found: { line: number; target: string }[] = [];
  const text = withoutCode(markdown).replace(/`[^`\n]*`/g, (code) => ' '.repeat(code.length));
  const inline = /\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
  const reference = /^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm;
  for (const pattern of [inline, reference]) {
    for (const m of text.matchAll(pattern)) {
      const line = text.slice(0, m.index).split('\n').length;
      found.push({ line, target: m[1] ?? '' });
    }
  }
  return found;
}

/** Every broken relative link under `root`, as `file:line: target (why)`, and how many were checked. */
export function brokenLinks(root: string): { broken: string[]; checked: number; files: number } {
  const broken: string[] = [];
  let checked = 0;
  const files = markdownFiles(root);
  for (const file of files) {
    const markdown = readFileSync(file, 'utf8');
    for (const { line, target } of links(markdown)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, …
      checked++;
      const [pathPart = '', fragment] = target.split('#', 2);
      const path = decodeURIComponent(pathPart);
      const resolved = path === '' ? file : join(path.startsWith('/') ? root : dirname(file), path);
      const where = `${relative(root, file)}:${line}: ${target}`;
      if (!existsSync(resolved)) {
        broken.push(`${where} (no such file)`);
        continue;
      }
      if (fragment && resolved.endsWith('.md') && statSync(resolved).isFile()) {
        if (!anchors(readFileSync(resolved, 'utf8')).has(fragment.toLowerCase())) {
          broken.push(`${where} (no such heading)`);
        }
      }
    }
  }
  return { broken, checked, files: files.length };
}

if (import.meta.main) {
  const { broken, checked, files } = brokenLinks(join(import.meta.dirname, '..'));
  if (broken.length > 0) {
    process.stdout.write(`   broken relative links:\n${broken.map((b) => `   ${b}\n`).join('')}`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`   ${checked} relative links in ${files} Markdown files resolve\n`);
  }
}
