// The SPA alone, against the stand-in API of mock-api.mjs (no Rust server, no mail):
// wizard errors, login errors, consent, « Mon compte », activation links, and the
// « Votre session va expirer » dialog (idle timeout shortened to 75 s).
// Usage: node e2e/dev/smoke_mock.mjs   (after `trunk build --release`)
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { run } from '../lib/harness.mjs';
import { acceptTerms, fillDossier, logIn, signUp } from '../lib/actions.mjs';
import { button, link } from '../lib/find.mjs';
import { expectAccessible, expectHeading, expectNoWebStorage, expectPath, expectText } from '../lib/checks.mjs';

const port = 8000 + Math.floor(Math.random() * 900) + 90;
const base = `http://127.0.0.1:${port}`;
const server = spawn(process.execPath, [path.join(path.dirname(fileURLToPath(import.meta.url)), 'mock-api.mjs'), String(port)], {
  env: { ...process.env, MOCK_IDLE: '75' }, stdio: 'ignore',
});
await new Promise((resolve) => setTimeout(resolve, 700));

try {
  await run('smoke_mock', async ({ page }) => {
  const who = { username: 'mockuser', email: 'mock@exemple.fr', password: 'un mot de passe assez long' };
  await signUp(page, base, who, { audit: true, checkShortPassword: true, submit: false });
  await page.getByRole('cell', { name: 'Nouveau foyer', exact: true }).waitFor();
  await button(page, 'Valider').click();
  await expectHeading(page, 'Merci de votre inscription !');
  await expectAccessible(page, 'merci');
  await signUp(page, base, who, { dossier: { numero: '999', nom: 'x', prenom: 'y' }, submit: false });
  await button(page, 'Valider').click();
  await expectText(page, 'Aucun dossier ne correspond à ces informations');
  await expectText(page, 'Étape 2/3 : Mes références dossier');
  await expectAccessible(page, 'dossier introuvable');
  await fillDossier(page, { numero: '17484', nom: 'creation', prenom: 'pere' });
  await button(page, 'Suivant').click();
  await page.getByRole('cell', { name: '17484', exact: true }).waitFor();
  await page.goto(base + '/connexion');
  await logIn(page, 'demo', 'faux mot de passe');
  await expectText(page, "Nom d'utilisateur ou mot de passe incorrect.");
  await logIn(page, 'demo', 'pas encore actif !');
  await expectText(page, "Renvoyer le lien d'activation");
  await expectAccessible(page, 'non activé');
  await logIn(page, 'demo', 'mot de passe valable');
  await acceptTerms(page, { audit: true });
  await expectPath(page, '/demarches');
  await expectNoWebStorage(page);
  await page.getByRole('button', { name: 'Créer mon dossier en ligne' }).click();
  await expectText(page, 'Composez votre foyer');
  await expectAccessible(page, 'dossier, étape 1');
  await page.getByRole('link', { name: 'Démarches' }).click();
  await expectText(page, 'Reprendre mon dossier');
  await link(page, 'Mon compte').click();
  await page.getByRole('cell', { name: 'Réussie' }).first().waitFor();
  await expectAccessible(page, 'mon compte');
  await page.goto(base + '/activation#token=mauvais');
  await expectText(page, "Ce lien n'est plus valide");
  await page.goto(base + '/');
  await page.goto(base + '/activation#token=bon');
  await expectText(page, 'Votre compte est désormais actif');
  await expectAccessible(page, 'activation');

    await page.goto(base + '/');
    await page.goto(base + '/connexion');
  await logIn(page, 'demo', 'mot de passe valable');
  await expectPath(page, '/demarches');
  const dialog = page.getByRole('alertdialog', { name: 'Votre session va expirer' });
  await dialog.waitFor({ timeout: 75000 }); // opens 75 s × 3/4 ≈ 56 s after the login
  const focused = await page.evaluate(() => document.activeElement?.textContent);
  if (focused !== 'Rester connecté') throw new Error(`focus should move into the dialog, found on « ${focused} »`);
  await expectAccessible(page, 'dialog');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.waitForTimeout(500);
  await expectPath(page, '/');
  if (await dialog.isVisible()) throw new Error('the dialog should close after « Se déconnecter »');
  });
} finally {
  server.kill();
}
