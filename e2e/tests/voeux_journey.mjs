// Attribution équitable (issue 13), at 390 px: a family whose dossier the town imported
// (validated, two children) links its account; an agent publishes (through the API, for
// speed) an activité whose two périodes are given by draw, wishes closing 75 s later. In
// « Activités » the périodes say until when wishes are ranked, offer no « Inscrire » and
// link to their public draw; « Classer mes vœux », by keyboard, opens « Mes vœux »: Lina
// ranks both périodes (moved up and down by keyboard, the focus kept on the moved one),
// Sami one; each list is saved with its public numbers. The public draw page shows the
// rules, the seed and the counts. At the close the agent presses « Lancer le tirage » in
// the back office (unless the server's job ran it first); the family reads each wish's
// result (both children placed in their first wish together, Lina's second wish « sans
// objet ») and both places in « Mes inscriptions »; the public page lists the wishes by
// number, without any name. axe on every screen, no sideways scrolling.
import { ARTIFACTS, env, identity, run } from '../lib/harness.mjs';
import { acceptTerms, activateFromEmail, logIn, signUp } from '../lib/actions.mjs';
import { button, field, link } from '../lib/find.mjs';
import {
  expectAccessible, expectEmail, expectHeading, expectNoHorizontalScroll, expectPath, expectText,
} from '../lib/checks.mjs';
import { createAdministrator, fillStaffCredentials, importDossiers, totp } from '../lib/staff.mjs';

const WIDTH = 390;
const ACTIVITE = `Séjour à la neige ${env.runId}`;
const P1 = 'Semaine 1 : ski alpin';
const P2 = 'Semaine 2 : raquettes';
const NOM = 'Delacroix';
/** From the périodes' creation to the close of wishes: the time to rank them. */
// Long enough for the family's screens under the whole suite running in parallel (75 s was
// not, on 2 cores); the agent waits for the close before drawing.
const WISHES_MS = 150_000;
const dossierAddress = `voeux-${env.runId}@exemple.fr`.toLowerCase();

