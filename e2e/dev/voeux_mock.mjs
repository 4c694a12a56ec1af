// Attribution équitable (issue 13) against the stand-in API (mock-api.mjs + mock-voeux.mjs),
// at 390 px: the catalogue's équitable périodes, « Mes vœux » (add, move by keyboard, a
// refusal, save), the public draw before and after, « Lancer le tirage » in the back
// office, and the results. axe on each; SCREENSHOTS=1 saves them in e2e/artifacts.
// Usage: node e2e/dev/voeux_mock.mjs   (after building web/dist)
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ARTIFACTS, run } from '../lib/harness.mjs';
import { acceptTerms, logIn } from '../lib/actions.mjs';
import { link } from '../lib/find.mjs';
import { expectAccessible, expectHeading, expectNoHorizontalScroll, expectText } from '../lib/checks.mjs';

const port = 8000 + Math.floor(Math.random() * 900) + 90;
const base = `http://127.0.0.1:${port}`;
const server = spawn(process.execPath, [path.join(path.dirname(fileURLToPath(import.meta.url)), 'mock-api.mjs'), String(port)], { stdio: 'ignore' });
await new Promise((resolve) => setTimeout(resolve, 700));

const WIDTH = 390;
const ACTIVITE = 'Séjour à la neige';
const P1 = 'Semaine 1 : ski alpin';
const P2 = 'Semaine 2 : raquettes';
async function check(page, label) {
  await expectAccessible(page, label);
  await expectNoHorizontalScroll(page, WIDTH);
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${ARTIFACTS}/mock-voeux-${label.replace(/\W+/g, '-')}.png`, fullPage: true });
}

try {
  await run('voeux_mock', async ({ page }) => {
    await page.goto(`${base}/activites`);
    await expectHeading(page, 'Activités');
    const card = page.getByRole('article', { name: ACTIVITE });
    await card.getByText(/^Attribution équitable : vœux jusqu'au/).first().waitFor();
    await check(page, 'catalogue');
    await card.getByRole('link', { name: `Voir le tirage : ${ACTIVITE} — ${P1}` }).click();
    await expectHeading(page, 'Tirage au sort');
    await check(page, 'tirage avant');
    await page.goto(`${base}/connexion`);
    await logIn(page, 'demo', 'mot de passe valable');
    await acceptTerms(page);
    await link(page, 'Activités').click();
    await page.getByRole('link', { name: `Classer mes vœux pour « ${ACTIVITE} »` }).click();
    await expectHeading(page, 'Mes vœux');
    const lea = page.getByRole('region', { name: 'Vœux de Léa' });
    const tom = page.getByRole('region', { name: 'Vœux de Tom' });
    await tom.getByText('Périodes impossibles pour Tom :').waitFor();
    await check(page, 'mes voeux');
    for (const libelle of [P1, P2]) {
      const select = lea.getByLabel('Ajouter une période');
      const value = await select.evaluate((s, l) => [...s.options].find((o) => o.textContent.startsWith(l))?.value, libelle);
      await select.selectOption(value);
      await lea.getByRole('button', { name: 'Ajouter aux vœux de Léa' }).click();
    }
    await lea.getByRole('button', { name: `Monter ${P2}` }).click();
    await page.waitForFunction((n) => document.activeElement?.getAttribute('aria-label') === n, `Descendre ${P2}`);
    await check(page, 'mes voeux classes');
    await lea.getByRole('button', { name: 'Enregistrer les vœux de Léa' }).click();
    await expectText(page, 'Vœux de Léa enregistrés : 2 vœux.');
    await check(page, 'mes voeux enregistres');

    await fetch(`${base}/api/_mock/voeux-clos`, { method: 'POST' });
    await page.goto(`${base}/backoffice/activites`);
    await page.getByRole('heading', { name: 'Activités', level: 1 }).waitFor();
    await check(page, 'agent activites');
    await page.getByRole('button', { name: `Lancer le tirage de la période « ${P1} » de « ${ACTIVITE} »` }).click();
    await expectText(page, `Tirage au sort effectué pour « ${P1}`);
    await page.getByText(/^Tirage effectué le /).first().waitFor();
    await check(page, 'agent apres tirage');

    await page.goto(`${base}/activites`);
    await card.getByText(/^Tirage effectué le /).first().waitFor();
    await card.getByRole('link', { name: `Voir le tirage : ${ACTIVITE} — ${P1}` }).click();
    await expectText(page, /Tirage effectué le /);
    await page.getByRole('table', { name: `Vœux pour « ${P1} », dans l'ordre du tirage` }).waitFor();
    await check(page, 'tirage apres');
    await link(page, 'Activités').click();
    await card.getByRole('link', { name: `Voir mes vœux pour « ${ACTIVITE} »` }).click();
    await expectText(page, 'Le tirage au sort a eu lieu');
    await expectText(page, 'Sans objet : place obtenue sur un vœu mieux classé');
    await check(page, 'resultats');
    await link(page, 'Mes inscriptions').click();
    await expectHeading(page, 'Mes inscriptions');
    await page.locator('.inscription', { hasText: P2 }).filter({ hasText: 'Confirmée' }).waitFor();
  }, { viewport: { width: WIDTH, height: 800 } });
} finally {
  server.kill();
}
