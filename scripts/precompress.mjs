// Writes Brotli (.br, quality 11) and gzip (.gz, level 9) copies next to each built asset
// of the SPA (WASM, JS, CSS, SVG), once per build, so that the server sends the
// smallest encoding a browser accepts without compressing on every request.
// Usage: node scripts/precompress.mjs web/dist
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

// Not index.html: the server writes the town's name into it on each request.
const COMPRESSIBLE = new Set(['.wasm', '.js', '.css', '.svg', '.json', '.txt']);

async function* files(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else if (COMPRESSIBLE.has(path.extname(entry.name))) yield full;
  }
}

const root = process.argv[2];
if (!root) {
  console.error('usage: node scripts/precompress.mjs DIR');
  process.exit(2);
}
let count = 0;
for await (const file of files(root)) {
  const bytes = await readFile(file);
  const { size } = await stat(file);
  const br = brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS,
      [constants.BROTLI_PARAM_SIZE_HINT]: size,
    },
  });
  const gz = gzipSync(bytes, { level: 9 });
  await writeFile(`${file}.br`, br);
  await writeFile(`${file}.gz`, gz);
  count += 1;
}
console.log(`precompressed ${count} files in ${root}`);
