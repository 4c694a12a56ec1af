// Two tabs on the same draft (optimistic locking, If-Match): tab A changes the
// responsable's first name and the town; tab B, still on the old version, changes the
// mobile number and the address. Tab B is told in plain French that the dossier changed
// meanwhile, « Recharger » takes A's changes and keeps what B typed, and B's save applies
// on top of the fresh version.
import { env, identity, run } from '../lib/harness.mjs';
import { button, field } from '../lib/find.mjs';
import { expectAccessible, expectText } from '../lib/checks.mjs';
import { addMember, createDossier, expectSaved, fillAddress, signedInFamily } from '../lib/dossier.mjs';

const CONFLICT = 'Ce dossier a été modifié entre-temps (autre onglet ou autre parent).';

await run('dossier_conflict', async ({ page, context }) => {
  const who = identity('dc');
  await signedInFamily(page, env, who);
  const wizardUrl = await createDossier(page);
  await fillAddress(page, { adresse: '1 place des Halles', codePostal: '28000', commune: 'Chartres' });
  await addMember(page, {
    add: 'Ajouter un responsable', title: 'Ajout du responsable',
    member: { sexe: 'Féminin', nom: 'DEMONSTRATION', prenom: 'Mère', naissance: '1985-03-02', mobile: '06 12 34 56 78' },
  });

  // Tab B opens the same draft, then its member form.
  const tabB = await context.newPage();
  tabB.setDefaultTimeout(15_000);
  await tabB.goto(wizardUrl);
  await expectText(tabB, 'Mère DEMONSTRATION');
  await button(tabB, 'Modifier Mère DEMONSTRATION').click();
  await tabB.getByRole('heading', { name: /^Modification/ }).waitFor();

  // Tab A changes the first name and the town.
  await page.bringToFront();
  await field(page, 'Commune').fill('Lucé');
  await field(page, 'Commune').press('Tab');
  await expectSaved(page);
  await button(page, 'Modifier Mère DEMONSTRATION').click();
  await field(page.locator('.member-editor'), 'Prénom').fill('Marie');
  await button(page, 'Enregistrer').click();
  await page.locator('.member-editor').waitFor({ state: 'detached' });
  await expectText(page, 'Marie DEMONSTRATION');

  // Tab B, on the old version, saves its own change.
  await tabB.bringToFront();
  const form = tabB.locator('.member-editor');
  await field(form, 'Téléphone mobile').fill('07 00 00 00 01');
  await button(tabB, 'Enregistrer').click();
  await expectText(tabB, CONFLICT);
  await tabB.waitForFunction(() => document.activeElement?.textContent === 'Recharger');
  await expectAccessible(tabB, 'conflit de version');
  await button(tabB, 'Recharger').click();
  await expectText(tabB, 'Dossier rechargé');
  const mobile = await field(form, 'Téléphone mobile').inputValue();
  if (mobile !== '07 00 00 00 01') throw new Error(`the typed phone number was lost: « ${mobile} »`);
  const prenom = await field(form, 'Prénom').inputValue();
  if (prenom !== 'Marie') throw new Error(`the other tab's first name was not taken: « ${prenom} »`);
  await button(tabB, 'Enregistrer').click();
  await form.waitFor({ state: 'detached' });
  await expectSaved(tabB);
  await expectText(tabB, 'Marie DEMONSTRATION');

  // The address: now tab A is behind. Its new street is refused, then kept through
  // « Recharger » and saved on top of B's version automatically.
  await page.bringToFront();
  await field(page, 'Adresse').fill('3 rue du Bois');
  await field(page, 'Adresse').press('Tab');
  await expectText(page, CONFLICT);
  await button(page, 'Recharger').click();
  await expectSaved(page);
  // Tab B, behind again, changes the postal code: A's street and town survive.
  await tabB.bringToFront();
  const kept = await field(tabB, 'Commune').inputValue();
  if (kept !== 'Lucé') throw new Error(`tab B should show the reloaded town, got « ${kept} »`);
  await field(tabB, 'Code postal').fill('28110');
  await field(tabB, 'Code postal').press('Tab');
  await expectText(tabB, CONFLICT);
  await button(tabB, 'Recharger').click();
  await expectSaved(tabB);
  const after = {
    adresse: await field(tabB, 'Adresse').inputValue(),
    codePostal: await field(tabB, 'Code postal').inputValue(),
    commune: await field(tabB, 'Commune').inputValue(),
  };
  if (after.adresse !== '3 rue du Bois' || after.codePostal !== '28110' || after.commune !== 'Lucé') {
    throw new Error(`address after the merge: ${JSON.stringify(after)}`);
  }

  // What the server holds now: both tabs' changes.
  await page.bringToFront();
  await page.reload();
  await expectText(page, 'Marie DEMONSTRATION');
  await page.goto(`${wizardUrl}?etape=3`);
  await page.getByRole('heading', { name: 'Récapitulatif', exact: true }).waitFor();
  await expectText(page, '07 00 00 00 01');
  await expectText(page, '28110');
  await expectText(page, '3 rue du Bois');
});
