// `npm run build`: bundles the kiosk and staff pages (TypeScript, CSS, ECharts from npm) into server/web/dist/.
// Assets get content-hashed names under dist/assets/ (served with a long cache); the HTML pages name them and are
// served without caching, so a kiosk picks up a new build on its next reset.
import fs from 'node:fs';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';

export const webDir = import.meta.dirname;
export const distDir = path.join(webDir, 'dist');
const projectRoot = path.resolve(webDir, '../..');

const pages = ['kiosk', 'staff', 'mobile'] as const;

/** The outputs esbuild wrote for one entry point: its script and the stylesheet its CSS imports became. */
function outputsOf(metafile: Metafile, entry: string): { js: string; css: string | null } {
  for (const [file, output] of Object.entries(metafile.outputs)) {
    if (output.entryPoint !== entry) continue;
    const js = path.basename(file);
    const css = output.cssBundle ? path.basename(output.cssBundle) : null;
    return { js, css };
  }
  throw new Error(`esbuild wrote nothing for ${entry}`);
}

export async function buildPages(options: { quiet?: boolean } = {}): Promise<void> {
  const started = performance.now();
  const staging = `${distDir}.tmp-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const entryPoints = Object.fromEntries(pages.map((page) => [page, path.join(webDir, page, 'main.ts')]));
  const result = await build({
    entryPoints,
    outdir: path.join(staging, 'assets'),
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    bundle: true,
    format: 'esm',
    splitting: true,
    chunkNames: 'chunk-[hash]',
    minify: true,
    sourcemap: 'linked',
    // Maps name the sources (server/web/*.ts, node_modules/…) without copying them in: the dist then holds no third-party
    // source text (echarts' and tslib's own comments and notes), and stays small.
    sourcesContent: false,
    target: ['chrome100'],
    metafile: true,
    absWorkingDir: projectRoot,
    legalComments: 'linked',
    logLevel: options.quiet ? 'error' : 'warning',
  });
  for (const page of pages) {
    const entry = path.relative(projectRoot, entryPoints[page]!).split(path.sep).join('/');
    const { js, css } = outputsOf(result.metafile, entry);
    const template = fs.readFileSync(path.join(webDir, page, 'index.html'), 'utf8');
    const html = template
      .replace('<!-- styles -->', css ? `<link rel="stylesheet" href="/assets/${css}">` : '')
      .replace('<!-- script -->', `<script type="module" src="/assets/${js}"></script>`);
    fs.writeFileSync(path.join(staging, `${page}.html`), html);
  }
  // Swap in one step: a server reading dist/ meanwhile sees the old build or the new one, never half of each.
  const previous = `${distDir}.old-${process.pid}`;
  if (fs.existsSync(distDir)) fs.renameSync(distDir, previous);
  fs.renameSync(staging, distDir);
  fs.rmSync(previous, { recursive: true, force: true });
  if (!options.quiet) {
    const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
    console.log(`web: built ${pages.map((p) => `/${p}`).join(', ')} into ${path.relative(projectRoot, distDir)} (${Math.round(bytes / 1024)} KiB) in ${Math.round(performance.now() - started)} ms`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildPages();
}
