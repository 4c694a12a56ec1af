// The back office (« Espace agents », its own bundle under /backoffice/) against the real
// API: a family submits the dossier of the seed with both pieces; an administrator created
// with `portail-famille create-admin` enrols an authenticator at first login, logs in with
// a TOTP code, finds the request in the queue, refuses the livret de famille as
// « Illisible » and asks for a complement; the family reads « À compléter » and the
// reason, replaces the piece and submits again; the agent validates the dossier; the family
// sees « Validée » and the dossier number; a second agent tab that decides too late gets
// the 409 explained and the review reloaded. axe on every staff page and dialog.
import { ARTIFACTS, env, identity, run } from '../lib/harness.mjs';
import { button, field, link } from '../lib/find.mjs';
import { expectAccessible, expectNoHorizontalScroll, expectPath, expectText } from '../lib/checks.mjs';
import { addMember, createDossier, fillAddress, signedInFamily } from '../lib/dossier.mjs';
import {
  A_FOURNIR, FOURNIES, LIVRET, daysBefore, fillPieceDialog, minimalPdf, provideRequiredPieces, rowOf, tempFile,
  todayIso, uploadDialog,
} from '../lib/pieces.mjs';
import { createAdministrator, fillStaffCredentials, totp } from '../lib/staff.mjs';

