// Assertions. Each throws an Error with a readable French/English message on failure.
import AxeBuilder from '@axe-core/playwright';

import { emailsTo, heading } from './find.mjs';

const TIMEOUT = 15_000;

/** Waits until `text` (string or RegExp) is visible on the page. */
export async function expectText(page, text, timeout = TIMEOUT) {
  try {
    await page.getByText(text).first().waitFor({ state: 'visible', timeout });
  } catch {
    throw new Error(`expected to see « ${text} » on ${page.url()}`);
  }
}

/** Waits until the URL path is `pathname`. */
export async function expectPath(page, pathname, timeout = TIMEOUT) {
  try {
    await page.waitForURL((url) => url.pathname === pathname, { timeout });
  } catch {
    throw new Error(`expected to be on ${pathname}, still on ${page.url()}`);
  }
}

/** Waits until the h1 reads `text`. */
export async function expectHeading(page, text, timeout = TIMEOUT) {
  try {
    await heading(page).filter({ hasText: text }).waitFor({ state: 'visible', timeout });
  } catch {
    throw new Error(`expected the page heading « ${text} » on ${page.url()}`);
  }
}

/** Checks `document.title`. */
export async function expectTitle(page, expected) {
  await page.waitForFunction((t) => document.title === t, expected, { timeout: TIMEOUT })
    .catch(async () => {
      throw new Error(`expected document.title « ${expected} », got « ${await page.title()} »`);
    });
}

/**
 * Runs axe-core with its default rules (WCAG A/AA and its best practices: landmarks,
 * headings, regions) and fails on any violation; then checks the footer's links to the
 * accessibility statement and the privacy notice, which every page must show (RGAA,
 * RGPD art. 13; SECURITY.md I-01, G-04).
 */
export async function expectAccessible(page, label) {
  const results = await new AxeBuilder({ page }).analyze();
  if (results.violations.length) {
    const details = results.violations.map((v) =>
      `- ${v.id} (${v.impact}): ${v.help}\n${v.nodes.slice(0, 5).map((n) => `    ${n.target.join(' ')} — ${n.failureSummary?.split('\n').join(' ')}`).join('\n')}`);
    throw new Error(`accessibility violations on « ${label} » (${page.url()}):\n${details.join('\n')}`);
  }
  await expectFooterLinks(page, label);
}

/** The footer links to « Accessibilité : … » and « Mentions légales / données personnelles ». */
export async function expectFooterLinks(page, label) {
  const footer = page.locator('footer');
  for (const name of [/^Accessibilité : (non|partiellement|totalement) conforme$/, 'Mentions légales / données personnelles']) {
    const found = await footer.getByRole('link', { name }).count();
    if (!found) throw new Error(`no footer link « ${name} » on « ${label} » (${page.url()})`);
  }
}

/** Nothing about the session may be kept in Web Storage. */
export async function expectNoWebStorage(page) {
  const stored = await page.evaluate(() => ({
    local: Object.keys(localStorage),
    session: Object.keys(sessionStorage),
  }));
  if (stored.local.length || stored.session.length) {
    throw new Error(`Web Storage must stay empty, found ${JSON.stringify(stored)}`);
  }
}

/** No horizontal scrolling at the current viewport width. */
export async function expectNoHorizontalScroll(page, width) {
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  if (scrollWidth > width) {
    // Name the widest culprits, innermost first, to make the fix obvious.
    const culprits = await page.evaluate((w) => [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > w && ![...e.children].some((c) => c.getBoundingClientRect().right > w))
      .slice(0, 5)
      .map((e) => `<${e.tagName.toLowerCase()} class="${e.className}"> « ${e.textContent.trim().slice(0, 40)} » right=${Math.round(e.getBoundingClientRect().right)}`), width);
    throw new Error(`the page scrolls horizontally: scrollWidth ${scrollWidth} > ${width}\n${culprits.join('\n')}`);
  }
}

/** Polls maildev until a message to `to` whose subject contains `subject` arrives. */
export async function expectEmail(maildevUrl, to, subject, { timeout = TIMEOUT, after = 0 } = {}) {
  const deadline = Date.now() + timeout;
  let seen = [];
  while (Date.now() < deadline) {
    const messages = await emailsTo(maildevUrl, to);
    seen = messages.map((m) => m.subject);
    const match = messages.filter((m) => (m.subject || '').includes(subject)
      && (!after || new Date(m.date || m.time || 0).getTime() >= after - 2_000));
    if (match.length) return match[match.length - 1];
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`no email « ${subject} » for ${to} within ${timeout} ms (subjects seen: ${JSON.stringify(seen)})`);
}
