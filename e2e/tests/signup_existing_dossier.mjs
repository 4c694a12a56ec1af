// Sign-up linked to the demo dossier 17484 (CREATION / Père), typed in another case and
// without accents; a wrong triple first gets the generic French error without navigating.
// Once active, « Mes démarches » says which dossier the account is linked to.
import { env, identity, run } from '../lib/harness.mjs';
import {
  acceptTerms, activateFromEmail, fillDossier, logIn, signUp, validateSignUp,
} from '../lib/actions.mjs';
import { button, link } from '../lib/find.mjs';
import {
  expectAccessible, expectHeading, expectPath, expectText,
} from '../lib/checks.mjs';

await run('signup_existing_dossier', async ({ page }) => {
  const who = identity('ed');
  await signUp(page, env.baseUrl, who, {
    dossier: { numero: '17484', nom: 'inconnu', prenom: 'personne' },
    submit: false,
  });
  await button(page, 'Valider').click();
  await expectText(page, 'Aucun dossier ne correspond à ces informations');
  await expectPath(page, '/creer-mon-compte');
  await expectText(page, 'Étape 2/3 : Mes références dossier');
  await expectAccessible(page, 'création de compte, dossier introuvable');

  await fillDossier(page, { numero: '17484', nom: 'creation', prenom: 'pere' });
  await button(page, 'Suivant').click();
  await expectText(page, 'Étape 3/3 : Récapitulatif');
  await page.getByRole('cell', { name: '17484', exact: true }).waitFor();
  await page.getByRole('cell', { name: 'Famille', exact: true }).waitFor();
  await validateSignUp(page);

  // « Mes démarches » of a linked account: no « Créer mon dossier en ligne ».
  await activateFromEmail(page, env, who.email);
  await logIn(page, who.username, who.password);
  await acceptTerms(page);
  await expectPath(page, '/demarches');
  await expectText(page, 'Votre compte est rattaché au dossier famille n° 17484.');
  if (await button(page, 'Créer mon dossier en ligne').count()) {
    throw new Error('a linked account must not be offered to create a dossier');
  }
  await expectAccessible(page, 'mes démarches (compte rattaché)');
  if (await link(page, 'Consulter ma demande').count()) {
    await link(page, 'Consulter ma demande').click();
    await expectHeading(page, 'Consulter ma demande');
    await expectText(page, 'CREATION');
    await expectAccessible(page, 'consulter la demande du dossier rattaché');
  }
});
