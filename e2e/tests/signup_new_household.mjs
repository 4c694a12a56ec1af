// Sign-up as a new household, activation by email, login, consent, « Mon compte », logout.
// Runs axe on every page on the way.
import { env, identity, run } from '../lib/harness.mjs';
import { acceptTerms, activateFromEmail, logIn, logOut, signUp } from '../lib/actions.mjs';
import { button, link } from '../lib/find.mjs';
import {
  expectAccessible, expectHeading, expectNoWebStorage, expectPath, expectText,
} from '../lib/checks.mjs';

await run('signup_new_household', async ({ page }) => {
  const who = identity('nf');
  await signUp(page, env.baseUrl, who, { audit: true, checkShortPassword: true, submit: false });
  await page.getByRole('cell', { name: 'Famille', exact: true }).waitFor();
  await page.getByRole('cell', { name: 'Nouveau foyer', exact: true }).waitFor();
  await button(page, 'Valider').click();
  await expectHeading(page, 'Merci de votre inscription !');
  await expectAccessible(page, 'merci');

  await activateFromEmail(page, env, who.email, { audit: true });
  await logIn(page, who.username, who.password);
  await acceptTerms(page, { audit: true });
  await expectPath(page, '/demarches');
  await expectText(page, 'Ma demande de création de dossier famille');
  await page.getByRole('button', { name: 'Créer mon dossier en ligne' }).waitFor();
  await expectNoWebStorage(page);

  await link(page, 'Mon compte').click();
  await expectPath(page, '/mon-compte');
  await expectHeading(page, 'Mon compte');
  await expectText(page, who.email);
  await page.locator('dd', { hasText: who.username }).first().waitFor();
  await page.getByRole('cell', { name: 'Réussie' }).first().waitFor();
  await expectAccessible(page, 'mon compte');
  await expectNoWebStorage(page);

  // The access token lives in memory only: a reload restores the session from the
  // HttpOnly refresh cookie.
  await page.reload();
  await expectHeading(page, 'Mon compte');
  await page.locator('dd', { hasText: who.username }).first().waitFor();
  await expectNoWebStorage(page);

  await logOut(page);
  await expectPath(page, '/');
  // Signed out, the account pages send to the login page (and back after login).
  await page.goto(`${env.baseUrl}/mon-compte`);
  await expectPath(page, '/connexion');
  await logIn(page, who.username, who.password);
  await expectPath(page, '/mon-compte');
});
