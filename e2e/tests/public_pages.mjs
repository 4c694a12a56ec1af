// The public pages of the embedded default's demo content, as an anonymous visitor:
// ACCUEIL (the town's welcome text, « À la une » with « Publié le 14 mai 2025 », the
// latest news, the login box, the contact in the footer), ACTUALITÉS (list and detail),
// FAQ (questions that open with the keyboard) and DOCUMENTS (list and a real PDF download).
// axe on every page, and the same pages at 375 px without horizontal scrolling.
import { env, run } from '../lib/harness.mjs';
import { link } from '../lib/find.mjs';
import {
  expectAccessible, expectHeading, expectNoHorizontalScroll, expectPath, expectText,
} from '../lib/checks.mjs';

await run('public_pages', async ({ page }) => {
  await page.goto(`${env.baseUrl}/`);
  await expectHeading(page, 'Accueil');
  await expectText(page, 'composez votre dossier famille');
  const une = page.getByRole('region', { name: 'À la une' });
  await une.getByRole('heading', { name: 'Inscriptions scolaires' }).waitFor();
  await une.getByText('Publié le 14 mai 2025').waitFor();
  const latest = page.getByRole('region', { name: 'Dernières actualités' });
  await latest.getByRole('heading', { name: 'Vacances sportives hiver 2026' }).waitFor();
  await latest.getByText('Publié le 5 janvier 2026').waitFor();
  await page.getByRole('heading', { name: "J'ai déjà un compte !" }).waitFor();
  await page.getByRole('contentinfo').getByText('Mairie — service Vie scolaire et sportive').waitFor();
  await expectAccessible(page, 'accueil avec les actualités');

  // ACTUALITÉS: the list, then one item.
  await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Actualités' }).click();
  await expectPath(page, '/actualites');
  await expectHeading(page, 'Actualités');
  const titles = await page.locator('.news-card h2').allTextContents();
  if (titles.join('|') !== 'Vacances sportives hiver 2026|Inscriptions scolaires') {
    throw new Error(`news, newest first: ${JSON.stringify(titles)}`);
  }
  await expectAccessible(page, 'actualités');
  await link(page, 'Inscriptions scolaires').click();
  await expectHeading(page, 'Inscriptions scolaires');
  await expectText(page, 'Publié le 14 mai 2025');
  await expectAccessible(page, 'une actualité');
  await link(page, 'Toutes les actualités').click();
  await expectPath(page, '/actualites');

  // A news item that does not exist (or is not published yet) says so.
  await page.goto(`${env.baseUrl}/actualites/00000000-0000-4000-8000-000000000000`);
  await page.getByRole('alert').waitFor();

  // FAQ: a question opens with the keyboard.
  await page.goto(`${env.baseUrl}/faq`);
  await expectHeading(page, 'Questions fréquentes');
  const question = page.locator('summary').first();
  const asked = (await question.textContent()).trim();
  const details = page.locator('details').first();
  if (await details.evaluate((d) => d.open)) throw new Error('questions start closed');
  await question.focus();
  await page.keyboard.press('Enter');
  if (!(await details.evaluate((d) => d.open))) throw new Error(`« ${asked} » did not open`);
  await expectAccessible(page, 'FAQ, une question ouverte');

  // DOCUMENTS: listed with size and date; the link downloads the PDF as an attachment.
  await page.goto(`${env.baseUrl}/documents`);
  await expectHeading(page, 'Documents');
  const download = page.locator('ul.documents a').first();
  await download.waitFor();
  await expectText(page, 'PDF,');
  const href = await download.getAttribute('href');
  const response = await page.request.get(`${env.baseUrl}${href}`);
  const body = await response.body();
  if (response.status() !== 200 || !body.subarray(0, 5).equals(Buffer.from('%PDF-'))) {
    throw new Error(`the document link must give the PDF: ${response.status()}`);
  }
  if (!/^attachment/.test(response.headers()['content-disposition'] || '')) {
    throw new Error('public documents are downloaded, never shown inline');
  }
  const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
  if (!(await file.suggestedFilename()).endsWith('.pdf')) throw new Error('a .pdf file name');
  await expectAccessible(page, 'documents');

  // On a phone.
  await page.setViewportSize({ width: 375, height: 740 });
  for (const path of ['/', '/actualites', '/faq', '/documents']) {
    await page.goto(`${env.baseUrl}${path}`);
    await page.locator('main h1').waitFor();
    await page.waitForLoadState('networkidle');
    await expectNoHorizontalScroll(page, 375);
  }
});
