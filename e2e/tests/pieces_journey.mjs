// The seed's Étape 2/3 « Pièces justificatives » against the real API: a new family (Mère
// DEMONSTRATION and a child born 01/01/2018) sees both required pieces « Non fournie »,
// uploads a real PDF for each through the file input, sees them « En attente de
// validation » with their dates, is refused a proof of address of 4 months and an HTML page
// named x.pdf (in French, tied to the field or file), downloads a file back, uses the dialog
// at 375 px, then finds both pieces in the recap and submits the dossier. axe on the step,
// the open dialog and the recap.
import { env, identity, run } from '../lib/harness.mjs';
import { button, field, fieldErrorText, link } from '../lib/find.mjs';
import { expectAccessible, expectNoHorizontalScroll, expectPath, expectText } from '../lib/checks.mjs';
import { addMember, createDossier, fillAddress, signedInFamily } from '../lib/dossier.mjs';
import {
  A_FOURNIR, DOMICILE, FOURNIES, LIVRET,
  addMonths, daysBefore, fillPieceDialog, french, minimalPdf, rowOf, sendPiece, tempFile, todayIso, uploadDialog,
} from '../lib/pieces.mjs';

await run('pieces_journey', async ({ page }) => {
  const livret = await tempFile('livret-de-famille.pdf', minimalPdf('Livret de famille DEMONSTRATION'));
  const facture = await tempFile('facture-electricite.pdf', minimalPdf('Facture EDF'));
  const html = await tempFile('x.pdf', '<!DOCTYPE html><html><body><script>alert(1)</script></body></html>\n');
  const today = todayIso();

  const who = identity('pj');
  await signedInFamily(page, env, who);
  await createDossier(page);
  await fillAddress(page, { adresse: '1 place des Halles', codePostal: '28000', commune: 'Chartres' });
  await addMember(page, {
    add: 'Ajouter un responsable', title: 'Ajout du responsable',
    member: { sexe: 'Féminin', nom: 'DEMONSTRATION', prenom: 'Mère', naissance: '1985-03-02', mobile: '06 12 34 56 78' },
  });
  await addMember(page, {
    add: 'Ajouter un enfant', title: "Ajout d'un enfant",
    member: { sexe: 'Féminin', nom: 'DEMONSTRATION', prenom: 'Léa', naissance: '2018-01-01' },
    links: [{ adult: 'Responsable — Mère DEMONSTRATION', relation: 'Mère', autorite: true }],
  });

  // Étape 2/3: both required pieces, nothing provided.
  await button(page, 'Suivant').click();
  await page.getByRole('heading', { name: 'Pièces justificatives', exact: true }).waitFor();
  await expectText(page, 'Étape 2/3');
  await rowOf(page, A_FOURNIR, LIVRET, 'Dossier', 'Non fournie').waitFor();
  await rowOf(page, A_FOURNIR, DOMICILE, 'Dossier', 'Non fournie').waitFor();
  await expectText(page, 'Pas de contenus trouvés');
  await expectAccessible(page, 'étape 2/3 sans pièce');

  // Livret de famille, from its row: the dialog states the limits before any file.
  await rowOf(page, A_FOURNIR, LIVRET).getByRole('button', { name: /^Ajouter/ }).click();
  const dialog = uploadDialog(page);
  await dialog.waitFor();
  await expectText(page, 'Attacher un ou plusieurs fichiers ci-dessous');
  await expectText(page, 'Format accepté : PDF. 10 Mio maximum par fichier, 5 fichiers au plus.');
  await page.waitForFunction(() => document.activeElement?.id === 'piece-type')
    .catch(() => { throw new Error('the focus should move to TYPE DE PIÈCE'); });
  await expectText(page, french(today));
  await expectAccessible(page, 'dialogue « Ajouter un justificatif »');
  const emisLivret = daysBefore(today, 30);
  await fillPieceDialog(page, { emisLe: emisLivret, files: [livret] });
  await dialog.getByRole('listitem').filter({ hasText: 'livret-de-famille.pdf' }).waitFor();
  await sendPiece(page, LIVRET);
  await rowOf(page, FOURNIES, LIVRET, 'En attente de validation', french(today), french(emisLivret), 'Sans limite').waitFor();
  await rowOf(page, A_FOURNIR, LIVRET, 'En attente de validation').waitFor();

  // The file comes back as it was sent (fetched with the access token, not a plain link).
  const downloading = page.waitForEvent('download');
  await rowOf(page, FOURNIES, LIVRET).getByRole('button', { name: /Télécharger livret-de-famille\.pdf/ }).click();
  const download = await downloading;
  if (download.suggestedFilename() !== 'livret-de-famille.pdf') throw new Error(`downloaded « ${download.suggestedFilename()} »`);
  const { readFile } = await import('node:fs/promises');
  const back = await readFile(await download.path());
  if (!back.equals(minimalPdf('Livret de famille DEMONSTRATION'))) throw new Error('the downloaded file differs from the one sent');

  // The proof of address, at 375 px: the dialog must fit and work.
  await page.setViewportSize({ width: 375, height: 740 });
  await expectNoHorizontalScroll(page, 375);
  await button(page, 'Ajouter un justificatif').click();
  await dialog.waitFor();
  await expectNoHorizontalScroll(page, 375);
  const box = await dialog.boundingBox();
  if (!box || box.x < 0 || box.x + box.width > 375) throw new Error(`the dialog does not fit 375 px: ${JSON.stringify(box)}`);
  await fillPieceDialog(page, { type: DOMICILE, emisLe: addMonths(today, -4), files: [facture] });
  const cible = await field(dialog, 'Lié à').evaluate((s) => s.options[s.selectedIndex].text);
  if (cible !== 'Dossier') throw new Error(`LIÉ À should be « Dossier », got « ${cible} »`);
  await expectText(page, 'Ce justificatif doit dater de moins de 3 mois');

  // Issued 4 months ago: refused, in French, under DATE D'ÉMISSION.
  await button(dialog, 'Envoyer').click();
  await page.waitForFunction(() => document.activeElement?.id === 'piece-emission')
    .catch(() => { throw new Error("the focus should move to the refused DATE D'ÉMISSION"); });
  const tooOld = await fieldErrorText(field(dialog, "Date d'émission"));
  if (!tooOld.includes('Le justificatif doit dater de moins de 3 mois.')) throw new Error(`old proof of address: « ${tooOld} »`);
  await expectAccessible(page, 'dialogue avec une date refusée (375 px)');

  // An HTML page named x.pdf: the server refuses it, the message is tied to that file.
  const emisDomicile = daysBefore(today, 10);
  await field(dialog, "Date d'émission").fill(emisDomicile);
  await dialog.getByRole('button', { name: 'Retirer facture-electricite.pdf' }).click();
  await fillPieceDialog(page, { files: [html] });
  await button(dialog, 'Envoyer').click();
  await dialog.getByText("Ce fichier n'est pas un PDF valide.").waitFor({ timeout: 20_000 });
  const refused = await fieldErrorText(dialog.getByRole('button', { name: 'Retirer x.pdf' }));
  if (!refused.includes("Ce fichier n'est pas un PDF valide.")) throw new Error(`the refusal is not tied to x.pdf: « ${refused} »`);
  await page.waitForFunction(() => document.activeElement?.textContent?.trim() === 'Retirer x.pdf')
    .catch(() => { throw new Error('the focus should move to the refused file'); });
  await expectAccessible(page, 'dialogue avec un fichier refusé par le serveur (375 px)');

  // The real proof of address: stored, valid 3 months from its date of issue.
  await dialog.getByRole('button', { name: 'Retirer x.pdf' }).click();
  await fillPieceDialog(page, { files: [facture] });
  await sendPiece(page, DOMICILE);
  await expectNoHorizontalScroll(page, 375);
  await page.setViewportSize({ width: 1280, height: 900 });
  await rowOf(page, FOURNIES, DOMICILE, 'En attente de validation', french(today), french(emisDomicile),
    french(addMonths(emisDomicile, 3))).waitFor();
  await rowOf(page, A_FOURNIR, DOMICILE, 'En attente de validation').waitFor();
  await expectAccessible(page, 'étape 2/3 avec les deux pièces');

  // Escape closes the dialog; the focus returns to the button that opened it.
  await button(page, 'Ajouter un justificatif').focus();
  await page.keyboard.press('Enter');
  await dialog.waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  await page.waitForFunction(() => document.activeElement?.textContent?.trim() === 'Ajouter un justificatif')
    .catch(() => { throw new Error('the focus should return to « Ajouter un justificatif »'); });

  // Étape 3/3: both pieces listed, then « Valider mon dossier ».
  await button(page, 'Suivant').click();
  await page.getByRole('heading', { name: 'Récapitulatif', exact: true }).waitFor();
  const list = 'Liste des pièces justificatives';
  await rowOf(page, list, LIVRET, 'Dossier', 'En attente de validation').waitFor();
  await rowOf(page, list, DOMICILE, 'Dossier', 'En attente de validation').waitFor();
  await expectAccessible(page, 'étape 3/3 récapitulatif');
  await button(page, 'Valider mon dossier').click();
  await page.waitForURL((url) => url.pathname.startsWith('/demarches/demande/'));
  await expectText(page, 'Votre dossier a bien été transmis à la mairie.');
  await link(page, 'Retour à mes démarches').click();
  await expectPath(page, '/demarches');
  await page.locator('.badge', { hasText: 'En attente de validation' }).waitFor();
  await expectAccessible(page, 'mes démarches (demande transmise)');
});
