// Sign-up step 2 « Mes références dossier » with a dossier the town imported, both ways of
// proving that it is the family's (SECURITY.md A-15):
// - by code: the reference (typed in another case, without accents) only starts the
//   rattachement; once active, « Mes démarches » asks for the code sent to the dossier's
//   address on record — never shown —, a wrong code is refused under the field, the right
//   one links the account;
// - by validation: a dossier without an address on record becomes a « demande de
//   rattachement à un dossier » that the family sees waiting, and that an agent finds with
//   the « Type de demande » filter and validates in the back office.
// A wrong reference first gets the generic French error without navigating. axe throughout.
import { env, identity, run } from '../lib/harness.mjs';
import {
  acceptTerms, activateFromEmail, fillDossier, logIn, logOut, signUp, validateSignUp,
} from '../lib/actions.mjs';
import { button, field, fieldErrorText, link } from '../lib/find.mjs';
import {
  expectAccessible, expectEmail, expectHeading, expectPath, expectText,
} from '../lib/checks.mjs';
import { createAdministrator, enrolAndLogIn, importDossiers } from '../lib/staff.mjs';

const dossierAddress = `dossier-${env.runId}@exemple.fr`.toLowerCase();

await run('signup_existing_dossier', async ({ page, context }) => {
  await importDossiers(
    'numero;role;sexe;nom;prenom;date_naissance;adresse;code_postal;commune;email\n'
    + `60001;responsable;F;N'Guessan;Aïcha;02/03/1985;3 rue de la Paix;28000;Chartres;${dossierAddress}\n`
    + '60001;enfant;M;N\'Guessan;Léo;2019-05-05;;;;\n'
    + '60002;responsable;M;Martin;Éloi;04/05/1983;8 rue Noël Ballay;28000;Chartres;\n',
  );

  // ── By code ────────────────────────────────────────────────────────────────
  const who = identity('ed');
  await signUp(page, env.baseUrl, who, {
    dossier: { numero: '60001', nom: 'inconnu', prenom: 'personne' },
    submit: false,
  });
  await button(page, 'Valider').click();
  await expectText(page, 'Aucun dossier ne correspond à ces informations');
  await expectPath(page, '/creer-mon-compte');
  await expectText(page, 'Étape 2/3 : Mes références dossier');
  await expectAccessible(page, 'création de compte, dossier introuvable');

  await fillDossier(page, { numero: '60001', nom: 'n guessan', prenom: 'aicha' });
  await button(page, 'Suivant').click();
  await expectText(page, 'Étape 3/3 : Récapitulatif');
  await page.getByRole('cell', { name: '60001', exact: true }).waitFor();
  await page.getByRole('cell', { name: 'Famille', exact: true }).waitFor();
  await validateSignUp(page);
  await expectText(page, 'terminez le rattachement à votre dossier famille');

  await activateFromEmail(page, env, who.email);
  await logIn(page, who.username, who.password);
  await acceptTerms(page);
  await expectPath(page, '/demarches');
  await expectText(page, 'Rattachement au dossier famille n° 60001');
  await expectText(page, "Un code a été envoyé à l'adresse enregistrée pour ce dossier.");
  const body = await page.locator('main').innerText();
  if (body.includes(dossierAddress)) throw new Error('the address on record must never be shown');
  if (body.includes('Léo')) throw new Error('nothing of the dossier before the code');
  if (await button(page, 'Créer mon dossier en ligne').count()) {
    throw new Error('an account waiting for its rattachement must not be offered to create a dossier');
  }
  await expectAccessible(page, 'mes démarches (code de rattachement)');

  const codeMail = await expectEmail(env.maildevUrl, dossierAddress, 'Code de rattachement');
  const code = (codeMail.text || '').split('\n').map((l) => l.trim()).find((l) => /^\d{6}$/.test(l));
  if (!code) throw new Error(`no code in « ${codeMail.text} »`);
  const wrong = code === '000000' ? '000001' : '000000';
  await field(page, 'Code de rattachement').fill(wrong);
  await button(page, 'Valider le code').click();
  await page.waitForFunction(() => document.activeElement?.getAttribute('aria-invalid') === 'true');
  const error = await fieldErrorText(field(page, 'Code de rattachement'));
  if (!error.includes("Ce code n'est pas le bon")) throw new Error(`unexpected message under the code: « ${error} »`);
  await expectAccessible(page, 'mes démarches (code refusé)');
  await field(page, 'Code de rattachement').fill(`${code.slice(0, 3)} ${code.slice(3)}`);
  await button(page, 'Valider le code').click();
  await expectText(page, 'Votre compte est rattaché au dossier famille n° 60001.');
  if (await button(page, 'Créer mon dossier en ligne').count()) {
    throw new Error('a linked account must not be offered to create a dossier');
  }
  await link(page, 'Mon compte').click();
  await expectHeading(page, 'Mon compte');
  await expectText(page, 'Comptes rattachés à mon dossier');
  await expectText(page, `${who.username} (vous)`);
  await expectAccessible(page, 'mon compte (comptes rattachés)');
  await logOut(page);

  // ── By an agent's validation ───────────────────────────────────────────────
  const other = identity('ev');
  await signUp(page, env.baseUrl, other, { dossier: { numero: '60002', nom: 'MARTIN', prenom: 'eloi' } });
  await activateFromEmail(page, env, other.email);
  await logIn(page, other.username, other.password);
  await acceptTerms(page);
  await expectPath(page, '/demarches');
  await expectText(page, 'Rattachement au dossier famille n° 60002');
  await expectText(page, 'En attente de validation');
  await expectAccessible(page, 'mes démarches (rattachement en attente)');
  await link(page, 'Consulter ma demande').click();
  await expectText(page, 'Ma demande de rattachement à un dossier');
  if ((await page.locator('main').innerText()).includes('Noël Ballay')) {
    throw new Error('nothing of the dossier while the agent has not decided');
  }
  await expectAccessible(page, 'consulter ma demande de rattachement');

  const agent = {
    username: `agent${env.runId}`.toLowerCase().slice(0, 40),
    email: `agent-${env.runId}@mairie.exemple.fr`.toLowerCase(),
    password: `Tilleul argenté ${env.runId} du jardin public`,
  };
  await createAdministrator(agent);
  const staffContext = await context.browser().newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  const staff = await staffContext.newPage();
  staff.setDefaultTimeout(15_000);
  try {
    await staff.goto(`${env.baseUrl}/backoffice/`);
    await staff.getByRole('heading', { name: 'Espace agents', level: 1 }).waitFor();
    await enrolAndLogIn(staff, agent);
    await staff.getByLabel('Type de demande').selectOption('rattachement_dossier');
    await button(staff, 'Rechercher').click();
    await expectText(staff, '1 demande trouvée.');
    await staff.getByRole('cell', { name: 'Demande de rattachement à un dossier', exact: true }).waitFor();
    await link(staff, 'Éloi Martin').click();
    await staff.getByRole('heading', { name: /Demande de rattachement au dossier n° 60002/ }).waitFor();
    await expectText(staff, other.username);
    await expectText(staff, other.email);
    if (await button(staff, 'Demander un complément').count()) throw new Error('nothing to complete in a rattachement');
    await expectAccessible(staff, 'examen d\'une demande de rattachement');
    await button(staff, 'Rattacher le compte au dossier').click();
    await staff.getByRole('dialog').waitFor();
    await button(staff, 'Rattacher le compte').click();
    await expectText(staff, 'Compte rattaché au dossier.');
  } finally {
    await staffContext.close();
  }

  await expectEmail(env.maildevUrl, other.email, 'Votre demande de rattachement');
  await link(page, 'Démarches').click();
  await expectText(page, 'Votre compte est rattaché au dossier famille n° 60002.');
  await expectAccessible(page, 'mes démarches (rattaché par un agent)');
});
