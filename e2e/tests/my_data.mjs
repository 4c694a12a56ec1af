// « Mes données » (issue 16): a family asks for a copy of its data, downloads the ZIP after
// typing its password again, then closes its account (a wrong password refused first);
// and the notices every page links to — « Données personnelles » with its durations
// table, the déclaration d'accessibilité — read on a phone. axe on every state.
import { readFile } from 'node:fs/promises';
import { env, identity, run } from '../lib/harness.mjs';
import { acceptTerms, createActiveAccount, logIn, openHome } from '../lib/actions.mjs';
import { button, fieldErrorText } from '../lib/find.mjs';
import {
  expectAccessible, expectEmail, expectHeading, expectNoHorizontalScroll, expectPath, expectText,
} from '../lib/checks.mjs';

await run('my_data', async ({ page }) => {
  const who = identity('md');
  await createActiveAccount(page, env, who);
  await openHome(page, env.baseUrl);
  await logIn(page, who.username, who.password);
  await acceptTerms(page);
  await page.goto(`${env.baseUrl}/mon-compte`);
  await expectHeading(page, 'Mon compte');

  // A copy of my data: prepared in the background, the list follows it until it is ready.
  await button(page, 'Obtenir une copie de mes données').click();
  await expectText(page, 'Votre copie est en préparation');
  await expectText(page, /: Prête$/, 30_000);
  await expectAccessible(page, 'mes données (copie prête)');
  await expectEmail(env.maildevUrl, who.email, 'La copie de vos données est prête');

  // Downloading it takes the password again: a wrong one is refused under its field.
  const password = page.locator('input[id^="copie-mdp-"]');
  await password.fill('pas le bon mot de passe');
  await button(page, 'Télécharger ma copie').click();
  await page.waitForFunction(() => document.activeElement?.getAttribute('aria-invalid') === 'true');
  const refused = await fieldErrorText(password);
  if (!refused.includes('Le mot de passe est incorrect.')) throw new Error(`wrong password not reported: « ${refused} »`);
  await expectAccessible(page, 'mes données (mot de passe refusé)');
  await password.fill(who.password);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    button(page, 'Télécharger ma copie').click(),
  ]);
  if (!/^mes-donnees-portail-famille-\d{4}-\d{2}-\d{2}\.zip$/.test(download.suggestedFilename())) {
    throw new Error(`unexpected file name ${download.suggestedFilename()}`);
  }
  const zip = await readFile(await download.path());
  if (zip.subarray(0, 2).toString() !== 'PK' || !zip.includes('compte.json')) {
    throw new Error('the download is not the ZIP of the copy');
  }
  // The page stayed where it was.
  await expectPath(page, '/mon-compte');

  // Closing the account: what goes and what the town keeps are said first.
  await button(page, 'Fermer mon compte…').click();
  // The revealed form takes the keyboard's focus (the button that opened it is gone).
  await page.waitForFunction(() => document.activeElement?.id === 'fermeture-mdp');
  await expectText(page, 'La mairie conserve, comme tout service public');
  const closing = page.locator('#fermeture-mdp');
  await closing.fill('pas le bon mot de passe');
  await button(page, 'Fermer définitivement mon compte').click();
  await page.waitForFunction(() => document.activeElement?.id === 'fermeture-mdp');
  const error = await fieldErrorText(closing);
  if (!error.includes('Le mot de passe est incorrect.')) throw new Error(`wrong password not reported: « ${error} »`);
  await expectAccessible(page, 'fermer mon compte (mot de passe refusé)');
  await closing.fill(who.password);
  await button(page, 'Fermer définitivement mon compte').click();
  await expectPath(page, '/compte-ferme');
  await expectText(page, 'Votre compte est fermé.');
  await expectAccessible(page, 'compte fermé');
  await expectEmail(env.maildevUrl, who.email, 'Votre compte a été fermé');
  // The login is gone.
  await openHome(page, env.baseUrl);
  await logIn(page, who.username, who.password);
  await expectText(page, "Nom d'utilisateur ou mot de passe incorrect.");

  // The notices, on a phone.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${env.baseUrl}/donnees-personnelles`);
  await expectHeading(page, 'Mentions légales et données personnelles');
  await page.getByRole('table', { name: 'Durées de conservation appliquées par le portail' }).waitFor();
  await expectText(page, 'Compte inactif');
  await expectNoHorizontalScroll(page, 390);
  await expectAccessible(page, 'données personnelles (390 px)');
  await page.goto(`${env.baseUrl}/accessibilite`);
  await expectHeading(page, 'Accessibilité');
  await expectText(page, 'Défenseur des droits');
  await expectNoHorizontalScroll(page, 390);
  await expectAccessible(page, 'déclaration d\'accessibilité (390 px)');
});
