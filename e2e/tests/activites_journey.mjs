// Activités et inscriptions (issue 12), at 390 px: an agent creates an activité and a
// période of one place with a waiting list in the back office; a family whose dossier the
// town imported (validated) links its account, finds the activité in « Activités », enrols
// both children through « Inscrire » (one gets the place, the other the waiting list),
// sees them in « Mes inscriptions », cancels the place — the waiting child gets it — and
// the agent reads the period's list. axe on every page and dialog, no sideways scrolling.
import { ARTIFACTS, env, identity, run } from '../lib/harness.mjs';
import {
  acceptTerms, activateFromEmail, logIn, signUp,
} from '../lib/actions.mjs';
import { button, field, link } from '../lib/find.mjs';
import {
  expectAccessible, expectEmail, expectHeading, expectNoHorizontalScroll, expectPath, expectText,
} from '../lib/checks.mjs';
import { createAdministrator, enrolAndLogIn, importDossiers } from '../lib/staff.mjs';

const WIDTH = 390;
const ACTIVITE = `Stage multisports ${env.runId}`;
const PERIODE = 'Semaine 1 : découverte';
const dossierAddress = `famille-${env.runId}@exemple.fr`.toLowerCase();

/** A screenshot in e2e/artifacts when SCREENSHOTS is set (to look at the layout). */
async function shot(page, name) {
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${ARTIFACTS}/activites-${name}.png`, fullPage: true });
}

/** The value of a `datetime-local` input, in Paris time, `hours` from now. */
function parisInHours(hours) {
  const at = new Date(Date.now() + hours * 3_600_000);
  return at.toLocaleString('sv-SE', { timeZone: 'Europe/Paris' }).replace(' ', 'T').slice(0, 16);
}

/** An ISO date `days` from today in Paris. */
function parisDayIn(days) {
  return new Date(Date.now() + days * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
}

/** Checks the page at 390 px: axe, and nothing wider than the screen. */
async function audit(page, label) {
  await expectAccessible(page, label);
  await expectNoHorizontalScroll(page, WIDTH);
}

await run('activites_journey', async ({ page, context }) => {
  await importDossiers(
    'numero;role;sexe;nom;prenom;date_naissance;adresse;code_postal;commune;email\n'
    + `61001;responsable;F;N'Guessan;Aïcha;02/03/1985;3 rue de la Paix;28000;Chartres;${dossierAddress}\n`
    + "61001;enfant;M;N'Guessan;Léo;2019-05-05;;;;\n"
    + "61001;enfant;F;N'Guessan;Inès;2017-02-10;;;;\n",
  );

  // ── The agent publishes an activité and a période ───────────────────────────
  const agent = {
    username: `agent${env.runId}`.toLowerCase().slice(0, 40),
    email: `agent-${env.runId}@mairie.exemple.fr`.toLowerCase(),
    password: `Tilleul argenté ${env.runId} du jardin public`,
  };
  await createAdministrator(agent);
  const staffContext = await context.browser().newContext({
    locale: 'fr-FR', timezoneId: 'Europe/Paris', viewport: { width: WIDTH, height: 800 },
  });
  const staff = await staffContext.newPage();
  staff.setDefaultTimeout(15_000);
  try {
    await staff.goto(`${env.baseUrl}/backoffice/`);
    await staff.getByRole('heading', { name: 'Espace agents', level: 1 }).waitFor();
    await enrolAndLogIn(staff, agent);
    await link(staff, 'Activités').click();
    await staff.getByRole('heading', { name: 'Activités', level: 1 }).waitFor();
    await audit(staff, 'espace agents : activités');

    await button(staff, 'Nouvelle activité').click();
    await staff.getByRole('heading', { name: 'Nouvelle activité' }).waitFor();
    // Every mistake at once, each under its field.
    await field(staff, 'Âge minimum (ans)').fill('12');
    await field(staff, 'Âge maximum (ans)').fill('11');
    await button(staff, "Créer l'activité").click();
    await expectText(staff, "L'âge maximum doit être égal ou supérieur à l'âge minimum.");
    await staff.waitForFunction(() => document.activeElement?.getAttribute('aria-invalid') === 'true');
    await audit(staff, 'nouvelle activité, avec erreurs');
    await field(staff, "Nom de l'activité").fill(ACTIVITE);
    await field(staff, 'Catégorie').selectOption('sport');
    await field(staff, 'Lieu').fill('Gymnase Rosskopf');
    await field(staff, 'Âge minimum (ans)').fill('3');
    await field(staff, 'Description').fill('Judo, escalade et **jeux collectifs**.');
    await field(staff, 'Tarifs').fill('12 € la journée');
    await field(staff, 'Publiée').check();
    await button(staff, "Créer l'activité").click();
    await expectText(staff, `Activité « ${ACTIVITE} » créée.`);

    await button(staff, `Ajouter une période à « ${ACTIVITE} »`).click();
    await staff.getByRole('heading', { name: `Nouvelle période de « ${ACTIVITE} »` }).waitFor();
    await field(staff, 'Libellé').fill(PERIODE);
    await field(staff, 'Premier jour').fill(parisDayIn(30));
    await field(staff, 'Dernier jour').fill(parisDayIn(34));
    await field(staff, 'Jours et horaires').fill('Du lundi au vendredi, 9 h – 17 h');
    await field(staff, 'Capacité (places)').fill('1');
    await field(staff, 'Ouverture des inscriptions').fill(parisInHours(-1));
    await field(staff, 'Fermeture des inscriptions').fill(parisInHours(24 * 20));
    await field(staff, 'Statut').selectOption('publiee');
    await audit(staff, 'nouvelle période');
    await button(staff, 'Créer la période').click();
    await expectText(staff, `Période « ${PERIODE} » créée.`);
    await staff.getByRole('region', { name: ACTIVITE }).getByText('0 confirmée(s) sur 1').waitFor();
    await audit(staff, 'activités, avec une période');
    await shot(staff, 'agent-activites');

    // ── The family links its account to the imported dossier ──────────────────
    const who = identity('ac');
    await page.setViewportSize({ width: WIDTH, height: 800 });
    await signUp(page, env.baseUrl, who, { dossier: { numero: '61001', nom: "N'Guessan", prenom: 'Aïcha' } });
    await activateFromEmail(page, env, who.email);
    await logIn(page, who.username, who.password);
    await acceptTerms(page);
    await expectPath(page, '/demarches');
    const codeMail = await expectEmail(env.maildevUrl, dossierAddress, 'Code de rattachement');
    const code = (codeMail.text || '').split('\n').map((l) => l.trim()).find((l) => /^\d{6}$/.test(l));
    if (!code) throw new Error(`no code in « ${codeMail.text} »`);
    await field(page, 'Code de rattachement').fill(code);
    await button(page, 'Valider le code').click();
    await expectText(page, 'Votre compte est rattaché au dossier famille n° 61001.');
    await expectText(page, 'Aucune inscription en cours.');

    // ── « Activités »: the catalogue ─────────────────────────────────────────
    await link(page, 'Activités').click();
    await expectHeading(page, 'Activités');
    // The demo catalogue is there too: look at this activité's card.
    const card = page.getByRole('article', { name: ACTIVITE });
    await card.getByText('de 3 à 11 ans').waitFor();
    await card.getByText('1 place restante').waitFor();
    await card.getByText(/Inscriptions ouvertes jusqu'au \S+ \d+/).waitFor();
    await audit(page, 'activités (catalogue)');
    await shot(page, 'catalogue');

    // ── « Inscrire »: both children, the période chosen, the recap, the answers ──
    await page.getByRole('link', { name: `Inscrire : ${ACTIVITE} — ${PERIODE}` }).click();
    await expectPath(page, '/inscriptions/nouvelle');
    await page.getByRole('heading', { name: 'Quels enfants inscrire ?' }).waitFor();
    await audit(page, 'inscrire, étape 1');
    await button(page, 'Suivant').click();
    await expectText(page, 'Cochez au moins un enfant.');
    await audit(page, 'inscrire, étape 1 avec erreur');
    await page.getByLabel(/^Léo N'Guessan/).check();
    await page.getByLabel(/^Inès N'Guessan/).check();
    await button(page, 'Suivant').click();
    await page.getByRole('heading', { name: 'Quelles périodes ?' }).waitFor();
    // The période « Inscrire » was clicked on is already ticked for both.
    const ticked = page.getByRole('checkbox', { name: PERIODE });
    if ((await ticked.count()) !== 2) throw new Error(`expected the période for both children, found ${await ticked.count()}`);
    for (const box of await ticked.all()) {
      if (!(await box.isChecked())) throw new Error('the période « Inscrire » was clicked on should be ticked');
    }
    await audit(page, 'inscrire, étape 2');
    await shot(page, 'periodes');
    await button(page, 'Suivant').click();
    await page.getByRole('heading', { name: 'Récapitulatif' }).waitFor();
    await expectText(page, 'Place disponible : l\'inscription sera confirmée aussitôt.');
    await audit(page, 'inscrire, récapitulatif');
    await button(page, 'Confirmer').click();
    await expectText(page, '2 inscriptions enregistrées.');
    await expectText(page, 'Confirmée');
    await expectText(page, "Liste d'attente — position 1");
    await audit(page, 'inscrire, résultat');
    await shot(page, 'resultat');

    // ── « Mes inscriptions »: the place, the waiting list; cancel the place ───
    await link(page, 'Voir mes inscriptions').click();
    await expectHeading(page, 'Mes inscriptions');
    await page.locator('.inscription', { hasText: "Liste d'attente (position 1)" }).waitFor();
    const confirmed = page.locator('.inscription', { hasText: 'Confirmée' });
    await confirmed.waitFor();
    await audit(page, 'mes inscriptions');
    await shot(page, 'mes-inscriptions');
    await confirmed.getByRole('button', { name: /^Annuler l'inscription/ }).click();
    const dialog = page.getByRole('dialog', { name: "Annuler l'inscription ?" });
    await dialog.waitFor();
    await expectAccessible(page, 'dialogue « Annuler l\'inscription ? »');
    // Escape keeps the inscription and gives the focus back.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await page.waitForFunction(() => document.activeElement?.textContent?.startsWith("Annuler l'inscription"))
      .catch(() => { throw new Error('the focus should return to « Annuler l\'inscription »'); });
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await button(dialog, "Annuler l'inscription").click();
    await dialog.waitFor({ state: 'hidden' });
    await expectText(page, /L'inscription de .* est annulée\./);
    await page.locator('.inscription', { hasText: 'Annulée' }).waitFor();
    // The waiting child got the freed place.
    await page.locator('.inscription', { hasText: 'Confirmée' }).waitFor();
    if (await page.locator('.inscription', { hasText: "Liste d'attente" }).count()) {
      throw new Error('the waiting child should have been given the freed place');
    }
    await audit(page, 'mes inscriptions après annulation');

    // « Mes démarches » sums it up.
    await link(page, 'Démarches').click();
    await expectText(page, '1 inscription confirmée.');

    // ── The agent reads the période's list ─────────────────────────────────
    await link(staff, 'Activités').click();
    await staff.getByRole('heading', { name: 'Activités', level: 1 }).waitFor();
    await staff.getByRole('link', { name: `Liste des inscrits de la période « ${PERIODE} » de « ${ACTIVITE} »` }).click();
    await staff.getByRole('heading', { name: 'Liste des inscrits', level: 1 }).waitFor();
    await staff.getByRole('heading', { name: `${ACTIVITE} — ${PERIODE}` }).waitFor();
    await expectText(staff, '2 inscriptions');
    await expectText(staff, "Léo N'Guessan");
    await audit(staff, 'liste des inscrits');
    await shot(staff, 'liste-des-inscrits');
    const downloading = staff.waitForEvent('download');
    await button(staff, 'Exporter la liste (CSV)').click();
    const download = await downloading;
    if (!download.suggestedFilename().endsWith('.csv')) throw new Error(`downloaded « ${download.suggestedFilename()} »`);
  } catch (error) {
    try {
      const text = await staff.locator('body').innerText({ timeout: 2_000 });
      console.error(`  staff page (${staff.url()}):\n${text.slice(0, 3_000).replace(/^/gm, '    | ')}`);
      await staff.screenshot({ path: `${ARTIFACTS}/activites_journey-staff-${Date.now()}.png`, fullPage: true });
    } catch { /* the main report follows */ }
    throw error;
  } finally {
    await staffContext.close();
  }
}, { viewport: { width: WIDTH, height: 800 } });