/** A screenshot in e2e/artifacts when SCREENSHOTS is set (to look at the layout). */
async function shot(page, name) {
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${ARTIFACTS}/backoffice-${name}.png`, fullPage: true });
}

const COMPLEMENT = 'Le livret de famille est illisible : merci de le numériser à nouveau.';

await run('backoffice_review', async ({ page, context }) => {
  // The family: the seed's dossier, both pieces, submitted.
  const who = identity('bo');
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
  await button(page, 'Suivant').click();
  await page.getByRole('heading', { name: 'Pièces justificatives', exact: true }).waitFor();
  await provideRequiredPieces(page);
  await button(page, 'Suivant').click();
  await page.getByRole('heading', { name: 'Récapitulatif', exact: true }).waitFor();
  await button(page, 'Valider mon dossier').click();
  await page.waitForURL((url) => url.pathname.startsWith('/demarches/demande/'));
  // While it waits, the family sees the queue's figures (this server's only request).
  await page.getByRole('heading', { name: 'Délai de traitement' }).waitFor();
  await expectText(page, '1 demande est en attente de validation');

  // The administrator, created from the command line.
  const agent = {
    username: `agent${env.runId}`.toLowerCase().slice(0, 40),
    email: `agent-${env.runId}@mairie.exemple.fr`.toLowerCase(),
    password: `Tilleul argenté ${env.runId} du jardin public`,
  };
  await createAdministrator(agent);

  // The agent, in a browser of their own.
  const staffContext = await context.browser().newContext({
    locale: 'fr-FR', timezoneId: 'Europe/Paris', viewport: { width: 1280, height: 900 },
  });
  const staff = await staffContext.newPage();
  staff.setDefaultTimeout(15_000);
  const staffErrors = [];
  staff.on('pageerror', (error) => staffErrors.push(String(error)));
  try {
    // Families never download the staff code: the family page loads only its own bundle.
    const familyScripts = await page.evaluate(() => [...document.querySelectorAll('script[src], link[href]')]
      .map((e) => e.getAttribute('src') || e.getAttribute('href')));
    if (familyScripts.some((s) => s.includes('backoffice'))) throw new Error(`the family page loads staff code: ${familyScripts}`);

    await staff.goto(`${env.baseUrl}/backoffice/`);
    await staff.getByRole('heading', { name: 'Espace agents', level: 1 }).waitFor();
    await expectAccessible(staff, 'espace agents : connexion');

    // Wrong password first: refused without a word about the second factor.
    await fillStaffCredentials(staff, { username: agent.username, password: 'pas le bon mot de passe du tout' });
    await expectText(staff, "Nom d'utilisateur ou mot de passe incorrect.");

    // First login: the enrolment of an authenticator, on the same page.
    await fillStaffCredentials(staff, agent);
    await staff.getByRole('heading', { name: "Associer une application d'authentification" }).waitFor();
    const secret = (await staff.locator('.totp-secret').innerText()).replace(/\s+/g, '');
    if (!/^[A-Z2-7]{16,}$/.test(secret)) throw new Error(`unexpected secret « ${secret} »`);
    if (!(await staff.locator('.totp-secret').innerText()).match(/^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/)) {
      throw new Error('the secret should be shown in groups of 4');
    }
    const otpauth = await staff.getByRole('link', { name: /lien d'ajout du compte/ }).getAttribute('href');
    if (!otpauth.startsWith('otpauth://totp/')) throw new Error(`otpauth link: ${otpauth}`);
    await staff.getByRole('img', { name: /QR code d'ajout du compte/ }).waitFor();
    await expectAccessible(staff, 'espace agents : enrôlement TOTP');
    await shot(staff, 'enrolement');

    // A wrong code is refused under the field.
    const code = field(staff, "Code de l'application d'authentification");
    await code.fill('12345');
    await button(staff, 'Se connecter').click();
    await expectText(staff, 'Le code compte exactement 6 chiffres.');
    await staff.waitForFunction(() => document.activeElement?.id === 'agent-code')
      .catch(() => { throw new Error('the focus should move to the refused code'); });
    await expectAccessible(staff, 'espace agents : code refusé');

    await code.fill(totp(secret));
    await button(staff, 'Se connecter').click();

    // The queue.
    await staff.getByRole('heading', { name: 'Demandes en attente', level: 1 }).waitFor();
    await expectText(staff, '1 demande en attente');
    await expectText(staff, 'délai médian : 0 h');
    await expectText(staff, agent.username);
    await expectAccessible(staff, 'demandes en attente');
    await field(staff, 'Rechercher (nom ou numéro de dossier)').fill('nobody');
    await button(staff, 'Rechercher').click();
    await expectText(staff, 'Aucune demande ne correspond.');
    await field(staff, 'Rechercher (nom ou numéro de dossier)').fill('DEMONSTRATION');
    await staff.getByLabel('Type de demande').selectOption('creation_dossier');
    await button(staff, 'Rechercher').click();
    await expectText(staff, '1 demande trouvée.');
    await staff.waitForURL((url) => url.searchParams.get('type') === 'creation_dossier');
    await staff.setViewportSize({ width: 375, height: 740 });
    await expectNoHorizontalScroll(staff, 375);
    await shot(staff, 'file-mobile');
    await staff.setViewportSize({ width: 1280, height: 900 });
    await shot(staff, 'file');
    await link(staff, 'Mère DEMONSTRATION').click();

    // The review.
    await staff.getByRole('heading', { name: 'Examen de la demande', level: 1 }).waitFor();
    await expectText(staff, 'Demande de création du dossier famille — Mère DEMONSTRATION');
    await expectText(staff, 'Léa DEMONSTRATION — Enfant');
    await expectText(staff, 'justificatif.pdf');
    await expectAccessible(staff, 'examen de la demande');

    // A file downloads with the agent's token.
    const downloading = staff.waitForEvent('download');
    await staff.getByRole('listitem').filter({ has: staff.getByRole('heading', { name: new RegExp(`^${LIVRET.replace(/[()]/g, '\\$&')}`) }) })
      .getByRole('button', { name: /Télécharger justificatif\.pdf/ }).click();
    const download = await downloading;
    if (download.suggestedFilename() !== 'justificatif.pdf') throw new Error(`downloaded « ${download.suggestedFilename()} »`);

    // The viewer: the PDF shows in the page, under its piece, from an object URL that is
    // revoked when the preview closes. (The page's CSP forbids fetching blob: URLs, so the
    // test watches the object URLs the app creates and revokes.)
    await staff.evaluate(() => {
      const { createObjectURL, revokeObjectURL } = URL;
      window.objectUrls = { created: [], revoked: [] };
      URL.createObjectURL = (blob) => {
        const url = createObjectURL.call(URL, blob);
        window.objectUrls.created.push({ url, type: blob.type });
        return url;
      };
      URL.revokeObjectURL = (url) => { window.objectUrls.revoked.push(url); revokeObjectURL.call(URL, url); };
    });
    const livretItem = staff.getByRole('listitem').filter({ has: staff.getByRole('heading', { name: new RegExp(`^${LIVRET.replace(/[()]/g, '\\$&')}`) }) });
    await livretItem.getByRole('button', { name: 'Afficher « justificatif.pdf »' }).click();
    const frame = livretItem.locator('iframe[title="Aperçu de « justificatif.pdf »"]');
    await frame.waitFor();
    const source = await frame.getAttribute('src');
    const created = await staff.evaluate(() => window.objectUrls.created);
    const shown = created.find((c) => c.url === source);
    if (!shown || shown.type !== 'application/pdf') {
      throw new Error(`the viewer shows the PDF from an object URL: ${source} ${JSON.stringify(created)}`);
    }
    await staff.waitForFunction(() => document.activeElement?.textContent === 'Aperçu de « justificatif.pdf »')
      .catch(() => { throw new Error('the preview heading takes the focus'); });
    await expectAccessible(staff, 'examen avec l\'aperçu d\'un fichier');
    await button(livretItem, "Fermer l'aperçu").click();
    await frame.waitFor({ state: 'detached' });
    if (!(await staff.evaluate((url) => window.objectUrls.revoked.includes(url), source))) {
      throw new Error('closing the preview frees the file (the object URL is revoked)');
    }

    // Refuse the livret: « Illisible ».
    await button(staff, `Refuser la pièce ${LIVRET}`).click();
    const refus = staff.getByRole('dialog', { name: `Refuser la pièce « ${LIVRET} »` });
    await refus.waitFor();
    await button(refus, 'Refuser la pièce').click();
    await expectText(staff, 'Choisissez le motif du refus.');
    await expectAccessible(staff, 'dialogue « Refuser la pièce »');
    await shot(staff, 'dialogue-refus');
    await refus.getByLabel('Illisible', { exact: true }).check();
    await field(refus, 'Commentaire pour la famille (facultatif)').fill('Photo floue.');
    await button(refus, 'Refuser la pièce').click();
    await refus.waitFor({ state: 'hidden' });
    await expectText(staff, `Pièce « ${LIVRET} » refusée (motif : Illisible).`);
    // The review fits a phone.
    await staff.setViewportSize({ width: 375, height: 740 });
    await expectNoHorizontalScroll(staff, 375);
    await expectAccessible(staff, 'examen de la demande (375 px)');
    await shot(staff, 'examen-mobile');
    await staff.setViewportSize({ width: 1280, height: 900 });

    // Ask for a complement: the message is required.
    await button(staff, 'Demander un complément').click();
    const complement = staff.getByRole('dialog', { name: 'Demander un complément à la famille' });
    await complement.waitFor();
    await button(complement, 'Envoyer la demande de complément').click();
    await expectText(staff, 'Écrivez le message pour la famille : il est obligatoire.');
    await staff.waitForFunction(() => document.activeElement?.id === 'decision-message')
      .catch(() => { throw new Error('the focus should move to the message'); });
    await expectAccessible(staff, 'dialogue « Demander un complément »');
    // Escape cancels; the focus goes back to the button.
    await staff.keyboard.press('Escape');
    await complement.waitFor({ state: 'hidden' });
    await staff.waitForFunction(() => document.activeElement?.textContent?.trim() === 'Demander un complément')
      .catch(() => { throw new Error('the focus should return to « Demander un complément »'); });
    await staff.keyboard.press('Enter');
    await complement.waitFor();
    await field(complement, 'Message pour la famille').fill(COMPLEMENT);
    await button(complement, 'Envoyer la demande de complément').click();
    await complement.waitFor({ state: 'hidden' });
    await expectText(staff, 'Demande renvoyée à la famille pour complément.');
    await staff.locator('#demande-statut', { hasText: 'À compléter' }).waitFor();
    // A direct load of a client route: the server answers the back office's index.html,
    // the session comes back from the refresh cookie.
    await staff.reload();
    await staff.getByRole('heading', { name: 'Examen de la demande', level: 1 }).waitFor();
    await staff.locator('#demande-statut', { hasText: 'À compléter' }).waitFor();
    await expectAccessible(staff, 'demande à compléter');

    // The family: « À compléter », the message and the reason; replaces the livret.
    await page.goto(`${env.baseUrl}/demarches`);
    await page.locator('.badge', { hasText: 'À compléter' }).waitFor();
    await link(page, 'Reprendre mon dossier').click();
    await expectText(page, COMPLEMENT);
    await button(page, 'Suivant').click();
    await page.getByRole('heading', { name: 'Pièces justificatives', exact: true }).waitFor();
    await rowOf(page, FOURNIES, LIVRET, 'Refusée', 'Illisible').waitFor();
    await rowOf(page, FOURNIES, LIVRET).getByRole('button', { name: /^Remplacer/ }).click();
    const lisible = await tempFile('livret-lisible.pdf', minimalPdf('Livret de famille lisible'));
    await fillPieceDialog(page, { emisLe: daysBefore(todayIso(), 5), files: [lisible] }, 'Remplacer un justificatif');
    await button(uploadDialog(page, 'Remplacer un justificatif'), 'Envoyer').click();
    await uploadDialog(page, 'Remplacer un justificatif').waitFor({ state: 'hidden', timeout: 20_000 });
    await rowOf(page, A_FOURNIR, LIVRET, 'En attente de validation').waitFor();
    await button(page, 'Suivant').click();
    await page.getByRole('heading', { name: 'Récapitulatif', exact: true }).waitFor();
    await button(page, 'Valider mon dossier').click();
    await page.waitForURL((url) => url.pathname.startsWith('/demarches/demande/'));

    // The agent validates the dossier.
    await staff.goto(`${env.baseUrl}/backoffice/`);
    await staff.getByRole('heading', { name: 'Demandes en attente', level: 1 }).waitFor();
    await link(staff, 'Mère DEMONSTRATION').click();
    await staff.getByRole('heading', { name: 'Examen de la demande', level: 1 }).waitFor();
    await expectText(staff, 'livret-lisible.pdf');
    // A second tab on the same review: it will lose the race (409).
    const late = await staffContext.newPage();
    late.setDefaultTimeout(15_000);
    await late.goto(staff.url());
    await late.getByRole('heading', { name: 'Examen de la demande', level: 1 }).waitFor();
    await button(late, 'Valider le dossier').waitFor();
    await button(staff, `Valider la pièce ${LIVRET}`).click();
    await expectText(staff, `Pièce « ${LIVRET} » validée.`);
    await button(staff, 'Valider le dossier').click();
    const validation = staff.getByRole('dialog', { name: 'Valider le dossier ?' });
    await validation.waitFor();
    await expectAccessible(staff, 'dialogue « Valider le dossier ? »');
    await button(validation, 'Valider le dossier').click();
    await validation.waitFor({ state: 'hidden' });
    const done = await staff.locator('.status', { hasText: 'Dossier validé : numéro de dossier famille' }).innerText();
    const numero = done.match(/numéro de dossier famille (\S+?)\./)?.[1];
    if (!numero) throw new Error(`no dossier number in « ${done} »`);
    await staff.locator('#demande-statut', { hasText: 'Validée' }).waitFor();
    await staff.locator('#demande-numero', { hasText: numero }).waitFor();
    await expectAccessible(staff, 'demande validée');
    await button(late, 'Valider le dossier').click();
    const lateDialog = late.getByRole('dialog', { name: 'Valider le dossier ?' });
    await button(lateDialog, 'Valider le dossier').click();
    await lateDialog.waitFor({ state: 'hidden' });
    await expectText(late, 'Un autre agent a déjà pris une décision sur cette demande : elle a été rechargée.');
    await late.locator('#demande-statut', { hasText: 'Validée' }).waitFor();
    await late.close();
    await shot(staff, 'examen-validee');

    // The family sees « Validée » and the number.
    await page.goto(`${env.baseUrl}/demarches`);
    await page.locator('.badge', { hasText: 'Validée' }).waitFor();
    await expectText(page, `Votre compte est rattaché au dossier famille n° ${numero}.`);
    // « Consulter ma demande »: the number, and when the town's services looked at the file
    // (by service, never by person).
    await link(page, 'Consulter ma demande').first().click();
    await page.getByRole('heading', { name: 'Consultations de mon dossier' }).waitFor();
    const consultations = page.getByRole('region', { name: 'Consultations de mon dossier' });
    await consultations.getByRole('cell', { name: 'Consultation du dossier' }).first().waitFor();
    await consultations.getByRole('cell', { name: 'Décision sur la demande' }).first().waitFor();
    if (await consultations.getByText(agent.username).count()) {
      throw new Error('consultations name the service, not the agent');
    }
    await expectAccessible(page, 'consulter ma demande validée, avec les consultations');

    // « Se déconnecter »: back to the login form.
    await button(staff, 'Se déconnecter').click();
    await staff.getByRole('heading', { name: 'Connexion des agents' }).waitFor();
    await expectPath(staff, '/backoffice/');
    if (staffErrors.length) throw new Error(`errors in the back office:\n${staffErrors.join('\n')}`);
  } catch (error) {
    try {
      const text = await staff.locator('body').innerText({ timeout: 2_000 });
      console.error(`  staff page (${staff.url()}):\n${text.slice(0, 3_000).replace(/^/gm, '    | ')}`);
      await staff.screenshot({ path: `e2e/artifacts/backoffice_review-staff-${Date.now()}.png`, fullPage: true });
    } catch { /* the main report follows */ }
    throw error;
  } finally {
    await staffContext.close();
  }
});
