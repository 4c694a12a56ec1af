// Launches Chromium, runs one scenario, and on failure prints what the page showed and
// saves a screenshot under e2e/artifacts/. Exit code 0 = pass.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS = path.resolve(here, '..', 'artifacts');

/** The environment every test needs. */
export const env = {
  baseUrl: (process.env.BASE_URL || 'http://127.0.0.1:8000').replace(/\/$/, ''),
  maildevUrl: (process.env.MAILDEV_URL || 'http://127.0.0.1:1080').replace(/\/$/, ''),
  runId: (process.env.RUN_ID || Date.now().toString(36)).replace(/[^A-Za-z0-9]/g, '').slice(-24) || 'run',
};

/** A fresh identity for this run: username, email, and a strong password. */
export function identity(tag) {
  const id = `${tag}${env.runId}`.toLowerCase().slice(0, 40);
  return {
    username: id,
    email: `parent-${id}@exemple.fr`,
    password: `Cerisier bleu ${env.runId} sous la pluie`,
  };
}

/** Chromium as installed by Debian, with the flags these machines need. */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** How long a person holds the button down when clicking (ms). */
export const PRESS_MS = 120;

/**
 * Makes every `locator.click()` of the scenarios last as long as a person's click: the
 * button is pressed, held PRESS_MS, then released. Playwright's own click releases at once,
 * which hides a real bug: leaving a field (the press itself moves the focus) saves it, and
 * if that save moves or rebuilds the button before the release, the browser sends no click
 * (issue 11: « Valider mon dossier » right after typing an observation did nothing). Since
 * the scenarios type and then press each step's and dialog's buttons, every one of them is
 * checked this way. A scenario may still pass `{ delay }` itself.
 */
function clickLikeAPerson(page) {
  const prototype = Object.getPrototypeOf(page.locator('body'));
  if (prototype.click.personLike) return;
  const click = prototype.click;
  const personLike = function personLikeClick(options = {}) {
    return click.call(this, { delay: PRESS_MS, ...options });
  };
  personLike.personLike = true;
  prototype.click = personLike;
}

/**
 * Runs `scenario({ page, context })` and reports the result.
 * Options: `viewport` ({ width, height }).
 */
export async function run(name, scenario, options = {}) {
  const started = Date.now();
  const browser = await launch();
  const context = await browser.newContext({
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    viewport: options.viewport || { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  clickLikeAPerson(page);
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
  });
  let failed = false;
  try {
    await scenario({ page, context });
    console.log(`PASS ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    failed = true;
    console.error(`FAIL ${name}: ${error && error.stack ? error.stack : error}`);
    try {
      console.error(`  at URL: ${page.url()}`);
      const text = await page.locator('body').innerText({ timeout: 2_000 });
      console.error(`  page text:\n${text.slice(0, 3_000).replace(/^/gm, '    | ')}`);
      await mkdir(ARTIFACTS, { recursive: true });
      const file = path.join(ARTIFACTS, `${name}-${Date.now()}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.error(`  screenshot: ${file}`);
    } catch (inner) {
      console.error(`  (could not capture the page: ${inner})`);
    }
    if (pageErrors.length) console.error(`  browser errors:\n    ${pageErrors.join('\n    ')}`);
  } finally {
    await browser.close();
  }
  console.log(failed ? '0 passed, 1 failed' : '1 passed, 0 failed');
  process.exitCode = failed ? 1 : 0;
}
