// The back office's content and administration screens (issue 5) against the real API: an
// administrator created with `portail-famille create-admin` enrols an authenticator and
// logs in; publishes a news item « à la une » whose text holds **gras** and a <script>
// (the preview shows it as text), schedules another for next year and deletes a third;
// adds a FAQ entry; publishes a PDF (after a refused text file); changes the town's welcome
// text; publishes a new CGU version; changes a type de pièce, adds one (after a refused
// code), sees it offered to families and retires it; creates an agent account.
// The agent chooses a password from the email, enrols and sees no « Administration »
// (and is refused on its address); then the administrator deactivates the agent, whose
// session ends at once. axe on each new page and dialog, 375 px without
// horizontal scrolling. Then a family (anonymous) browser sees it all on the public pages:
// the welcome text and « À la une » on /, the published news (not the scheduled one) on
// /actualites with the <script> as text on its page, the question on /faq, the document
// on /documents.
import { ARTIFACTS, env, run } from '../lib/harness.mjs';
import { button, field, link, linkIn } from '../lib/find.mjs';
import { expectAccessible, expectEmail, expectHeading, expectNoHorizontalScroll, expectText } from '../lib/checks.mjs';
import { minimalPdf, tempFile } from '../lib/pieces.mjs';
import { createAdministrator, enrolAndLogIn } from '../lib/staff.mjs';

