// Étape 2/3 « Pièces justificatives » against the stand-in API (mock-api.mjs): both tables,
// the upload dialog (limits stated first, client-side refusals, the server's 415 and 422
// refusals tied to the file, progress), replace, download, delete with confirmation,
// keyboard and focus, axe, 375 px, then the recap's list and the submission.
// Usage: node e2e/dev/pieces_mock.mjs   (after `trunk build --release`)
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ARTIFACTS, run } from '../lib/harness.mjs';
import { acceptTerms, logIn } from '../lib/actions.mjs';
import { addMember, createDossier, fillAddress } from '../lib/dossier.mjs';
import { button, field, fieldErrorText } from '../lib/find.mjs';
import { expectAccessible, expectNoHorizontalScroll, expectPath, expectText } from '../lib/checks.mjs';
import {
  A_FOURNIR, DOMICILE, FOURNIES, LIVRET,
  addMonths, daysBefore, fillPieceDialog, french, minimalPdf, rowOf, sendPiece, tempFile, todayIso, uploadDialog,
} from '../lib/pieces.mjs';

const port = 8000 + Math.floor(Math.random() * 900) + 90;
const base = `http://127.0.0.1:${port}`;
const server = spawn(process.execPath, [path.join(path.dirname(fileURLToPath(import.meta.url)), 'mock-api.mjs'), String(port)], { stdio: 'ignore' });
await new Promise((resolve) => setTimeout(resolve, 700));

