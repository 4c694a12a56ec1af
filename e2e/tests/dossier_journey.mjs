// The seed's « Cas de la saisie du dossier »: Mes démarches → Créer mon dossier en ligne →
// Étape 1/3 (address, responsable, conjoint, a child born and one to be born with their
// links, a contact) → leave and come back (« Reprendre mon dossier ») → Étape 2/3 (the two
// required pieces) → Étape 3/3 with a problem first (a child without a parent holding
// authority), corrected through its « Corriger » link → OBSERVATION → « Valider mon
// dossier » → « Consulter ma demande » in « En attente de validation ». axe on every step
// and dialog.
import { env, identity, run } from '../lib/harness.mjs';
import { button, field, fieldErrorText, link } from '../lib/find.mjs';
import {
  expectAccessible, expectHeading, expectNoHorizontalScroll, expectPath, expectText,
} from '../lib/checks.mjs';
import { ARTIFACTS } from '../lib/harness.mjs';

/** A screenshot in e2e/artifacts when SCREENSHOTS is set (to look at the layout). */
const shot = async (page, name) => {
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${ARTIFACTS}/dossier-${name}.png`, fullPage: true });
};
import {
  addMember, createDossier, expectSaved, fillAddress, fillMember, isoInDays, setLink, signedInFamily,
  withoutScrolling,
} from '../lib/dossier.mjs';
import { provideRequiredPieces } from '../lib/pieces.mjs';

await run('dossier_journey', async ({ page }) => {
  const who = identity('dj');
  await signedInFamily(page, env, who);
  await expectText(page, 'Ma demande de création de dossier famille');
  await expectAccessible(page, 'mes démarches (sans dossier)');

  const wizardUrl = await createDossier(page);
  await expectText(page, 'Étape 1/3');
  await expectText(page, "Les champs marqués d'un * sont obligatoires");
  await expectAccessible(page, 'étape 1/3 famille');

  // A postal code of 4 digits is refused under its field.
  await field(page, 'Code postal').fill('2800');
  await field(page, 'Code postal').press('Tab');
  const postal = await fieldErrorText(field(page, 'Code postal'));
  if (!postal.includes('code postal de 5 chiffres')) throw new Error(`postal code not refused: « ${postal} »`);
  await fillAddress(page, { adresse: '1 place des Halles', codePostal: '28000', commune: 'Chartres' });

  await addMember(page, {
    add: 'Ajouter un responsable', title: 'Ajout du responsable', audit: true,
    member: { sexe: 'Féminin', nom: 'DEMONSTRATION', prenom: 'Mère', naissance: '1985-03-02', mobile: '06 12 34 56 78' },
  });
  await expectText(page, 'Mère DEMONSTRATION');
  await expectText(page, 'Né·e le 02/03/1985');
  if (await button(page, 'Ajouter un responsable').count()) throw new Error('« + Responsable » should go once there is one');

  await addMember(page, {
    add: 'Ajouter un conjoint', title: 'Ajout du conjoint', keyboard: true,
    member: { sexe: 'Masculin', nom: 'DEMONSTRATION', prenom: 'Père', naissance: '1984-05-06' },
  });
  await addMember(page, {
    add: 'Ajouter un enfant', title: "Ajout d'un enfant", audit: true,
    member: { sexe: 'Féminin', nom: 'DEMONSTRATION', prenom: 'Léa', naissance: '2018-01-01' },
    links: [{ adult: 'Responsable — Mère DEMONSTRATION', relation: 'Mère', autorite: true, urgence: true, recuperer: true }],
  });
  // The unborn child is saved without links for now: the recap will point at it.
  await addMember(page, {
    add: 'Ajouter un enfant', title: "Ajout d'un enfant",
    member: { unborn: true, nom: 'DEMONSTRATION', prevue: isoInDays(90) },
  });
  await expectText(page, 'Enfant à naître DEMONSTRATION');

  // A contact: a malformed phone number is refused before anything is sent.
  await button(page, 'Ajouter un contact').click();
  await fillMember(page, { nom: 'VOISIN', prenom: 'Paul', mobile: '12' });
  await button(page, 'Enregistrer').click();
  await page.waitForFunction(() => document.activeElement?.getAttribute('aria-invalid') === 'true');
  const phone = await fieldErrorText(field(page.locator('.member-editor'), 'Téléphone mobile'));
  if (!phone.includes('numéro de téléphone')) throw new Error(`phone not refused: « ${phone} »`);
  await expectAccessible(page, 'contact avec erreur');
  await field(page.locator('.member-editor'), 'Téléphone mobile').fill('06 11 22 33 44');
  await button(page, 'Enregistrer').click();
  await page.locator('.member-editor').waitFor({ state: 'detached' });
  await expectSaved(page);

  // A member added by mistake, removed after a confirmation dialog.
  await addMember(page, {
    add: 'Ajouter un contact', title: "Ajout d'un contact",
    member: { nom: 'ERREUR', prenom: 'Temporaire', mobile: '0600000000' },
  });
  await button(page, 'Supprimer Temporaire ERREUR').click();
  await page.getByRole('dialog', { name: 'Supprimer ce membre ?' }).waitFor();
  await expectAccessible(page, 'dialogue de suppression');
  // Escape closes the dialog without deleting; the second time is confirmed.
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'hidden' });
  await expectText(page, 'Temporaire ERREUR');
  await button(page, 'Supprimer Temporaire ERREUR').click();
  await page.getByRole('dialog').getByRole('button', { name: 'Supprimer', exact: true }).click();
  await page.locator('.member-card', { hasText: 'Temporaire ERREUR' }).waitFor({ state: 'detached' });
  await expectAccessible(page, 'étape 1/3 avec le foyer');

  // The rest of the journey on a 375 px wide phone.
  await page.setViewportSize({ width: 375, height: 740 });
  await expectNoHorizontalScroll(page, 375);
  await shot(page, 'etape1-mobile');
  await button(page, 'Modifier Léa DEMONSTRATION').click();
  await page.getByRole('heading', { name: /^Modification/ }).waitFor();
  await expectNoHorizontalScroll(page, 375);
  await shot(page, 'enfant-mobile');
  await button(page, 'Annuler').click();

  // Leave, come back: the draft is kept on the server.
  await link(page, 'Démarches').click();
  await expectPath(page, '/demarches');
  await expectText(page, 'Brouillon');
  await link(page, 'Reprendre mon dossier').click();
  await expectText(page, 'Composez votre foyer');
  await expectText(page, 'Léa DEMONSTRATION');
  await expectText(page, 'Paul VOISIN');
  const kept = await field(page, 'Adresse').inputValue();
  if (kept !== '1 place des Halles') throw new Error(`address not kept: « ${kept} »`);

  // One field corrected, then « Suivant » at once: the press leaves the field, which saves
  // the address; the same click must still go to the next step.
  let restore = await withoutScrolling(page);
  await field(page, 'Adresse').fill('2 place des Halles');
  await button(page, 'Suivant').click();
  await page.getByRole('heading', { name: 'Pièces justificatives', exact: true }).waitFor();
  await restore();
  await page.waitForFunction(() => document.activeElement?.textContent === 'Pièces justificatives')
    .catch(() => { throw new Error('the new step\'s heading should take the focus'); });
  const title = await page.title();
  if (!title.startsWith('Étape 2/3 Pièces justificatives')) throw new Error(`document.title « ${title} »`);
  await expectAccessible(page, 'étape 2/3 pièces justificatives');
  // The pieces themselves are pieces_journey.mjs's subject: here they are only provided.
  await provideRequiredPieces(page);
  await button(page, 'Suivant').click();
  await page.getByRole('heading', { name: 'Récapitulatif', exact: true }).waitFor();
  await expectText(page, 'Vous trouverez ci-dessous le récapitulatif de votre dossier.');
  await expectText(page, 'Non renseigné');
  await expectText(page, '01/01/2018');
  await expectAccessible(page, 'étape 3/3 récapitulatif');
  await expectNoHorizontalScroll(page, 375);

  // First try: the unborn child has no parent with authority.
  await button(page, 'Valider mon dossier').click();
  await expectText(page, 'Votre dossier ne peut pas encore être validé');
  await expectText(page, "un responsable ayant l'autorité parentale sur cet enfant");
  await page.waitForFunction(() => document.activeElement?.classList.contains('submit-summary'));
  await expectAccessible(page, 'récapitulatif avec erreurs');
  await shot(page, 'recap-erreurs-mobile');
  await link(page, 'Corriger Enfant à naître DEMONSTRATION').click();
  await page.getByRole('heading', { name: 'Liens de parenté' }).waitFor();
  await setLink(page, 'Responsable — Mère DEMONSTRATION', { relation: 'Mère', autorite: true });
  await button(page, 'Enregistrer').click();
  await page.locator('.member-editor').waitFor({ state: 'detached' });
  await expectSaved(page);

  await button(page, 'Suivant').click();
  await button(page, 'Suivant').click();
  await page.getByRole('heading', { name: 'Récapitulatif', exact: true }).waitFor();
  // Back later to finish (the page loaded afresh, nothing saved yet in this visit), typed,
  // then « Valider mon dossier » at once: the press leaves the field, which saves the
  // observation; the same click must submit (issue 11: it used to be lost).
  await page.reload();
  await page.getByRole('heading', { name: 'Récapitulatif', exact: true }).waitFor();
  await expectText(page, 'Vous trouverez ci-dessous le récapitulatif de votre dossier.');
  restore = await withoutScrolling(page);
  await field(page, 'Observation').fill('Notre fille est allergique aux arachides.');
  await button(page, 'Valider mon dossier').click();
  await page.waitForURL((url) => url.pathname.startsWith('/demarches/demande/'));
  await expectHeading(page, 'Consulter ma demande');
  await restore();
  await expectText(page, 'Votre dossier a bien été transmis à la mairie.');
  await page.locator('.badge', { hasText: 'En attente de validation' }).first().waitFor();
  await page.getByRole('cell', { name: 'Votre famille' }).first().waitFor();
  await expectText(page, 'Notre fille est allergique aux arachides.');
  await expectText(page, 'Léa DEMONSTRATION');
  await expectAccessible(page, 'consulter ma demande');
  await expectNoHorizontalScroll(page, 375);
  await shot(page, 'demande-mobile');

  // The submitted dossier is frozen: its wizard says so instead of offering forms.
  await page.goto(wizardUrl);
  await expectText(page, "Ce dossier a été transmis à la mairie : il ne peut plus être modifié pour l'instant.");
  if (await button(page, 'Ajouter un enfant').count()) throw new Error('a submitted dossier must not be editable');
  await link(page, 'Consulter ma demande').click();
  await expectHeading(page, 'Consulter ma demande');
  await link(page, 'Retour à mes démarches').click();
  await expectPath(page, '/demarches');
  await page.locator('.badge', { hasText: 'En attente de validation' }).waitFor();
  await link(page, 'Consulter ma demande').waitFor();
  if (await link(page, 'Reprendre mon dossier').count()) throw new Error('a submitted dossier cannot be resumed');
  await expectAccessible(page, 'mes démarches (demande transmise)');
});
