// « Mot de passe oublié ? »: request, email link, new password, login with it.
import { env, identity, run } from '../lib/harness.mjs';
import { createActiveAccount, logIn, openHome } from '../lib/actions.mjs';
import { button, field, link, linkIn } from '../lib/find.mjs';
import {
  expectAccessible, expectEmail, expectHeading, expectPath, expectText,
} from '../lib/checks.mjs';

await run('password_reset', async ({ page }) => {
  const who = identity('pr');
  await createActiveAccount(page, env, who);

  await openHome(page, env.baseUrl);
  await link(page, 'Mot de passe oublié ?').click();
  await expectHeading(page, 'Mot de passe oublié');
  await expectAccessible(page, 'mot de passe oublié');
  await field(page, 'Adresse email').fill(who.email);
  const asked = Date.now();
  await button(page, 'Envoyer le lien').click();
  await expectText(page, 'Si un compte correspond à cette adresse, vous allez recevoir un email');

  const message = await expectEmail(env.maildevUrl, who.email, 'Réinitialisation', { after: asked });
  await page.goto(linkIn(message, { text: 'mot de passe', pathPrefix: '/reinitialiser-mot-de-passe' }, env.baseUrl));
  await expectHeading(page, 'Nouveau mot de passe');
  await expectAccessible(page, 'nouveau mot de passe');
  const newPassword = `Nouvelle lune ${env.runId} sur le canal`;
  await field(page, 'Nouveau mot de passe').fill(newPassword);
  await field(page, 'Confirmation du mot de passe').fill(newPassword);
  await button(page, 'Enregistrer le mot de passe').click();
  await expectText(page, 'Votre mot de passe a été modifié. Vous pouvez vous connecter.');
  await expectAccessible(page, 'mot de passe modifié');

  await link(page, 'Se connecter').click();
  await expectPath(page, '/connexion');
  await logIn(page, who.username, newPassword);
  await expectPath(page, '/consentement');
});
