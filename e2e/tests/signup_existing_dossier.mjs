// Sign-up linked to the demo dossier 17484 (CREATION / Père), typed in another case and
// without accents; a wrong triple first gets the generic French error without navigating.
import { env, identity, run } from '../lib/harness.mjs';
import { fillDossier, signUp, validateSignUp } from '../lib/actions.mjs';
import { button } from '../lib/find.mjs';
import { expectAccessible, expectPath, expectText } from '../lib/checks.mjs';

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
});
