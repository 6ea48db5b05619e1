// Bundles the diagram pages' assets into ../web/static/build/.
// Usage: npm run build   (after npm ci)
import * as esbuild from 'esbuild';
import { copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, '..', 'web', 'static', 'build');
const started = Date.now();

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });

await esbuild.build({
  absWorkingDir: here,
  entryPoints: [
    { in: 'src/modeler.js', out: 'diagrams' },
    { in: 'src/app.css', out: 'diagrams' },
    // the review page needs only the viewer and the differ: a bundle a fraction of the modeler's size
    { in: 'src/viewer.js', out: 'viewer' },
    { in: 'src/viewer.css', out: 'viewer' }
  ],
  outdir,
  bundle: true,
  format: 'iife',
  minify: true,
  sourcemap: false,
  target: [ 'es2020' ],
  define: { 'process.env.NODE_ENV': '"production"' },
  // bpmn-font / dmn-font files referenced from the CSS land in build/fonts/.
  loader: { '.eot': 'file', '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.svg': 'file' },
  assetNames: 'fonts/[name]',
  logLevel: 'warning'
});

await copyFile(join(here, 'node_modules', 'axe-core', 'axe.min.js'), join(outdir, 'axe.min.js'));

// Check every expected output exists and is non-empty.
const expected = [ 'diagrams.js', 'diagrams.css', 'viewer.js', 'viewer.css', 'axe.min.js', 'fonts/bpmn.woff2', 'fonts/dmn.woff2' ];
for (const file of expected) {
  const { size } = await stat(join(outdir, file));
  if (!size) {
    throw new Error(`empty build output: ${file}`);
  }
}

for (const file of (await readdir(outdir, { recursive: true })).sort()) {
  const info = await stat(join(outdir, file));
  if (info.isFile()) {
    console.log(`${file.padEnd(24)} ${(info.size / 1024).toFixed(1).padStart(8)} KiB`);
  }
}
console.log(`built ${outdir} in ${Date.now() - started} ms`);
