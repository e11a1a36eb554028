// Reads a packed package.json on stdin and fails when it points at things the tarball does not
// ship (scripts, devDependencies) or lacks what a registry page needs (homepage, bugs, keywords).
let text = '';
for await (const chunk of process.stdin) text += chunk;
const pkg = JSON.parse(text);
const problems = [];
if (pkg.scripts) problems.push('has "scripts"');
if (pkg.devDependencies) problems.push('has "devDependencies"');
for (const field of ['homepage', 'bugs', 'keywords', 'license', 'repository', 'description']) {
  if (pkg[field] === undefined || (Array.isArray(pkg[field]) && pkg[field].length === 0))
    problems.push(`lacks "${field}"`);
}
for (const [name, range] of Object.entries(pkg.dependencies ?? {})) {
  if (String(range).startsWith('workspace:'))
    problems.push(`dependency ${name} still says ${range}`);
}
if (problems.length > 0) {
  process.stderr.write(`   ${process.argv[2]}: packed package.json ${problems.join(', ')}\n`);
  process.exit(1);
}
