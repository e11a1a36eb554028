// pnpm hooks for this workspace.
// beforePacking: what `pnpm pack` / `pnpm publish` put in a package's package.json. Consumers get
// no `scripts` or `devDependencies` (they point at files the tarball does not ship, such as
// ../../scripts/build-package.sh), and every package carries `homepage` and `bugs`.
const REPO = 'https://github.com/portcullis-sdk/portcullis';

function beforePacking(pkg) {
  delete pkg.scripts;
  delete pkg.devDependencies;
  const directory = pkg.repository?.directory;
  pkg.homepage = directory ? `${REPO}/tree/main/${directory}#readme` : `${REPO}#readme`;
  pkg.bugs = { url: `${REPO}/issues` };
  return pkg;
}

module.exports = { hooks: { beforePacking } };
