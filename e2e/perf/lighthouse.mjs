// Lighthouse (mobile: its default emulated phone and simulated slow 4G) on the three pages a
// family or an agent meets first — ACCUEIL, the sign-up wizard's first step, the back
// office's queue of an agent who is signed in — with Debian's Chromium, and a budget:
// every page's performance score must reach LIGHTHOUSE_BUDGET (default 0.90; BENCHMARKS.md
// records the measured figures). Each page is loaded with an empty HTTP cache, as a family
// arriving for the first time would.
//
// Run by api/tests/it/lighthouse.rs (the server of a test, PF_BIN and DATABASE_URL set), on
// its own: Lighthouse's CPU model reads the machine's load, so it must not share the two
// cores with other tests. Prints one line per page and a JSON summary.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import lighthouse from 'lighthouse';
import { chromium } from 'playwright-core';
import { env, identity } from '../lib/harness.mjs';
import { createAdministrator, enrolAndLogIn } from '../lib/staff.mjs';

const budget = Number(process.env.LIGHTHOUSE_BUDGET || '0.90');

/** A free TCP port on loopback, for Chromium's DevTools endpoint (Lighthouse connects to it). */
async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The figures of one Lighthouse run. */
function figures(name, lhr) {
  const audit = (id) => lhr.audits[id]?.numericValue;
  return {
    page: name,
    url: lhr.finalDisplayedUrl,
    score: lhr.categories.performance.score,
    fcpMs: Math.round(audit('first-contentful-paint')),
    lcpMs: Math.round(audit('largest-contentful-paint')),
    tbtMs: Math.round(audit('total-blocking-time')),
    cls: Number((audit('cumulative-layout-shift') ?? 0).toFixed(3)),
    speedIndexMs: Math.round(audit('speed-index')),
    transferredKiB: Math.round((audit('total-byte-weight') ?? 0) / 1024),
    lcpElement: lhr.audits['largest-contentful-paint-element']?.details?.items?.[0]?.items?.[0]?.node?.snippet,
    lcpText: lhr.audits['largest-contentful-paint-element']?.details?.items?.[0]?.items?.[0]?.node?.nodeLabel,
    // Where the largest paint's time went (time to first byte, resource load, render delay).
    lcpPhases: lhr.audits['largest-contentful-paint-element']?.details?.items?.[1]?.items
      ?.map((phase) => `${phase.phase} ${Math.round(phase.timing)} ms`).join(', '),
  };
}

const profile = await mkdtemp(path.join(tmpdir(), 'pf-lighthouse-'));
const port = await freePort();
// A persistent context is the browser's default one, which is where Lighthouse opens its
// tab: the agent's session cookie, set by signing in below, is then seen by it.
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
  args: [`--remote-debugging-port=${port}`, '--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  locale: 'fr-FR',
  timezoneId: 'Europe/Paris',
});
const results = [];
let failed = false;
try {
  const audit = async (name, url, { keepSession = false } = {}) => {
    const options = {
      port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance'],
      // Lighthouse clears the origin's storage (cookies included) and the HTTP cache before
      // loading; for the agent's page the session must stay, so only the cache is cleared.
      disableStorageReset: keepSession,
    };
    if (keepSession) {
      const page = context.pages()[0] || await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.clearBrowserCache');
      await cdp.detach();
    }
    let run = await lighthouse(url, options);
    // Lighthouse sometimes fails to record its own trace (NO_NAVSTART: « Please run
    // Lighthouse again »): that says nothing about the page, so it runs once more. A low
    // score is never retried.
    if (run?.lhr?.runtimeError?.code === 'NO_NAVSTART') {
      console.log(`${name}: Lighthouse could not record the trace (NO_NAVSTART), run again`);
      run = await lighthouse(url, options);
    }
    if (!run?.lhr) throw new Error(`Lighthouse gave no result for ${url}`);
    if (run.lhr.runtimeError) throw new Error(`Lighthouse on ${url}: ${run.lhr.runtimeError.message}`);
    const result = figures(name, run.lhr);
    results.push(result);
    const verdict = result.score >= budget ? 'ok' : `UNDER THE BUDGET ${budget}`;
    console.log(`${name}: performance ${Math.round(result.score * 100)}, FCP ${result.fcpMs} ms, `
      + `LCP ${result.lcpMs} ms, TBT ${result.tbtMs} ms, CLS ${result.cls}, `
      + `${result.transferredKiB} KiB — ${verdict}`);
    if (result.score < budget) failed = true;
  };

  await audit('Accueil', `${env.baseUrl}/`);
  await audit('Création de compte, étape 1', `${env.baseUrl}/creer-mon-compte`);

  // An agent signed in on the back office (its first login enrols an authenticator).
  const agent = { ...identity('lh'), password: `Tilleul argenté ${env.runId} au matin` };
  await createAdministrator(agent);
  const page = context.pages()[0] || await context.newPage();
  await page.goto(`${env.baseUrl}/backoffice/`);
  await enrolAndLogIn(page, agent);
  await page.goto('about:blank');
  await audit('Back office, demandes en attente', `${env.baseUrl}/backoffice/`, { keepSession: true });
} catch (error) {
  failed = true;
  console.error(`Lighthouse run failed: ${error && error.stack ? error.stack : error}`);
} finally {
  await context.close();
  await rm(profile, { recursive: true, force: true });
}
console.log(JSON.stringify({ budget, results }, null, 2));
process.exitCode = failed ? 1 : 0;
