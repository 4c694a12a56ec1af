// Opening morning (issue 13), at 390 px, on a phone whose clock is 3 minutes fast: a family
// whose dossier the town imported (two children, one too old) signs in; an agent publishes
// (through the API, for speed) an activité and a période opening 35 s later. In « Activités »
// the family filters the catalogue by child (issue 12), then prepares its choice in
// « Inscrire » before the opening: the récapitulatif counts down « Ouverture dans … » by
// the server's clock and « Confirmer » stays disabled until the very instant — not when
// the phone's clock says. The first enrolment is answered 503 + Retry-After: 2 (the page
// intercepts it): « Forte affluence … nouvel essai dans 2 s… » is shown, the SPA sends
// again by itself with the same Idempotency-Key, and the child is confirmed. axe on every
// screen (countdown and busy included), no sideways scrolling.
import { ARTIFACTS, env, identity, run } from '../lib/harness.mjs';
import { acceptTerms, activateFromEmail, logIn, signUp } from '../lib/actions.mjs';
import { button, field, link } from '../lib/find.mjs';
import {
  expectAccessible, expectEmail, expectHeading, expectNoHorizontalScroll, expectPath, expectText,
} from '../lib/checks.mjs';
import { createAdministrator, importDossiers, totp } from '../lib/staff.mjs';

const WIDTH = 390;
const ACTIVITE = `Stage d'escalade ${env.runId}`;
const PERIODE = 'Semaine unique';
/** How long after its creation the période opens: the time to reach the récapitulatif. */
const OPENS_IN_MS = 35_000;
/** The phone's clock is this much ahead of the server's. */
const PHONE_AHEAD_MS = 3 * 60_000;
const dossierAddress = `ouverture-${env.runId}@exemple.fr`.toLowerCase();

