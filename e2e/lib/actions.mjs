// What a person does on the portal, step by step, keyboard-friendly locators only.
import { button, field, fieldErrorText, link, linkIn } from './find.mjs';
import {
  expectAccessible, expectEmail, expectHeading, expectPath, expectText,
} from './checks.mjs';

/** Runs the axe audit only when asked (the scenarios pass `audit: true`). */
async function maybeAudit(options, page, label) {
  if (options.audit) await expectAccessible(page, label);
}

/** Opens the home page and waits for the app to start. */
export async function openHome(page, baseUrl) {
  await page.goto(`${baseUrl}/`);
  await expectHeading(page, 'Accueil');
}

/** Step 1/3 « Mes informations personnelles ». */
export async function fillPersonalInformation(page, { username, email, password, confirmation }) {
  await field(page, "Nom d'utilisateur").fill(username);
  await field(page, 'Adresse email').fill(email);
  await field(page, 'Mot de passe').fill(password);
  await field(page, 'Confirmez le mot de passe').fill(confirmation ?? password);
}

/** Checks that step 1 refuses a too-short password with the French message under the field. */
export async function expectShortPasswordRefused(page, who) {
  await fillPersonalInformation(page, { ...who, password: 'court', confirmation: 'court' });
  await button(page, 'Suivant').click();
  const expected = 'Le mot de passe doit contenir au moins 12 caractères.';
  const passwordField = field(page, 'Mot de passe');
  await page.waitForFunction(() => document.activeElement?.getAttribute('aria-invalid') === 'true');
  const text = await fieldErrorText(passwordField);
  if (!text.includes(expected)) {
    throw new Error(`expected « ${expected} » under the password field, got « ${text} »`);
  }
  if ((await passwordField.getAttribute('aria-invalid')) !== 'true') {
    throw new Error('the refused password field is not aria-invalid');
  }
}

/**
 * Goes through the sign-up wizard from the home page.
 * `dossier`: { numero, nom, prenom } or null for « nouveau foyer ».
 * Stops on the recap (step 3) unless `submit` is true.
 */
export async function signUp(page, baseUrl, who, { dossier = null, audit = false, checkShortPassword = false, submit = true } = {}) {
  await openHome(page, baseUrl);
  await maybeAudit({ audit }, page, 'accueil');
  await link(page, 'Créer mon compte').click();
  await expectPath(page, '/creer-mon-compte');
  await expectText(page, 'Étape 1/3 : Mes informations personnelles');
  await maybeAudit({ audit }, page, 'création de compte, étape 1');
  if (checkShortPassword) {
    await expectShortPasswordRefused(page, who);
    await maybeAudit({ audit }, page, 'création de compte, étape 1 avec erreurs');
  }
  await fillPersonalInformation(page, who);
  await button(page, 'Suivant').click();
  await expectText(page, 'Étape 2/3 : Mes références dossier');
  await maybeAudit({ audit }, page, 'création de compte, étape 2');
  if (dossier) {
    await fillDossier(page, dossier);
  } else {
    await field(page, 'Je souhaite déclarer un nouveau foyer').check();
  }
  await button(page, 'Suivant').click();
  await expectText(page, 'Étape 3/3 : Récapitulatif');
  await expectText(page, 'Veuillez vérifier que vos informations sont correctes');
  await maybeAudit({ audit }, page, 'création de compte, récapitulatif');
  if (submit) await validateSignUp(page, { audit });
}

/** Step 2/3 with an existing dossier. */
export async function fillDossier(page, { numero, nom, prenom }) {
  await field(page, 'Numéro du dossier famille').fill(numero);
  await field(page, 'Nom').fill(nom);
  await field(page, 'Prénom').fill(prenom);
}

/** « Valider » on the recap, then the thank-you page. */
export async function validateSignUp(page, { audit = false } = {}) {
  await button(page, 'Valider').click();
  await expectHeading(page, 'Merci de votre inscription !');
  await expectText(page, 'Votre compte a été créé avec succès.');
  await maybeAudit({ audit }, page, 'merci');
}

/** Finds the activation email and opens its link; the account is then active. */
export async function activateFromEmail(page, env, email, { audit = false } = {}) {
  const message = await expectEmail(env.maildevUrl, email, 'Activez votre compte');
  const url = linkIn(message, { text: 'Activer mon compte', pathPrefix: '/activation' }, env.baseUrl);
  await page.goto(url);
  await expectText(page, 'Votre compte est désormais actif');
  const fragment = await page.evaluate(() => window.location.hash);
  if (fragment) throw new Error(`the token should be removed from the address bar, found ${fragment}`);
  await maybeAudit({ audit }, page, 'activation');
}

/** Fills the login box of the current page and submits it. */
export async function logIn(page, login, password) {
  await field(page, "Nom d'utilisateur").fill(login);
  await field(page, 'Mot de passe').fill(password);
  await button(page, 'Se connecter').click();
}

/** « J'ai pris connaissance de ces informations » on the consent page. */
export async function acceptTerms(page, { audit = false } = {}) {
  await expectPath(page, '/consentement');
  await expectHeading(page, 'Consentement');
  await expectText(page, 'Conditions générales d\'utilisation', 15_000);
  await page.locator('.terms').waitFor({ state: 'visible' });
  await maybeAudit({ audit }, page, 'consentement');
  await button(page, "J'ai pris connaissance de ces informations").click();
}

/** « Se déconnecter » in the header. */
export async function logOut(page) {
  await button(page, 'Se déconnecter').click();
  await expectText(page, 'Se connecter maintenant !');
}

/** Creates an account through the API (no browser), as a test fixture. */
export async function registerThroughApi(baseUrl, who) {
  const response = await fetch(`${baseUrl}/api/registrations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      username: who.username, email: who.email, password: who.password,
      new_household: true, dossier_reference: null,
    }),
  });
  if (response.status !== 202) {
    throw new Error(`POST /api/registrations answered ${response.status}: ${await response.text()}`);
  }
}

/** An active account, ready to log in (registered through the API, activated by its link). */
export async function createActiveAccount(page, env, who) {
  await registerThroughApi(env.baseUrl, who);
  await activateFromEmail(page, env, who.email);
}