async function shot(page, name) {
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${ARTIFACTS}/backoffice-content-${name}.png`, fullPage: true });
}

/** Waits until the focus is on the element with `id`. */
async function expectFocus(page, id, what) {
  await page.waitForFunction((i) => document.activeElement?.id === i, id, { timeout: 5_000 })
    .catch(() => { throw new Error(`the focus should move to ${what} (#${id})`); });
}

/** Checks the page at 375 px (no horizontal scrolling, axe), then goes back to 1280 px. */
async function checkNarrow(page, label) {
  await page.setViewportSize({ width: 375, height: 740 });
  await expectNoHorizontalScroll(page, 375);
  await expectAccessible(page, `${label} (375 px)`);
  await shot(page, `${label.replace(/\W+/g, '-')}-375`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

const run_ = env.runId;
const NEWS = `Fête de l'école ${run_}`;
const NEWS_BODY = 'La fête aura lieu **samedi** dans la cour.\n\n- jeux\n- spectacle\n\n<script>alert(1)</script>';
const SCHEDULED = `Rentrée prochaine ${run_}`;
const DOOMED = `Brouillon à supprimer ${run_}`;
const QUESTION = `Comment inscrire mon enfant à la cantine (${run_}) ?`;
const DOCUMENT = `Règlement intérieur ${run_}`;
const WELCOME = `Bienvenue ${run_} sur le portail des familles`;
const NEW_TYPE = `Attestation de quotient familial ${run_}`;
const NEW_CODE = `attestation_qf_${run_}`.toLowerCase();

await run('backoffice_content', async ({ page, context }) => {
  const admin = {
    username: `admin${run_}`.toLowerCase().slice(0, 40),
    email: `admin-${run_}@mairie.exemple.fr`.toLowerCase(),
    password: `Platane doré ${run_} de la grand-place`,
  };
  await createAdministrator(admin);
  const staff = page;
  // A script that ran would open an alert: count them (and close them) instead.
  const alerts = [];
  const noAlerts = (where) => {
    if (alerts.length) throw new Error(`a script ran in ${where}: alert « ${alerts.join(', ')} »`);
  };
  staff.on('dialog', (d) => { alerts.push(d.message()); d.dismiss().catch(() => {}); });

  await staff.goto(`${env.baseUrl}/backoffice/`);
  await staff.getByRole('heading', { name: 'Espace agents', level: 1 }).waitFor();
  await enrolAndLogIn(staff, admin);

  // The menu.
  const menu = staff.getByRole('navigation', { name: "Menu de l'espace agents" });
  for (const name of ['Demandes', 'Actualités', 'FAQ', 'Documents', 'Administration']) await link(menu, name).waitFor();
  await expectAccessible(staff, 'demandes (avec le menu)');

  // ── Actualités ────────────────────────────────────────────────────────────
  await link(menu, 'Actualités').click();
  await expectHeading(staff, 'Actualités');
  await expectText(staff, /^\d+ actualités?\.$|^Aucune actualité/);
  await expectAccessible(staff, 'actualités');
  await button(staff, 'Nouvelle actualité').click();
  await staff.getByRole('heading', { name: 'Nouvelle actualité', level: 2 }).waitFor();
  // Empty: refused under the fields, focus on the first.
  await button(staff, "Publier l'actualité").click();
  await expectText(staff, 'Titre : Ce champ est obligatoire.');
  await expectFocus(staff, 'actu-titre', 'the refused title');
  await expectAccessible(staff, 'actualité refusée');
  await field(staff, 'Titre').fill(NEWS);
  await field(staff, 'Texte').fill(NEWS_BODY);
  // The preview: Markdown drawn, the script shown as text, never run.
  const preview = staff.locator('.text-preview-body');
  await preview.locator('strong', { hasText: 'samedi' }).waitFor();
  await preview.locator('li', { hasText: 'spectacle' }).waitFor();
  await preview.getByText('<script>alert(1)</script>').waitFor();
  if (await preview.locator('script').count()) throw new Error('the preview holds a script element');
  noAlerts('the preview');
  await staff.getByLabel('À la une').check();
  await expectAccessible(staff, 'nouvelle actualité avec aperçu');
  await shot(staff, 'actualite-formulaire');
  await button(staff, "Publier l'actualité").click();
  await expectText(staff, `Actualité « ${NEWS} » publiée.`);
  const newsRow = staff.getByRole('row').filter({ hasText: NEWS });
  await newsRow.getByText('À la une').waitFor();

  // Scheduled for next year.
  const nextYear = new Date().getFullYear() + 1;
  await button(staff, 'Nouvelle actualité').click();
  await field(staff, 'Titre').fill(SCHEDULED);
  await field(staff, 'Texte').fill('Les inscriptions ouvrent en juin.');
  await field(staff, 'Date de publication').fill(`${nextYear}-06-15`);
  await field(staff, 'Heure de publication').fill('08:30');
  await button(staff, "Publier l'actualité").click();
  await expectText(staff, `Actualité « ${SCHEDULED} » programmée pour le 15/06/${nextYear} 08:30.`);
  await staff.getByRole('row').filter({ hasText: SCHEDULED }).getByText('Programmée').waitFor();

  // A third one, changed then deleted after confirmation.
  await button(staff, 'Nouvelle actualité').click();
  await field(staff, 'Titre').fill('Brouillon');
  await field(staff, 'Texte').fill('À supprimer.');
  await button(staff, "Publier l'actualité").click();
  await expectText(staff, 'Actualité « Brouillon » publiée.');
  await button(staff, "Modifier l'actualité « Brouillon »").click();
  await field(staff, 'Titre').fill(DOOMED);
  await button(staff, 'Enregistrer les modifications').click();
  await expectText(staff, `Actualité « ${DOOMED} » enregistrée.`);
  await button(staff, `Supprimer l'actualité « ${DOOMED} »`).click();
  const deletion = staff.getByRole('dialog', { name: `Supprimer l'actualité « ${DOOMED} » ?` });
  await deletion.waitFor();
  await expectAccessible(staff, 'dialogue « Supprimer l\'actualité »');
  // Escape cancels and gives the focus back.
  await staff.keyboard.press('Escape');
  await deletion.waitFor({ state: 'hidden' });
  await staff.waitForFunction(() => document.activeElement?.getAttribute('aria-label')?.startsWith('Supprimer'))
    .catch(() => { throw new Error('the focus should return to « Supprimer »'); });
  await staff.keyboard.press('Enter');
  await deletion.waitFor();
  await button(deletion, 'Supprimer').click();
  await deletion.waitFor({ state: 'hidden' });
  await expectText(staff, `Actualité « ${DOOMED} » supprimée.`);
  await staff.getByRole('row').filter({ hasText: DOOMED }).waitFor({ state: 'detached' });
  await checkNarrow(staff, 'actualités');

  // ── FAQ ───────────────────────────────────────────────────────────────────
  await link(menu, 'FAQ').click();
  await expectHeading(staff, 'FAQ');
  await expectAccessible(staff, 'faq');
  await button(staff, 'Nouvelle question').click();
  await field(staff, 'Question').fill(QUESTION);
  await field(staff, 'Réponse').fill('Depuis **Démarches**, une fois votre dossier famille validé.');
  await field(staff, 'Catégorie').fill('Restauration scolaire');
  await field(staff, 'Position dans la catégorie').fill('1');
  await staff.locator('.text-preview-body strong', { hasText: 'Démarches' }).waitFor();
  await expectAccessible(staff, 'nouvelle question');
  await button(staff, 'Ajouter la question').click();
  await expectText(staff, `Question « ${QUESTION} » ajoutée.`);
  await staff.getByRole('row').filter({ hasText: QUESTION }).waitFor();
  await checkNarrow(staff, 'faq');

  // ── Documents ─────────────────────────────────────────────────────────────
  await link(menu, 'Documents').click();
  await expectHeading(staff, 'Documents');
  await expectAccessible(staff, 'documents');
  await field(staff, 'Titre').fill(DOCUMENT);
  await field(staff, 'Catégorie').fill('Règlements');
  // A text file is refused, in the server's words, under the file input.
  await staff.locator('#doc-fichier').setInputFiles(await tempFile('notes.txt', Buffer.from('pas un PDF\n')));
  await button(staff, 'Publier le document').click();
  await staff.locator('#doc-fichier-erreur').waitFor();
  await expectFocus(staff, 'doc-fichier', 'the refused file');
  await expectAccessible(staff, 'document refusé');
  await staff.locator('#doc-fichier').setInputFiles(await tempFile('reglement.pdf', minimalPdf('Reglement interieur')));
  await button(staff, 'Publier le document').click();
  await expectText(staff, `Document « ${DOCUMENT} » publié.`);
  const docRow = staff.getByRole('row').filter({ hasText: DOCUMENT });
  await docRow.getByRole('link', { name: /Télécharger reglement\.pdf/ }).waitFor();
  const downloading = staff.waitForEvent('download');
  await docRow.getByRole('link', { name: /Télécharger reglement\.pdf/ }).click();
  const download = await downloading;
  if (download.suggestedFilename() !== 'reglement.pdf') throw new Error(`downloaded « ${download.suggestedFilename()} »`);
  await checkNarrow(staff, 'documents');

  // ── Administration ────────────────────────────────────────────────────────
  await link(menu, 'Administration').click();
  await expectHeading(staff, 'Administration');
  await staff.getByRole('heading', { name: 'Comptes des agents' }).waitFor();
  await staff.getByRole('row').filter({ hasText: admin.username }).waitFor();
  await expectAccessible(staff, 'administration');

  // The town's welcome text.
  await field(staff, "Texte d'accueil").fill(`${WELCOME}.\n\nConsultez les **actualités** de la commune.`);
  await staff.locator('section', { has: staff.getByRole('heading', { name: 'Paramètres de la commune' }) })
    .locator('.text-preview-body strong', { hasText: 'actualités' }).waitFor();
  await button(staff, 'Enregistrer les paramètres').click();
  await expectText(staff, 'Paramètres de la commune enregistrés');

  // A new CGU version, confirmed.
  const cgu = field(staff, 'Texte de la nouvelle version');
  await cgu.fill(`Conditions générales d'utilisation, version de test ${run_}.\n\nDeuxième paragraphe.`);
  await button(staff, 'Publier la nouvelle version…').click();
  const publication = staff.getByRole('dialog', { name: /^Publier la version \d+ des conditions générales \?$/ });
  await publication.waitFor();
  await publication.getByText("Chaque famille devra l'accepter à nouveau").waitFor();
  await expectAccessible(staff, 'dialogue « Publier les CGU »');
  await button(publication, 'Publier').click();
  await publication.waitFor({ state: 'hidden' });
  await expectText(staff, /Version \d+ des conditions générales publiée/);
  await expectText(staff, `version de test ${run_}`);

  // A type de pièce: its help text.
  const catalogue = staff.locator('section', { has: staff.getByRole('heading', { name: 'Types de pièce justificative' }) });
  const firstEdit = catalogue.getByRole('button', { name: /^Modifier le type/ }).first();
  const typeName = (await firstEdit.getAttribute('aria-label')).replace(/^Modifier le type « (.*) »$/, '$1');
  await firstEdit.click();
  const typeDialog = staff.getByRole('dialog', { name: `Modifier le type « ${typeName} »` });
  await typeDialog.waitFor();
  await field(typeDialog, 'Aide').fill(`Aide mise à jour ${run_}.`);
  await expectAccessible(staff, 'dialogue « Modifier le type »');
  await button(typeDialog, 'Enregistrer').click();
  await typeDialog.waitFor({ state: 'hidden' });
  await expectText(staff, `Type « ${typeName} » enregistré`);

  // A new type de pièce: an invalid code (and no role for a person's piece) refused under
  // their fields, then added, listed, offered to families, and retired (confirmed).
  await button(staff, 'Ajouter un type de pièce').click();
  const addType = staff.getByRole('dialog', { name: 'Ajouter un type de pièce' });
  await addType.waitFor();
  await expectAccessible(staff, 'dialogue « Ajouter un type de pièce »');
  await field(addType, 'Code').fill('Attestation CAF');
  await field(addType, 'Libellé').fill(NEW_TYPE);
  await field(addType, 'Lié à').selectOption('personne');
  await button(addType, 'Ajouter le type').click();
  await expectFocus(staff, 'nouveau-type-code', 'the refused code');
  const codeError = addType.locator('#nouveau-type-code-erreur');
  await codeError.getByText('Le code ne peut contenir que des lettres minuscules sans accent').waitFor();
  if (!(await field(addType, 'Code').getAttribute('aria-describedby')).includes('nouveau-type-code-erreur')) {
    throw new Error('the code error is not tied to its field');
  }
  await addType.locator('#nouveau-type-roles-erreur').getByText('Cochez au moins un rôle').waitFor();
  await expectAccessible(staff, 'dialogue « Ajouter un type de pièce » refusé');
  await checkNarrow(staff, 'dialogue « Ajouter un type de pièce »');
  if (await addType.evaluate((d) => d.scrollWidth > d.clientWidth)) throw new Error('the dialog scrolls horizontally at 375 px');
  await field(addType, 'Code').fill(NEW_CODE);
  await field(addType, 'Responsable du dossier').check();
  await field(addType, 'Conjoint').check();
  await field(addType, 'JPEG').check();
  await field(addType, 'Validité').selectOption('mois');
  await field(addType, 'Durée de validité (mois)').fill('12');
  await button(addType, 'Ajouter le type').click();
  await addType.waitFor({ state: 'hidden' });
  await expectText(staff, `Type « ${NEW_TYPE} » ajouté`);
  await expectFocus(staff, 'catalogue-titre', 'the catalogue');
  const newRow = catalogue.getByRole('row').filter({ hasText: NEW_TYPE });
  await newRow.getByRole('cell', { name: 'Chaque personne : Responsable, Conjoint' }).waitFor();
  await newRow.getByRole('cell', { name: 'PDF, JPEG' }).waitFor();
  await newRow.getByRole('cell', { name: '12 mois' }).waitFor();
  // What families are offered: the public catalogue (fetched without a browser cache).
  const offered = async () => (await (await fetch(`${env.baseUrl}/api/types-de-piece`)).json()).items;
  const added = (await offered()).find((t) => t.code === NEW_CODE);
  if (!added || added.libelle !== NEW_TYPE || added.cible !== 'personne' || added.exigence !== 'facultative') {
    throw new Error(`the new type is not offered as entered: ${JSON.stringify(added)}`);
  }
  // The same code again is refused before anything is sent.
  await button(staff, 'Ajouter un type de pièce').click();
  await addType.waitFor();
  await field(addType, 'Code').fill(NEW_CODE);
  await field(addType, 'Libellé').fill(`${NEW_TYPE} bis`);
  await button(addType, 'Ajouter le type').click();
  await codeError.getByText(`Ce code est déjà celui du type « ${NEW_TYPE} »`).waitFor();
  await button(addType, 'Annuler').click();
  await addType.waitFor({ state: 'hidden' });
  await expectFocus(staff, 'type-ajout', '« Ajouter un type de pièce »');
  // « Retirer », confirmed.
  await button(newRow, `Retirer le type « ${NEW_TYPE} »`).click();
  const retire = staff.getByRole('dialog', { name: `Retirer le type « ${NEW_TYPE} » ?` });
  await retire.waitFor();
  await retire.getByText('il ne sera plus demandé dans aucun dossier').waitFor();
  await retire.getByText('Les pièces de ce type déjà fournies le gardent').waitFor();
  await expectAccessible(staff, 'dialogue « Retirer le type »');
  await button(retire, 'Retirer').click();
  await retire.waitFor({ state: 'hidden' });
  await expectText(staff, `Type « ${NEW_TYPE} » retiré`);
  await newRow.waitFor({ state: 'detached' });
  if ((await offered()).some((t) => t.code === NEW_CODE)) throw new Error('the retired type is still offered to families');

  // An agent account.
  const agent = {
    username: `agent${run_}`.toLowerCase().slice(0, 40),
    email: `agent-${run_}@mairie.exemple.fr`.toLowerCase(),
    password: `Marronnier rouge ${run_} du square`,
  };
  const created = Date.now();
  await field(staff, 'Identifiant').fill(agent.username);
  await field(staff, 'Adresse email').fill(agent.email);
  await field(staff, 'Rôle').selectOption('agent');
  await button(staff, 'Créer le compte').click();
  await expectText(staff, `Compte « ${agent.username} » créé (agent).`);
  const agentRow = staff.getByRole('row').filter({ hasText: agent.username });
  await agentRow.waitFor();
  // The same username again: refused in words.
  await field(staff, 'Identifiant').fill(agent.username);
  await field(staff, 'Adresse email').fill(`autre-${agent.email}`);
  await button(staff, 'Créer le compte').click();
  await expectText(staff, "Ce nom d'utilisateur ou cette adresse est déjà utilisé.");
  // « Réinitialiser l'authentificateur »: the confirmation, cancelled.
  await button(staff, `Réinitialiser l'authentificateur : ${agent.username}`).click();
  const reset = staff.getByRole('dialog', { name: `Réinitialiser l'authentificateur de « ${agent.username} » ?` });
  await reset.waitFor();
  await expectAccessible(staff, 'dialogue « Réinitialiser l\'authentificateur »');
  await button(reset, 'Annuler').click();
  await reset.waitFor({ state: 'hidden' });
  await checkNarrow(staff, 'administration');
  await shot(staff, 'administration');

  // ── The agent: password from the email, enrolment, no « Administration » ─
  const agentContext = await context.browser().newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris', viewport: { width: 1280, height: 900 } });
  try {
    const agentPage = await agentContext.newPage();
    agentPage.setDefaultTimeout(15_000);
    const welcome = await expectEmail(env.maildevUrl, agent.email, 'Votre compte agent', { after: created });
    await agentPage.goto(linkIn(welcome, { text: 'Choisir mon mot de passe', pathPrefix: '/reinitialiser-mot-de-passe' }, env.baseUrl));
    await expectHeading(agentPage, 'Nouveau mot de passe');
    await field(agentPage, 'Nouveau mot de passe').fill(agent.password);
    await field(agentPage, 'Confirmation du mot de passe').fill(agent.password);
    await button(agentPage, 'Enregistrer le mot de passe').click();
    await expectText(agentPage, 'Votre mot de passe a été modifié.');
    await agentPage.goto(`${env.baseUrl}/backoffice/`);
    await agentPage.getByRole('heading', { name: 'Espace agents', level: 1 }).waitFor();
    await enrolAndLogIn(agentPage, agent);
    const agentMenu = agentPage.getByRole('navigation', { name: "Menu de l'espace agents" });
    await link(agentMenu, 'Actualités').waitFor();
    if (await link(agentMenu, 'Administration').count()) throw new Error('an agent sees « Administration »');
    await agentPage.goto(`${env.baseUrl}/backoffice/administration`);
    await expectText(agentPage, 'Cette page est réservée aux administrateurs.');
    await expectAccessible(agentPage, 'administration refusée à un agent');
    // Agents publish news too: the list is theirs.
    await link(agentMenu, 'Actualités').click();
    await agentPage.getByRole('row').filter({ hasText: NEWS }).waitFor();

    // The administrator deactivates the agent (who leaves): the session ends at once.
    await button(staff, `Désactiver : ${agent.username}`).click();
    const deactivate = staff.getByRole('dialog', { name: `Désactiver le compte de « ${agent.username} » ?` });
    await deactivate.waitFor();
    await expectAccessible(staff, 'dialogue « Désactiver le compte »');
    await button(deactivate, 'Désactiver').click();
    await expectText(staff, `Compte de « ${agent.username} » désactivé : ses sessions sont fermées.`);
    await agentRow.getByRole('cell', { name: 'Désactivé' }).waitFor();
    if (await button(staff, `Désactiver : ${agent.username}`).count()) throw new Error('a deactivated account offers « Réactiver » only');
    await button(staff, `Réactiver : ${agent.username}`).waitFor();
    await agentPage.reload();
    await agentPage.getByRole('heading', { name: 'Connexion des agents' }).waitFor();
  } finally {
    await agentContext.close();
  }

  // ── A family (anonymous) sees it on the public pages ──────────────────────
  const familyContext = await context.browser().newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris', viewport: { width: 1280, height: 900 } });
  try {
    const family = await familyContext.newPage();
    family.setDefaultTimeout(15_000);
    family.on('dialog', (d) => { alerts.push(d.message()); d.dismiss().catch(() => {}); });
    await family.goto(`${env.baseUrl}/`);
    await expectText(family, WELCOME);
    await family.getByRole('heading', { name: 'À la une' }).waitFor();
    await expectText(family, NEWS);

    await family.goto(`${env.baseUrl}/actualites`);
    await family.getByRole('heading', { name: 'Actualités', level: 1 }).waitFor();
    await family.getByRole('link', { name: NEWS }).waitFor();
    if (await family.getByText(SCHEDULED).count()) throw new Error('the scheduled news item is already public');
    if (await family.getByText(DOOMED).count()) throw new Error('the deleted news item is still public');
    await family.getByRole('link', { name: NEWS }).click();
    await family.getByRole('heading', { name: NEWS, level: 1 }).waitFor();
    await family.locator('main strong', { hasText: 'samedi' }).waitFor();
    await family.getByText('<script>alert(1)</script>').waitFor();
    if (await family.locator('main script').count()) throw new Error('the news page holds a script element');
    noAlerts('the family news page');

    await family.goto(`${env.baseUrl}/faq`);
    await family.getByRole('heading', { name: 'Questions fréquentes', level: 1 }).waitFor();
    await expectText(family, QUESTION);

    await family.goto(`${env.baseUrl}/documents`);
    await family.getByRole('heading', { name: 'Documents', level: 1 }).waitFor();
    await expectText(family, DOCUMENT);
  } catch (error) {
    const pages = familyContext.pages();
    if (pages.length) {
      try {
        const text = await pages[0].locator('body').innerText({ timeout: 2_000 });
        console.error(`  family page (${pages[0].url()}):\n${text.slice(0, 2_000).replace(/^/gm, '    | ')}`);
      } catch { /* the main report follows */ }
    }
    throw error;
  } finally {
    await familyContext.close();
  }
});
