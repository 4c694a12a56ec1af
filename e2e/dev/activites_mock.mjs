// The activités screens against the stand-in API (mock-api.mjs + mock-activites.mjs), at
// 390 px: the public catalogue, « Inscrire » with every reason, « Mes inscriptions »
// (cancel, accept an offered place), and the back office's activités, période list and
// queue. axe on each; SCREENSHOTS=1 saves them in e2e/artifacts.
// Usage: node e2e/dev/activites_mock.mjs   (after building web/dist)
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ARTIFACTS, run } from '../lib/harness.mjs';
import { acceptTerms, logIn } from '../lib/actions.mjs';
import { button, field, link } from '../lib/find.mjs';
import { expectAccessible, expectHeading, expectNoHorizontalScroll, expectPath, expectText } from '../lib/checks.mjs';

const port = 8000 + Math.floor(Math.random() * 900) + 90;
const base = `http://127.0.0.1:${port}`;
const server = spawn(process.execPath, [path.join(path.dirname(fileURLToPath(import.meta.url)), 'mock-api.mjs'), String(port)], { stdio: 'ignore' });
await new Promise((resolve) => setTimeout(resolve, 700));

const WIDTH = 390;
async function check(page, label) {
  await expectAccessible(page, label);
  await expectNoHorizontalScroll(page, WIDTH);
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${ARTIFACTS}/mock-activites-${label.replace(/\W+/g, '-')}.png`, fullPage: true });
}

try {
  await run('activites_mock', async ({ page }) => {
    await page.goto(`${base}/activites`);
    await expectHeading(page, 'Activités');
    await expectText(page, '2 places restantes');
    await expectText(page, "Complet — liste d'attente");
    await expectText(page, /Ouverture des inscriptions le \S+ \d+/);
    await check(page, 'catalogue');
    await page.getByRole('link', { name: /^Inscrire : Vacances sportives hiver 2026 — Semaine 1/ }).click();
    await expectPath(page, '/connexion');
    await logIn(page, 'demo', 'mot de passe valable');
    await acceptTerms(page);
    await expectPath(page, '/inscriptions/nouvelle');
    await page.getByRole('heading', { name: 'Quels enfants inscrire ?' }).waitFor();
    await check(page, 'etape 1');
    await button(page, 'Suivant').click();
    await expectText(page, 'Cochez au moins un enfant.');
    await check(page, 'etape 1 erreur');
    await page.getByLabel(/^Léa Martin/).check();
    await page.getByLabel(/^Tom Martin/).check();
    await button(page, 'Suivant').click();
    await page.getByRole('heading', { name: 'Quelles périodes ?' }).waitFor();
    await expectText(page, /Tom aura 13 ans le .* ; l'activité est pour les 6 à 11 ans\./);
    await check(page, 'etape 2');
    await button(page, 'Voir les autres activités').click();
    await expectText(page, /Les inscriptions ouvrent le/);
    await page.getByRole('checkbox', { name: 'Janvier' }).first().check();
    await check(page, 'etape 2 toutes');
    await button(page, 'Suivant').click();
    await page.getByRole('heading', { name: 'Récapitulatif' }).waitFor();
    await check(page, 'recapitulatif');
    await button(page, 'Confirmer').click();
    await expectText(page, /inscriptions? enregistrées?/);
    await check(page, 'resultat');
    await link(page, 'Voir mes inscriptions').click();
    await expectHeading(page, 'Mes inscriptions');
    await check(page, 'mes inscriptions');
    await page.locator('.inscription', { hasText: 'Confirmée' }).first().getByRole('button', { name: /^Annuler l'inscription/ }).click();
    const dialog = page.getByRole('dialog', { name: "Annuler l'inscription ?" });
    await dialog.waitFor();
    await check(page, 'dialogue annuler');
    await button(dialog, "Annuler l'inscription").click();
    await dialog.waitFor({ state: 'hidden' });
    await expectText(page, /est annulée/);
    await check(page, 'mes inscriptions apres annulation');
    await link(page, 'Démarches').click();
    await expectText(page, 'Mes inscriptions aux activités');
    await check(page, 'demarches');

    // The back office (same mock session).
    await page.goto(`${base}/backoffice/activites`);
    await page.getByRole('heading', { name: 'Activités', level: 1 }).waitFor();
    await check(page, 'agent activites');
    await button(page, 'Nouvelle activité').click();
    await field(page, 'Âge minimum (ans)').fill('9');
    await field(page, 'Âge maximum (ans)').fill('6');
    await button(page, "Créer l'activité").click();
    await expectText(page, "L'âge maximum doit être égal ou supérieur à l'âge minimum.");
    await check(page, 'agent activite erreurs');
    await button(page, 'Annuler').click();
    await button(page, 'Ajouter une période à « Accueil de loisirs du mercredi »').click();
    await button(page, 'Créer la période').click();
    await expectText(page, 'Ce champ est obligatoire.');
    await check(page, 'agent periode erreurs');
    await button(page, 'Annuler').click();
    await page.getByRole('link', { name: /^Liste des inscrits de la période « Semaine 1 : 6 – 8 ans/ }).click();
    await page.getByRole('heading', { name: 'Liste des inscrits', level: 1 }).waitFor();
    await check(page, 'agent liste');
    await field(page, 'Numéro du dossier famille').fill('17484');
    await button(page, 'Rechercher').click();
    await page.getByLabel(/^Tom Martin/).check();
    await button(page, 'Inscrire').click();
    await expectText(page, /Tom Martin : /);
    await page.getByRole('button', { name: /^Annuler l'inscription de Tom/ }).click();
    const motif = page.getByRole('dialog');
    await motif.waitFor();
    await button(motif, "Annuler l'inscription").click();
    await expectText(page, 'Indiquez le motif : la famille le lira.');
    await check(page, 'agent dialogue motif');
    await field(motif, 'Motif').fill('Erreur de saisie.');
    await button(motif, "Annuler l'inscription").click();
    await motif.waitFor({ state: 'hidden' });
    await check(page, 'agent liste apres');
    await page.goto(`${base}/backoffice/inscriptions-a-valider`);
    await page.getByRole('heading', { name: 'Inscriptions à valider', level: 1 }).waitFor();
    await check(page, 'agent a valider');
  }, { viewport: { width: WIDTH, height: 800 } });
} finally {
  server.kill();
}