/** A screenshot in e2e/artifacts when SCREENSHOTS is set (to look at the layout). */
async function shot(page, name) {
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${ARTIFACTS}/ouverture-${name}.png`, fullPage: true });
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

/** An agent's access token: the authenticator enrolled, then a login with its code. */
async function agentToken(agent) {
  const { secret } = await callApi('/api/auth/totp-enrolment', {
    method: 'POST', body: { login: agent.username, password: agent.password },
  });
  const tokens = await callApi('/api/auth/login', {
    method: 'POST', body: { login: agent.username, password: agent.password, totp_code: totp(secret) },
  });
  return tokens.access_token;
}

await run('opening_countdown', async ({ page }) => {
  // The phone's clock runs 3 minutes fast (`Date` only: the page's monotonic clock and the
  // server are right). A countdown on the phone's clock would open « Confirmer » at once.
  await page.addInitScript((ahead) => {
    const RealDate = Date;
    class PhoneDate extends RealDate {
      constructor(...args) {
        if (args.length) super(...args); else super(RealDate.now() + ahead);
      }

      static now() { return RealDate.now() + ahead; }
    }
    globalThis.Date = PhoneDate;
  }, PHONE_AHEAD_MS);

  await importDossiers(
    'numero;role;sexe;nom;prenom;date_naissance;adresse;code_postal;commune;email\n'
    + `62001;responsable;M;Lefèvre;Karim;12/08/1983;8 place des Halles;28000;Chartres;${dossierAddress}\n`
    + '62001;enfant;F;Lefèvre;Zoé;2019-03-14;;;;\n'
    + '62001;enfant;M;Lefèvre;Malik;2011-09-30;;;;\n',
  );
  const agent = {
    username: `agent${env.runId}`.toLowerCase().slice(0, 40),
    email: `agent-ouverture-${env.runId}@mairie.exemple.fr`.toLowerCase(),
    password: `Platane centenaire ${env.runId} du mail`,
  };
  await createAdministrator(agent);
  const token = await agentToken(agent);

  // ── The family links its account to the imported dossier ──────────────────
  const who = identity('oc');
  await page.setViewportSize({ width: WIDTH, height: 800 });
  await signUp(page, env.baseUrl, who, { dossier: { numero: '62001', nom: 'Lefèvre', prenom: 'Karim' } });
  await activateFromEmail(page, env, who.email);
  await logIn(page, who.username, who.password);
  await acceptTerms(page);
  await expectPath(page, '/demarches');
  const codeMail = await expectEmail(env.maildevUrl, dossierAddress, 'Code de rattachement');
  const code = (codeMail.text || '').split('\n').map((l) => l.trim()).find((l) => /^\d{6}$/.test(l));
  if (!code) throw new Error(`no code in « ${codeMail.text} »`);
  await field(page, 'Code de rattachement').fill(code);
  await button(page, 'Valider le code').click();
  await expectText(page, 'Votre compte est rattaché au dossier famille n° 62001.');

  // ── The agent publishes an activité for 3 to 11 years, opening in 35 s ──────
  const activite = await callApi('/api/backoffice/activites', {
    method: 'POST',
    token,
    body: {
      nom: ACTIVITE, description: 'Blocs et voies, encadrés par un moniteur diplômé.', categorie: 'sport',
      lieu: 'Salle Vertical', age_min: 3, age_max: 11, tarifs: '15 € la séance', pieces_requises: [], publiee: true,
    },
  });
  const opening = Math.ceil((Date.now() + OPENS_IN_MS) / 1000) * 1000;
  const periode = await callApi(`/api/backoffice/activites/${activite.id}/periodes`, {
    method: 'POST',
    token,
    body: {
      libelle: PERIODE, premier_jour: parisDayIn(40), dernier_jour: parisDayIn(44),
      horaires: 'Du lundi au vendredi, 14 h – 17 h', capacite: 12,
      ouverture: new Date(opening).toISOString(), ouverture_residents: null,
      fermeture: new Date(opening + 20 * 86_400_000).toISOString(), annulation_jours: 7,
      limite_famille: null, liste_attente: true, mode_validation: 'automatique', offre_heures: null,
      statut: 'publiee',
    },
  });

  // ── « Activités », filtered by child ───────────────────────────────────────
  await link(page, 'Activités').click();
  await expectHeading(page, 'Activités');
  const card = page.getByRole('article', { name: ACTIVITE });
  await card.getByText('Ouverture des inscriptions le').waitFor();
  await card.getByText(/Ouverture dans (\d+ min )?\d+ s/).waitFor();
  // « Tous mes enfants »: who may join, and briefly why not the other.
  const pour = field(page, 'Pour');
  await pour.waitFor();
  await card.getByText("Peut s'inscrire : Zoé").waitFor();
  await card.getByText("Malik : L'enfant n'a pas l'âge demandé pour cette activité.").waitFor();
  await audit(page, 'activités, tous mes enfants, avant l\'ouverture');
  await shot(page, 'catalogue');
  await pour.selectOption({ label: 'Malik' });
  await expectText(page, /périodes? pour Malik\.|Aucune période n'est ouverte à Malik/);
  if (await card.count()) throw new Error(`« ${ACTIVITE} » is for 3 to 11 years: not for Malik`);
  await audit(page, 'activités pour Malik');
  // By keyboard, from « Tous mes enfants »: the first child; the control keeps the focus
  // and its value while the list changes under it.
  await pour.selectOption({ label: 'Tous mes enfants' });
  await card.waitFor();
  await pour.focus();
  await page.keyboard.press('ArrowDown');
  const first = await pour.evaluate((s) => s.selectedOptions[0]?.textContent);
  if (!['Zoé', 'Malik'].includes(first)) throw new Error(`ArrowDown should choose a child, got ${first}`);
  await expectText(page, new RegExp(`périodes? pour ${first}\\.|Aucune période n'est ouverte à ${first}`));
  const kept = await pour.evaluate((s) => document.activeElement === s && s.selectedOptions[0]?.textContent);
  if (kept !== first) throw new Error(`« Pour » should keep the focus and « ${first} », got ${kept}`);
  await pour.selectOption({ label: 'Zoé' });
  await card.waitFor();
  if (await card.getByText('Peut s\'inscrire').count()) throw new Error('« Peut s\'inscrire » is for « Tous mes enfants » only');

  // ── « Inscrire » before the opening: the choice is prepared ────────────────
  await page.getByRole('link', { name: `Inscrire : ${ACTIVITE} — ${PERIODE}` }).click();
  await expectPath(page, '/inscriptions/nouvelle');
  await page.getByRole('heading', { name: 'Quels enfants inscrire ?' }).waitFor();
  await page.getByLabel(/^Zoé Lefèvre/).check();
  await button(page, 'Suivant').click();
  await page.getByRole('heading', { name: 'Quelles périodes ?' }).waitFor();
  const choice = page.getByRole('checkbox', { name: PERIODE });
  if (!(await choice.isChecked())) throw new Error('a période that only waits for its opening may be chosen beforehand');
  await expectText(page, /ouvre le .* : vous pouvez la choisir dès maintenant/);
  await audit(page, 'inscrire, étape 2 avant l\'ouverture');
  await button(page, 'Suivant').click();
  await page.getByRole('heading', { name: 'Récapitulatif' }).waitFor();

  // ── The countdown, by the server's clock ───────────────────────────────────
  const confirmer = button(page, 'Confirmer');
  const countdown = page.locator('#confirmer-ouverture');
  await countdown.filter({ hasText: /^Ouverture dans (\d+ min )?\d+ s$/ }).waitFor();
  await expectText(page, "Votre choix est prêt : « Confirmer » s'active à l'ouverture des inscriptions");
  if ((await confirmer.getAttribute('aria-disabled')) !== 'true') {
    throw new Error(`« Confirmer » must wait for the opening (${Math.round((opening - Date.now()) / 1000)} s ahead), the phone's clock says it is past`);
  }
  const described = await confirmer.evaluate((b) => (b.getAttribute('aria-describedby') || '').split(' ')
    .map((id) => document.getElementById(id)?.textContent || '').join(' '));
  if (!/Ouverture dans/.test(described)) throw new Error(`« Confirmer » should be described by the countdown, got « ${described} »`);
  // A click before the opening sends nothing.
  let posted = 0;
  page.on('request', (r) => { if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/inscriptions') posted += 1; });
  await confirmer.click({ force: true });
  await page.waitForTimeout(300);
  if (posted) throw new Error('a click on « Confirmer » before the opening sent an enrolment');
  await audit(page, 'récapitulatif, compte à rebours');
  await shot(page, 'compte-a-rebours');
  if (Date.now() > opening - 1_500) throw new Error('the scenario reached the countdown too late to check it: raise OPENS_IN_MS');

  // The instant « Confirmer » is enabled, by the real clock (not the page's `Date`).
  await page.evaluate(() => {
    const target = document.querySelector('.actions button.primary');
    const observer = new MutationObserver(() => {
      if (!target.hasAttribute('aria-disabled')) {
        window.enabledAt = performance.timeOrigin + performance.now();
        observer.disconnect();
      }
    });
    observer.observe(target, { attributes: true, attributeFilter: ['aria-disabled'] });
  });
  await page.waitForFunction(() => window.enabledAt, null, { timeout: OPENS_IN_MS + 10_000 });
  const enabledAt = await page.evaluate(() => window.enabledAt);
  const late = enabledAt - opening;
  if (late < -250 || late > 1_000) {
    throw new Error(`« Confirmer » was enabled ${late} ms after the opening (expected at the instant)`);
  }
  console.log(`  « Confirmer » enabled ${Math.round(late)} ms after the opening (phone ${PHONE_AHEAD_MS / 1000} s fast)`);
  await expectText(page, 'Les inscriptions sont ouvertes : vous pouvez confirmer.');

  // ── The server is saturated: 503 + Retry-After: 2 for the first enrolment ──
  const keys = [];
  await page.route('**/api/inscriptions', async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    keys.push(route.request().headers()['idempotency-key']);
    if (keys.length === 1) {
      return route.fulfill({
        status: 503,
        headers: { 'Retry-After': '2', 'Content-Type': 'application/problem+json' },
        body: JSON.stringify({
          type: 'about:blank', title: 'Service indisponible', status: 503, code: 'service_unavailable',
          detail: 'Trop d\'inscriptions en cours : réessayez dans 2 secondes.',
        }),
      });
    }
    return route.continue();
  });
  await confirmer.click();
  const busy = page.locator('.wait');
  await busy.filter({ hasText: /^Forte affluence : votre demande est conservée, nouvel essai dans [1-3] s…$/ }).waitFor({ timeout: 5_000 });
  await audit(page, 'récapitulatif, forte affluence');
  await shot(page, 'forte-affluence');
  await expectText(page, '1 inscription enregistrée.', 15_000);
  await page.locator('.enrol-recap').getByText('Confirmée').waitFor();
  if (keys.length !== 2) throw new Error(`expected the enrolment sent twice (503, then again), saw ${keys.length}`);
  if (!keys[0] || keys[0] !== keys[1]) throw new Error(`the retry must carry the same Idempotency-Key: ${JSON.stringify(keys)}`);
  await audit(page, 'récapitulatif, résultat');

  // The town's list has the child, once.
  const roster = await callApi(`/api/backoffice/periodes/${periode.id}/inscriptions`, { token });
  const entries = roster.items.map((e) => `${e.enfant} (${e.statut})`);
  if (entries.length !== 1 || !/Zoé/.test(entries[0]) || !/confirmee/.test(entries[0])) {
    throw new Error(`expected Zoé confirmed once in the période, got ${JSON.stringify(entries)}`);
  }
}, { viewport: { width: WIDTH, height: 800 } });
