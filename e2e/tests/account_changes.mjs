// « Mon compte »: an account not yet activated is told so (and can ask for a new link);
// then password change (wrong current password refused) and email change confirmed from
// the new inbox.
import { env, identity, run } from '../lib/harness.mjs';
import { acceptTerms, activateFromEmail, logIn, openHome, registerThroughApi } from '../lib/actions.mjs';
import { button, field, fieldErrorText, linkIn } from '../lib/find.mjs';
import {
  expectAccessible, expectEmail, expectHeading, expectPath, expectText,
} from '../lib/checks.mjs';

await run('account_changes', async ({ page }) => {
  const who = identity('ac');
  await registerThroughApi(env.baseUrl, who);

  // Right password, account not activated yet.
  await openHome(page, env.baseUrl);
  await logIn(page, who.username, who.password);
  await expectText(page, "Votre compte n'est pas encore activé.");
  await field(page, 'Adresse email').fill(who.email);
  await button(page, "Renvoyer le lien d'activation").click();
  await expectText(page, 'Si un compte en attente d\'activation correspond à cette adresse');
  await expectAccessible(page, 'compte non activé');

  await activateFromEmail(page, env, who.email);
  await logIn(page, who.username, who.password);
  await acceptTerms(page);
  await expectPath(page, '/demarches');
  await page.goto(`${env.baseUrl}/mon-compte`);
  await expectHeading(page, 'Mon compte');

  // Password change: a wrong current password is refused under its field.
  const current = field(page, 'Mot de passe actuel');
  await current.fill('pas le bon mot de passe');
  const newPassword = `Ardoise verte ${env.runId} du jardin`;
  await field(page, 'Nouveau mot de passe').fill(newPassword);
  await field(page, 'Confirmation du nouveau mot de passe').fill(newPassword);
  await button(page, 'Modifier mon mot de passe').click();
  await page.waitForFunction(() => document.activeElement?.getAttribute('aria-invalid') === 'true');
  const error = await fieldErrorText(current);
  if (!error.includes('Le mot de passe est incorrect.')) throw new Error(`wrong password not reported: « ${error} »`);
  await current.fill(who.password);
  await field(page, 'Nouveau mot de passe').fill(newPassword);
  await field(page, 'Confirmation du nouveau mot de passe').fill(newPassword);
  await button(page, 'Modifier mon mot de passe').click();
  await expectText(page, 'Votre mot de passe a été modifié.');

  // Email change, confirmed from the new address.
  const newEmail = `nouveau-${who.email}`;
  await field(page, 'Nouvelle adresse email').fill(newEmail);
  await page.locator('#compte-email-mdp').fill(newPassword);
  await button(page, 'Modifier mon adresse email').click();
  await expectText(page, `Un lien de confirmation a été envoyé à ${newEmail}`);
  await expectText(page, 'Email en attente de confirmation');
  await expectAccessible(page, 'mon compte après modifications');
  const message = await expectEmail(env.maildevUrl, newEmail, 'Confirmez votre nouvelle adresse');
  await page.goto(linkIn(message, { text: 'Confirmer mon adresse email', pathPrefix: '/confirmer-email' }, env.baseUrl));
  await expectText(page, 'Votre nouvelle adresse email est confirmée.');
  await page.goto(`${env.baseUrl}/mon-compte`);
  await expectHeading(page, 'Mon compte');
  await page.locator('dd', { hasText: newEmail }).first().waitFor();

  // « E-mails envoyés »: what the portal wrote, with its status, never the body.
  const sent = page.getByRole('region', { name: 'Tableau des e-mails envoyés' });
  await sent.getByRole('cell', { name: 'Lien d\'activation du compte', exact: true }).first().waitFor();
  await sent.getByRole('cell', { name: 'Confirmation de la nouvelle adresse e-mail', exact: true }).waitFor();
  if ((await sent.innerText()).includes('Bonjour')) throw new Error('an email body is shown in « E-mails envoyés »');
  await expectAccessible(page, 'mon compte, e-mails envoyés');
});
