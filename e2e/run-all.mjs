// Runs every scenario of tests/ one after the other and prints a summary line.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(path.join(here, 'tests')).filter((f) => f.endsWith('.mjs'))
  .filter((f) => !only.length || only.some((o) => f.includes(o))).sort();
let passed = 0;
let failed = 0;
for (const file of files) {
  const result = spawnSync(process.execPath, [path.join(here, 'tests', file)], { stdio: 'inherit' });
  if (result.status === 0) passed += 1; else failed += 1;
}
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