/** A screenshot in e2e/artifacts when SCREENSHOTS is set (to look at the layout). */
const shot = async (page, name) => {
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${ARTIFACTS}/pieces-${name}.png`, fullPage: true });
};
const focusedText = (page) => page.evaluate(() => document.activeElement?.textContent?.trim());

try {
  await run('pieces_mock', async ({ page }) => {
    const pdf = await tempFile('livret.pdf', minimalPdf('Livret de famille'));
    const facture = await tempFile('facture.pdf', minimalPdf('Facture'));
    const html = await tempFile('x.pdf', '<!doctype html><html><body>pas un PDF</body></html>');
    const active = await tempFile('actif.pdf', Buffer.concat([minimalPdf('Actif'), Buffer.from('\n1 0 obj << /OpenAction 2 0 R >> endobj\n')]));
    const big = await tempFile('gros.pdf', Buffer.alloc(10 * 1024 * 1024 + 1, 0x20));
    // A valid PDF of 1.5 MiB (a comment pads it), to see the progress of a slow upload.
    const heavy = await tempFile('facture-lourde.pdf', Buffer.concat([minimalPdf('Facture'), Buffer.from(`%${'x'.repeat(1.5 * 1024 * 1024)}\n`)]));

    await page.goto(`${base}/connexion`);
    await logIn(page, 'demo', 'mot de passe valable');
    await acceptTerms(page);
    await expectPath(page, '/demarches');
    await createDossier(page);
    await fillAddress(page, { adresse: '1 place des Halles', codePostal: '28000', commune: 'Chartres' });
    await addMember(page, {
      add: 'Ajouter un responsable', title: 'Ajout du responsable',
      member: { sexe: 'Féminin', nom: 'DEMONSTRATION', prenom: 'Mère', naissance: '1985-03-02', mobile: '0612345678' },
    });
    await addMember(page, {
      add: 'Ajouter un enfant', title: "Ajout d'un enfant",
      member: { sexe: 'Féminin', nom: 'DEMONSTRATION', prenom: 'Léa', naissance: '2018-01-01' },
      links: [{ adult: 'Responsable — Mère DEMONSTRATION', relation: 'Mère', autorite: true }],
    });
    await button(page, 'Suivant').click();
    await page.getByRole('heading', { name: 'Pièces justificatives', exact: true }).waitFor();

    // Submitting without the pieces: the recap names them and links back to Étape 2/3.
    await button(page, 'Suivant').click();
    await rowOf(page, 'Liste des pièces justificatives', LIVRET, 'Non fournie').waitFor();
    await button(page, 'Valider mon dossier').click();
    await expectText(page, `Pièce manquante : ${LIVRET}`);
    await expectText(page, `Pièce manquante : ${DOMICILE}`);
    await expectAccessible(page, 'récapitulatif sans pièces');
    await page.getByRole('link', { name: 'Corriger les pièces justificatives' }).click();
    await page.getByRole('heading', { name: 'Pièces justificatives', exact: true }).waitFor();

    // Both required pieces, « Non fournie », and nothing provided yet.
    await rowOf(page, A_FOURNIR, LIVRET, 'Non fournie').waitFor();
    await rowOf(page, A_FOURNIR, DOMICILE, 'Non fournie').waitFor();
    await expectText(page, 'Pas de contenus trouvés');
    await expectAccessible(page, 'étape 2/3 sans pièce');

    // The row's « Ajouter » opens the dialog pre-filled; focus on its first field.
    await rowOf(page, A_FOURNIR, LIVRET).getByRole('button', { name: /^Ajouter/ }).click();
    const dialog = uploadDialog(page);
    await dialog.waitFor();
    await expectText(page, 'Attacher un ou plusieurs fichiers ci-dessous');
    await expectText(page, 'Format accepté : PDF. 10 Mio maximum par fichier, 5 fichiers au plus.');
    const chosenType = await field(dialog, 'Type de pièce').evaluate((s) => s.options[s.selectedIndex].text);
    if (chosenType !== LIVRET) throw new Error(`the type should be pre-filled, got « ${chosenType} »`);
    await page.waitForFunction(() => document.activeElement?.id === 'piece-type')
      .catch(() => { throw new Error('the focus should be on TYPE DE PIÈCE'); });
    await expectText(page, todayIso().split('-').reverse().join('/'));
    await expectAccessible(page, 'dialogue ouvert');

    // Nothing chosen: the refusals are tied to their fields.
    await button(dialog, 'Envoyer').click();
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-invalid') === 'true');
    const dateError = await fieldErrorText(field(dialog, "Date d'émission"));
    if (!dateError.includes('Ce champ est obligatoire')) throw new Error(`date not refused: « ${dateError} »`);
    await expectAccessible(page, 'dialogue avec erreurs');

    // Too big and a sixth file are refused before sending, saying the limit.
    await dialog.getByLabel('Télécharger un fichier').setInputFiles(big);
    await expectText(page, '« gros.pdf » dépasse la taille maximale de 10 Mio par fichier');
    await dialog.getByLabel('Télécharger un fichier').setInputFiles([pdf, pdf, pdf, pdf, pdf, pdf]);
    await expectText(page, '5 fichiers au plus par pièce justificative');
    if ((await dialog.locator('.chosen-files li').count()) !== 5) throw new Error('five files should be listed');
    for (let i = 0; i < 4; i += 1) await dialog.getByRole('button', { name: 'Retirer livret.pdf' }).first().click();
    await page.waitForFunction(() => document.activeElement?.id === 'piece-fichiers');

    // An HTML page named .pdf: the server's refusal, tied to the file.
    await dialog.getByRole('button', { name: 'Retirer livret.pdf' }).click();
    await fillPieceDialog(page, { emisLe: daysBefore(todayIso(), 30), files: [html] });
    await button(dialog, 'Envoyer').click();
    await dialog.getByText("Ce fichier n'est pas un PDF valide.").waitFor();
    const removeHtml = dialog.getByRole('button', { name: 'Retirer x.pdf' });
    const describedBy = await fieldErrorText(removeHtml);
    if (!describedBy.includes("n'est pas un PDF valide")) throw new Error(`file error not tied: « ${describedBy} »`);
    if ((await focusedText(page)) !== 'Retirer x.pdf') throw new Error('the focus should go to the refused file');
    await expectAccessible(page, 'dialogue fichier refusé');
    await removeHtml.click();

    // A PDF with active content.
    await fillPieceDialog(page, { files: [active] });
    await button(dialog, 'Envoyer').click();
    await dialog.getByText('Ce PDF contient du contenu actif').waitFor();
    await dialog.getByRole('button', { name: 'Retirer actif.pdf' }).click();

    // A real PDF: stored, announced, in « fournies » with today's date.
    await fillPieceDialog(page, { files: [pdf] });
    await sendPiece(page, LIVRET);
    const emisLivret = daysBefore(todayIso(), 30);
    await rowOf(page, FOURNIES, LIVRET, 'En attente de validation', french(todayIso()), french(emisLivret), 'Sans limite').waitFor();
    await rowOf(page, A_FOURNIR, LIVRET, 'En attente de validation').waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'pieces-fournies-titre');

    // Proof of address: four months old is refused in the browser, with the rule.
    await button(page, 'Ajouter un justificatif').click();
    await fillPieceDialog(page, { type: DOMICILE, emisLe: addMonths(todayIso(), -4), files: [facture] });
    const cible = await field(dialog, 'Lié à').evaluate((s) => s.options[s.selectedIndex].text);
    if (cible !== 'Dossier') throw new Error(`LIÉ À should be « Dossier », got « ${cible} »`);
    await expectText(page, 'Ce justificatif doit dater de moins de 3 mois');
    await button(dialog, 'Envoyer').click();
    const oldError = await fieldErrorText(field(dialog, "Date d'émission"));
    if (!oldError.includes('Le justificatif doit dater de moins de 3 mois.')) throw new Error(`old proof not refused: « ${oldError} »`);
    const emisDomicile = daysBefore(todayIso(), 10);
    await field(dialog, "Date d'émission").fill(emisDomicile);

    // Offline: the upload fails, the dialog says so and keeps everything for a retry.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await button(dialog, 'Envoyer').click();
    await dialog.getByText("L'envoi a été interrompu.").first().waitFor();
    // Slow again (256 kB/s up): the progress bar shows and the progress is announced.
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 256 * 1024 });
    await dialog.getByRole('button', { name: 'Retirer facture.pdf' }).click();
    await fillPieceDialog(page, { files: [heavy] });
    await button(dialog, 'Envoyer').click();
    await dialog.locator('progress').waitFor();
    await dialog.getByRole('status').filter({ hasText: /Envoi en cours : \d+ %/ }).waitFor();
    if ((await button(dialog, 'Envoi en cours…').getAttribute('aria-disabled')) !== 'true') throw new Error('« Envoyer » should be disabled while sending');
    await uploadDialog(page).waitFor({ state: 'hidden', timeout: 30_000 });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await rowOf(page, FOURNIES, DOMICILE, french(emisDomicile), french(addMonths(emisDomicile, 3)), 'facture-lourde.pdf').waitFor();
    if ((await rowOf(page, FOURNIES, DOMICILE).count()) !== 1) throw new Error('the proof of address should be stored once');

    // Escape closes the dialog and gives the focus back to the button that opened it.
    await button(page, 'Ajouter un justificatif').focus();
    await page.keyboard.press('Enter');
    await uploadDialog(page).waitFor();
    await page.keyboard.press('Escape');
    await uploadDialog(page).waitFor({ state: 'hidden' });
    if ((await focusedText(page)) !== 'Ajouter un justificatif') throw new Error('the focus should return to « Ajouter un justificatif »');

    // Download: the file comes with the access token, saved under its name.
    const downloading = page.waitForEvent('download');
    await rowOf(page, FOURNIES, LIVRET).getByRole('button', { name: /Télécharger livret\.pdf/ }).click();
    const download = await downloading;
    if (download.suggestedFilename() !== 'livret.pdf') throw new Error(`downloaded « ${download.suggestedFilename()} »`);

    // Replace: the same dialog, PUT.
    await rowOf(page, FOURNIES, DOMICILE).getByRole('button', { name: /^Remplacer/ }).click();
    await uploadDialog(page, 'Remplacer un justificatif').waitFor();
    await fillPieceDialog(page, { emisLe: daysBefore(todayIso(), 2), files: [facture] }, 'Remplacer un justificatif');
    await button(uploadDialog(page, 'Remplacer un justificatif'), 'Envoyer').click();
    await rowOf(page, FOURNIES, DOMICILE, french(daysBefore(todayIso(), 2))).waitFor();

    // Delete an optional piece after a confirmation.
    await button(page, 'Ajouter un justificatif').click();
    await fillPieceDialog(page, { type: 'Carnet de vaccinations', target: 'Léa DEMONSTRATION', emisLe: daysBefore(todayIso(), 100), files: [pdf] });
    await sendPiece(page, 'Carnet de vaccinations');
    await rowOf(page, FOURNIES, 'Carnet de vaccinations', 'Léa DEMONSTRATION').getByRole('button', { name: /^Supprimer/ }).click();
    await page.getByRole('dialog', { name: 'Supprimer ce justificatif ?' }).waitFor();
    await expectAccessible(page, 'confirmation de suppression');
    await page.getByRole('dialog', { name: 'Supprimer ce justificatif ?' }).getByRole('button', { name: 'Supprimer', exact: true }).click();
    await rowOf(page, FOURNIES, 'Carnet de vaccinations').waitFor({ state: 'detached' });
    await expectText(page, 'supprimé');
    await expectAccessible(page, 'étape 2/3 avec pièces');
    await shot(page, 'etape2');

    // 375 px: the tables stack, the dialog fits.
    await page.setViewportSize({ width: 375, height: 740 });
    await expectNoHorizontalScroll(page, 375);
    await shot(page, 'etape2-mobile');
    await button(page, 'Ajouter un justificatif').click();
    await uploadDialog(page).waitFor();
    await fillPieceDialog(page, { files: [pdf, facture] });
    if (process.env.SCREENSHOTS) await page.screenshot({ path: `${ARTIFACTS}/pieces-dialogue-mobile.png` });
    await expectNoHorizontalScroll(page, 375);
    const box = await uploadDialog(page).boundingBox();
    if (!box || box.width > 375) throw new Error(`the dialog is ${box?.width} px wide at 375 px`);
    await expectAccessible(page, 'dialogue à 375 px');
    await button(uploadDialog(page), 'Annuler').click();
    await page.setViewportSize({ width: 1280, height: 900 });

    // The recap lists both pieces; the submission goes through.
    await button(page, 'Suivant').click();
    await page.getByRole('heading', { name: 'Récapitulatif', exact: true }).waitFor();
    await rowOf(page, 'Liste des pièces justificatives', LIVRET, 'En attente de validation').waitFor();
    await rowOf(page, 'Liste des pièces justificatives', DOMICILE, 'En attente de validation').waitFor();
    await expectAccessible(page, 'récapitulatif avec pièces');
    await button(page, 'Valider mon dossier').click();
    await page.waitForURL((url) => url.pathname.startsWith('/demarches/demande/'));
    await page.locator('.badge', { hasText: 'En attente de validation' }).first().waitFor();
  });
} finally {
  server.kill();
}
