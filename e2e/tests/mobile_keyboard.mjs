// 375 px wide: no horizontal scroll, and the login form completed with the keyboard only.
import { env, identity, run } from '../lib/harness.mjs';
import { createActiveAccount, openHome } from '../lib/actions.mjs';
import { expectNoHorizontalScroll, expectPath, expectTitle } from '../lib/checks.mjs';

const WIDTH = 375;

await run('mobile_keyboard', async ({ page }) => {
  await openHome(page, env.baseUrl);
  await expectNoHorizontalScroll(page, WIDTH);
  await expectTitle(page, 'Accueil — Portail Famille');

  const who = identity('mk');
  await createActiveAccount(page, env, who);
  await expectNoHorizontalScroll(page, WIDTH);

  await openHome(page, env.baseUrl);
  // Tab from the top of the page to the username field, as a keyboard user would.
  let reached = false;
  for (let i = 0; i < 40 && !reached; i += 1) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.getAttribute('autocomplete') === 'username');
  }
  if (!reached) throw new Error('the username field cannot be reached with Tab');
  await page.keyboard.type(who.username);
  await page.keyboard.press('Tab');
  const onPassword = await page.evaluate(() => document.activeElement?.getAttribute('type') === 'password');
  if (!onPassword) throw new Error('Tab from the username field does not reach the password field');
  await page.keyboard.type(who.password);
  await page.keyboard.press('Enter');

  await expectPath(page, '/consentement');
  await expectTitle(page, 'Consentement — Portail Famille');
  await expectNoHorizontalScroll(page, WIDTH);
  // Accept the terms with the keyboard too: focus moved to the h1 on route change.
  const button = page.getByRole('button', { name: "J'ai pris connaissance de ces informations", exact: true });
  await page.locator('.terms').waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('button')].some((b) => b.textContent.includes('pris connaissance') && !b.disabled));
  let onButton = false;
  for (let i = 0; i < 40 && !onButton; i += 1) {
    await page.keyboard.press('Tab');
    onButton = await button.evaluate((b) => b === document.activeElement);
  }
  if (!onButton) throw new Error('the consent button cannot be reached with Tab');
  await page.keyboard.press('Enter');
  await expectPath(page, '/demarches');
  await expectTitle(page, 'Mes démarches — Portail Famille');
}, { viewport: { width: WIDTH, height: 740 } });
