// What a family does in « Ma demande de création de dossier famille ».
import { button, field } from './find.mjs';
import { expectAccessible, expectHeading, expectPath, expectText } from './checks.mjs';
import { acceptTerms, createActiveAccount, logIn, openHome } from './actions.mjs';

/** An active account, logged in through the UI, CGU accepted, on « Mes démarches ». */
export async function signedInFamily(page, env, who) {
  await createActiveAccount(page, env, who);
  await openHome(page, env.baseUrl);
  await logIn(page, who.username, who.password);
  await acceptTerms(page);
  await expectPath(page, '/demarches');
  await expectHeading(page, 'Mes démarches');
}

/** « Créer mon dossier en ligne » from « Mes démarches »; returns the wizard's URL. */
export async function createDossier(page) {
  await button(page, 'Créer mon dossier en ligne').click();
  await page.waitForURL((url) => url.pathname.startsWith('/demarches/dossier/'));
  await expectText(page, 'Composez votre foyer');
  return page.url().split('?')[0];
}

/** Waits for the « Enregistré à HH:MM » status after a save. */
export async function expectSaved(page) {
  await page.locator('.save-status', { hasText: /Enregistré à \d\d:\d\d/ }).waitFor();
}

/**
 * Fills the household address and stays in its last field: the address is saved when the
 * field is left, and the caller's next click (« Ajouter un responsable », « Suivant ») is
 * what leaves it — that click must still do its job.
 */
export async function fillAddress(page, { adresse, codePostal, commune }) {
  await field(page, 'Adresse').fill(adresse);
  await field(page, 'Code postal').fill(codePostal);
  await field(page, 'Commune').fill(commune);
}

/** An ISO date `days` from today (for type=date inputs). */
export function isoInDays(days) {
  const d = new Date(Date.now() + days * 86_400_000);
  return d.toISOString().slice(0, 10);
}

/**
 * Fills the open member form. `m`: { sexe: 'Féminin', nom, prenom, naissance: 'YYYY-MM-DD',
 * mobile, unborn: true, prevue: 'YYYY-MM-DD' }.
 */
export async function fillMember(page, m) {
  const form = page.locator('.member-editor');
  if (m.unborn) await form.getByLabel('Enfant à naître', { exact: true }).check();
  if (m.sexe) await form.getByLabel(m.sexe, { exact: true }).check();
  if (m.nom !== undefined) await field(form, 'Nom').fill(m.nom);
  if (m.prenom !== undefined) await field(form, 'Prénom').fill(m.prenom);
  if (m.naissance) await field(form, 'Date de naissance').fill(m.naissance);
  if (m.prevue) await field(form, 'Date de naissance prévue').fill(m.prevue);
  if (m.mobile !== undefined) await field(form, 'Téléphone mobile').fill(m.mobile);
}

/** Sets one adult's link in « Liens de parenté ». */
export async function setLink(page, adultLegend, { relation, autorite = false, urgence = false, recuperer = false }) {
  const group = page.getByRole('group', { name: adultLegend });
  await group.getByLabel('Lien').selectOption({ label: relation });
  for (const [label, on] of [['Autorité parentale', autorite], ["Contact en cas d'urgence", urgence], ["Autorisé à récupérer l'enfant", recuperer]]) {
    const box = group.getByLabel(label);
    if (on) await box.check(); else await box.uncheck();
  }
}

/** Adds one member through « + ROLE », fills it and saves it (children: links too). */
export async function addMember(page, { add, title, member, links = [], audit = false, keyboard = false }) {
  if (keyboard) {
    // Keyboard only: Enter on the button, the focus lands on the form's heading.
    await button(page, add).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((t) => document.activeElement?.textContent === t, title)
      .catch(() => { throw new Error(`the focus should move to « ${title} »`); });
  } else {
    await button(page, add).click();
  }
  await page.getByRole('heading', { name: title }).waitFor();
  if (audit) await expectAccessible(page, title);
  await fillMember(page, member);
  if (add === 'Ajouter un enfant') {
    await button(page, 'Suivant').click();
    await page.getByRole('heading', { name: 'Liens de parenté' }).waitFor();
    if (audit) await expectAccessible(page, `${title} — liens de parenté`);
    for (const l of links) await setLink(page, l.adult, l);
  }
  if (keyboard) {
    await button(page, 'Enregistrer').focus();
    await page.keyboard.press('Enter');
  } else {
    await button(page, 'Enregistrer').click();
  }
  await page.locator('.member-editor').waitFor({ state: 'detached' });
  await expectSaved(page);
  if (keyboard) {
    await page.waitForFunction(() => document.activeElement?.textContent === 'Composez votre foyer')
      .catch(() => { throw new Error('after saving, the focus should go back to « Composez votre foyer »'); });
  }
}

/**
 * Makes the window as tall as the page, so that it does not scroll, as on a big screen
 * with a short dossier; returns a function that restores the previous size. When the page
 * is scrolled, the browser's scroll anchoring hides a line that appears above the button
 * being pressed; at the top of a page nothing does, and a press that moves the button
 * loses its click (issue 11).
 */
export async function withoutScrolling(page) {
  const before = page.viewportSize();
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: before.width, height: Math.max(before.height, height + 200) });
  await page.evaluate(() => window.scrollTo(0, 0));
  return () => page.setViewportSize(before);
}