/** A screenshot in e2e/artifacts when SCREENSHOTS is set (to look at the layout). */
async function shot(page, name) {
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${ARTIFACTS}/voeux-${name}.png`, fullPage: true });
}

/** Checks the page at 390 px: axe, and nothing wider than the screen. */
async function audit(page, label) {
  await expectAccessible(page, label);
  await expectNoHorizontalScroll(page, WIDTH);
}

/** An ISO date `days` from today in Paris. */
function parisDayIn(days) {
  return new Date(Date.now() + days * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
}

/** One call to the API as the agent (JSON in and out). */
async function callApi(path, { method = 'GET', token, body } = {}) {
  const response = await fetch(`${env.baseUrl}${path}`, {
    method,
    headers: {
      Accept: 'application/json',
      ...(body ? { 'Content-Type': 'application/json' } : {}),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

/** The 30-second TOTP step of now: each code is accepted once. */
const totpStep = () => Math.floor(Date.now() / 30_000);

/** The agent's authenticator enrolled and an access token (with the step its code used). */
async function agentToken(agent) {
  const { secret } = await callApi('/api/auth/totp-enrolment', {
    method: 'POST', body: { login: agent.username, password: agent.password },
  });
  const step = totpStep();
  const tokens = await callApi('/api/auth/login', {
    method: 'POST', body: { login: agent.username, password: agent.password, totp_code: totp(secret) },
  });
  return { token: tokens.access_token, secret, step };
}

/** « Ajouter une période »: the option of `libelle`, by keyboard, then « Ajouter ». */
async function addWish(page, card, prenom, libelle) {
  const select = card.getByLabel('Ajouter une période');
  const value = await select.evaluate((s, l) => [...s.options].find((o) => o.textContent.startsWith(l))?.value, libelle);
  if (!value) throw new Error(`« ${libelle} » should be offered to ${prenom}`);
  await select.focus();
  await select.selectOption(value);
  await card.getByRole('button', { name: `Ajouter aux vœux de ${prenom}` }).focus();
  await page.keyboard.press('Enter');
  await card.getByRole('listitem').filter({ hasText: libelle }).waitFor();
}

/** The labels of a card's ranked wishes, in order (« 1er vœu : Semaine 1 : ski alpin »). */
async function ranked(card) {
  return card.locator('.voeu-titre').allInnerTexts();
}

/** The accessible name of the focused element. */
async function focusedName(page) {
  return page.evaluate(() => document.activeElement?.getAttribute('aria-label') || document.activeElement?.textContent);
}

await run('voeux_journey', async ({ page, context }) => {
  await importDossiers(
    'numero;role;sexe;nom;prenom;date_naissance;adresse;code_postal;commune;email\n'
    + `63001;responsable;F;${NOM};Maëlle;21/06/1984;12 rue des Écuyers;28000;Chartres;${dossierAddress}\n`
    + `63001;enfant;F;${NOM};Lina;2017-04-02;;;;\n`
    + `63001;enfant;M;${NOM};Sami;2019-06-11;;;;\n`,
  );
  const agent = {
    username: `agentv${env.runId}`.toLowerCase().slice(0, 40),
    email: `agent-voeux-${env.runId}@mairie.exemple.fr`.toLowerCase(),
    password: `Marronnier rose ${env.runId} de la place`,
  };
  await createAdministrator(agent);
  const { token, secret, step } = await agentToken(agent);

  // ── The family links its account to the imported dossier ──────────────────
  const who = identity('vx');
  await page.setViewportSize({ width: WIDTH, height: 800 });
  await signUp(page, env.baseUrl, who, { dossier: { numero: '63001', nom: NOM, prenom: 'Maëlle' } });
  await activateFromEmail(page, env, who.email);
  await logIn(page, who.username, who.password);
  await acceptTerms(page);
  await expectPath(page, '/demarches');
  const codeMail = await expectEmail(env.maildevUrl, dossierAddress, 'Code de rattachement');
  const code = (codeMail.text || '').split('\n').map((l) => l.trim()).find((l) => /^\d{6}$/.test(l));
  if (!code) throw new Error(`no code in « ${codeMail.text} »`);
  await field(page, 'Code de rattachement').fill(code);
  await button(page, 'Valider le code').click();
  await expectText(page, 'Votre compte est rattaché au dossier famille n° 63001.');

  // ── The agent signs in to the back office (a code of another step than the API's) ──
  const staffContext = await context.browser().newContext({
    locale: 'fr-FR', timezoneId: 'Europe/Paris', viewport: { width: WIDTH, height: 800 },
  });
  const staff = await staffContext.newPage();
  staff.setDefaultTimeout(15_000);
  try {
    while (totpStep() === step) await staff.waitForTimeout(1_000);
    await staff.goto(`${env.baseUrl}/backoffice/`);
    await staff.getByRole('heading', { name: 'Espace agents', level: 1 }).waitFor();
    await fillStaffCredentials(staff, agent);
    await field(staff, "Code de l'application d'authentification").fill(totp(secret));
    await button(staff, 'Se connecter').click();
    await staff.getByRole('heading', { name: 'Demandes en attente', level: 1 }).waitFor();

    // ── The agent publishes an activité and two périodes given by draw ─────────
    const activite = await callApi('/api/backoffice/activites', {
      method: 'POST',
      token,
      body: {
        nom: ACTIVITE, description: 'Une semaine à la montagne, en chalet.', categorie: 'sejour',
        lieu: 'Chalet des Aiguilles', age_min: 3, age_max: 11, tarifs: '', pieces_requises: [], publiee: true,
      },
    });
    const fermeture = Math.ceil((Date.now() + WISHES_MS) / 1000) * 1000;
    const periode = (libelle, capacite, days) => callApi(`/api/backoffice/activites/${activite.id}/periodes`, {
      method: 'POST',
      token,
      body: {
        libelle, premier_jour: parisDayIn(days), dernier_jour: parisDayIn(days + 4),
        horaires: 'Du lundi au vendredi', capacite,
        ouverture: new Date(Date.now() - 3_600_000).toISOString(), ouverture_residents: null,
        fermeture: new Date(fermeture).toISOString(), annulation_jours: 7,
        limite_famille: null, liste_attente: true, mode_validation: 'automatique', offre_heures: null,
        statut: 'publiee', attribution: 'equitable',
      },
    });
    const p1 = await periode(P1, 2, 40);
    await periode(P2, 1, 47);

    // ── « Activités »: wishes until the close, then a draw; no « Inscrire » ───
    await link(page, 'Activités').click();
    await expectHeading(page, 'Activités');
    const card = page.getByRole('article', { name: ACTIVITE });
    await card.getByText(/^Attribution équitable : vœux jusqu'au .+, puis tirage au sort$/).first().waitFor();
    if (await page.getByRole('link', { name: `Inscrire : ${ACTIVITE} — ${P1}` }).count()) {
      throw new Error('a période given by draw takes wishes, not enrolments: no « Inscrire »');
    }
    await card.getByRole('link', { name: `Voir le tirage : ${ACTIVITE} — ${P1}` }).waitFor();
    await audit(page, 'activités, attribution équitable');
    await shot(page, 'catalogue');

    // ── « Mes vœux », reached by keyboard ─────────────────────────────────────
    await card.getByRole('link', { name: `Classer mes vœux pour « ${ACTIVITE} »` }).focus();
    await page.keyboard.press('Enter');
    await expectPath(page, `/inscriptions/voeux/${activite.id}`);
    await expectHeading(page, 'Mes vœux');
    const lina = page.getByRole('region', { name: 'Vœux de Lina' });
    const sami = page.getByRole('region', { name: 'Vœux de Sami' });
    await lina.getByText('Aucun vœu pour l\'instant.').waitFor();
    await sami.waitFor();

    // « Ajouter » with nothing chosen: the error is tied to the control.
    await lina.getByRole('button', { name: 'Ajouter aux vœux de Lina' }).click();
    await expectText(page, "Choisissez d'abord une période à ajouter.");
    const described = await lina.getByLabel('Ajouter une période').evaluate((s) => (s.getAttribute('aria-describedby') || '')
      .split(' ').map((id) => document.getElementById(id)?.textContent || '').join(' '));
    if (!described.includes("Choisissez d'abord une période")) throw new Error(`the error should describe the control, got « ${described} »`);
    await audit(page, 'mes vœux, erreur');

    await addWish(page, lina, 'Lina', P1);
    await addWish(page, lina, 'Lina', P2);
    let order = await ranked(lina);
    if (order.join('|') !== `1er vœu : ${P1}|2e vœu : ${P2}`) throw new Error(`Lina's wishes: ${JSON.stringify(order)}`);
    // « Monter » by keyboard: the wish goes first and the focus stays on it (« Descendre »).
    await lina.getByRole('button', { name: `Monter ${P2}` }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((name) => document.activeElement?.getAttribute('aria-label') === name, `Descendre ${P2}`)
      .catch(async () => { throw new Error(`the focus should stay on the moved wish, got « ${await focusedName(page)} »`); });
    order = await ranked(lina);
    if (order[0] !== `1er vœu : ${P2}`) throw new Error(`« Monter » should put ${P2} first: ${JSON.stringify(order)}`);
    await expectText(page, `${P2} : 1er vœu.`);
    await page.keyboard.press('Enter');
    await page.waitForFunction((name) => document.activeElement?.getAttribute('aria-label') === name, `Monter ${P2}`)
      .catch(async () => { throw new Error(`the focus should follow the wish down, got « ${await focusedName(page)} »`); });
    order = await ranked(lina);
    if (order.join('|') !== `1er vœu : ${P1}|2e vœu : ${P2}`) throw new Error(`after « Descendre »: ${JSON.stringify(order)}`);
    await expectText(page, 'Modifications non enregistrées.');
    await lina.getByRole('button', { name: 'Enregistrer les vœux de Lina' }).click();
    await lina.getByRole('status').getByText('Vœux de Lina enregistrés : 2 vœux.').waitFor();

    await addWish(page, sami, 'Sami', P1);
    await sami.getByRole('button', { name: 'Enregistrer les vœux de Sami' }).click();
    await sami.getByRole('status').getByText('Vœux de Sami enregistrés : 1 vœu.').waitFor();

    // Each wish has its public number: 8 characters shown, the whole one in its title.
    const numbers = await page.locator('.numero').evaluateAll((all) => all.map((n) => n.getAttribute('title')));
    if (numbers.length !== 3 || numbers.some((n) => !/^[0-9a-f-]{36}$/.test(n || ''))) {
      throw new Error(`expected 3 wish numbers, got ${JSON.stringify(numbers)}`);
    }
    await expectText(page, new RegExp(`N°\\s${numbers[0].replace(/-/g, '').slice(0, 8).toUpperCase()}`));
    await audit(page, 'mes vœux, enregistrés');
    await shot(page, 'mes-voeux');

    // ── The public draw, before it runs ─────────────────────────────────────
    await link(page, 'Voir le tirage et ses règles').click();
    await expectPath(page, `/activites/tirage/${p1.id}`);
    await expectHeading(page, 'Tirage au sort');
    await page.getByRole('heading', { name: 'Règles' }).waitFor();
    await expectText(page, /Les vœux ferment le .+ : le tirage au sort a lieu à ce moment-là\./);
    await page.getByRole('table', { name: 'Places et demandes par période' }).waitFor();
    await audit(page, 'tirage public, avant');
    await shot(page, 'tirage-avant');
    if (Date.now() > fermeture - 1_000) throw new Error('the wishes closed before the family finished: raise WISHES_MS');

    // ── At the close, the agent runs the draw ──────────────────────────────
    await link(staff, 'Activités').click();
    await staff.getByRole('heading', { name: 'Activités', level: 1 }).waitFor();
    await staff.getByRole('region', { name: ACTIVITE }).getByText(/tirage au sort à la fermeture des vœux/).first().waitFor();
    await audit(staff, 'espace agents : activités, avant le tirage');
    await page.waitForTimeout(Math.max(0, fermeture - Date.now()) + 1_000);
    // The list again, now that the wishes are closed.
    await link(staff, 'Demandes').click();
    await staff.getByRole('heading', { name: 'Demandes en attente', level: 1 }).waitFor();
    await link(staff, 'Activités').click();
    const region = staff.getByRole('region', { name: ACTIVITE });
    await region.waitFor();
    const launch = staff.getByRole('button', { name: `Lancer le tirage de la période « ${P1} » de « ${ACTIVITE} »` });
    if (await launch.count()) {
      await launch.click();
      await expectText(staff, `Tirage au sort effectué pour « ${P1}`);
    } else {
      console.log('  the server\'s job ran the draw before the agent');
    }
    await region.getByText(/^Tirage effectué le /).first().waitFor();
    await region.getByRole('link', { name: `Voir le tirage public de la période « ${P1} » de « ${ACTIVITE} » (nouvel onglet)` }).waitFor();
    await audit(staff, 'espace agents : activités, après le tirage');
    await shot(staff, 'agent-tirage');

    // ── The family reads its results: « Activités » loaded afresh (the public pages'
    // bundle), « Tirage effectué le … », then « Mes vœux » (the full app) ────────
    await page.goto(`${env.baseUrl}/activites`);
    const drawnCard = page.getByRole('article', { name: ACTIVITE });
    await drawnCard.getByText(/^Tirage effectué le /).first().waitFor();
    await drawnCard.getByRole('link', { name: `Voir mes vœux pour « ${ACTIVITE} »` }).click();
    await expectPath(page, `/inscriptions/voeux/${activite.id}`);
    await expectHeading(page, 'Mes vœux');
    await expectText(page, 'Le tirage au sort a eu lieu');
    const result = (card, libelle) => card.getByRole('listitem').filter({ hasText: libelle }).locator('.badge');
    await result(lina, P1).filter({ hasText: 'Place attribuée' }).waitFor();
    await result(lina, P2).filter({ hasText: 'Sans objet : place obtenue sur un vœu mieux classé' }).waitFor();
    await result(sami, P1).filter({ hasText: 'Place attribuée' }).waitFor();
    if (await page.getByRole('button', { name: /^(Monter|Descendre|Retirer|Enregistrer)/ }).count()) {
      throw new Error('after the close the wishes are read-only');
    }
    await audit(page, 'mes vœux, résultats');
    await shot(page, 'resultats');
    await link(page, 'Mes inscriptions').click();
    await expectHeading(page, 'Mes inscriptions');
    const places = page.locator('.inscription', { hasText: P1 }).filter({ hasText: 'Confirmée' });
    await places.first().waitFor();
    if ((await places.count()) !== 2) throw new Error(`expected both children confirmed in « ${P1} », found ${await places.count()}`);
    await audit(page, 'mes inscriptions après le tirage');

    // ── The public draw, by number, without names ──────────────────────────
    await page.goto(`${env.baseUrl}/activites/tirage/${p1.id}`);
    await expectHeading(page, 'Tirage au sort');
    await expectText(page, /Tirage effectué le /);
    const lines = page.getByRole('table', { name: `Vœux pour « ${P1} », dans l'ordre du tirage` });
    await lines.waitFor();
    const shown = await lines.locator('tbody tr td:first-child span').evaluateAll((all) => all.map((s) => s.getAttribute('title')));
    const inP1 = [numbers[0], numbers[2]];
    for (const n of inP1) if (!shown.includes(n)) throw new Error(`the wish ${n} should be in the draw of « ${P1} »: ${JSON.stringify(shown)}`);
    const text = await page.locator('main').innerText();
    for (const name of ['Lina', 'Sami', NOM, 'Maëlle']) {
      if (text.includes(name)) throw new Error(`the public draw must not name anyone, found « ${name} »`);
    }
    await expectText(page, 'portail-famille attribution verifier --fichier tirage.json');
    const json = await page.getByRole('link', { name: 'Télécharger le tirage (JSON)' }).getAttribute('href');
    if (json !== `/api/tirages/${p1.id}`) throw new Error(`the JSON link is ${json}`);
    await audit(page, 'tirage public, après');
    await shot(page, 'tirage-apres');
  } catch (error) {
    try {
      const text = await staff.locator('body').innerText({ timeout: 2_000 });
      console.error(`  staff page (${staff.url()}):\n${text.slice(0, 3_000).replace(/^/gm, '    | ')}`);
      await staff.screenshot({ path: `${ARTIFACTS}/voeux_journey-staff-${Date.now()}.png`, fullPage: true });
    } catch { /* the main report follows */ }
    throw error;
  } finally {
    await staffContext.close();
  }
}, { viewport: { width: WIDTH, height: 800 } });
