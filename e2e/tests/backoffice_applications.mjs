// « Applications connectées » (issue 14) against the real API, on a 390 px phone: an
// administrator connects the town's enfance software — first with no permission and a
// wrong address (each error tied to its field, the focus on the first), then properly —
// and reads the credentials shown once; the software gets a token with them
// (OAuth 2.0 client credentials) and syncs the dossiers; the list shows its use. A new
// secret is shown once, after a confirmation; revoking it, after another, makes its
// token refused at the next request. Its events panel (none yet). axe on the page and
// each dialog, no horizontal scrolling.
import { ARTIFACTS, env, run } from '../lib/harness.mjs';
import { button, field, fieldErrorText, link } from '../lib/find.mjs';
import { expectAccessible, expectHeading, expectNoHorizontalScroll, expectText } from '../lib/checks.mjs';
import { createAdministrator, enrolAndLogIn } from '../lib/staff.mjs';

const run_ = env.runId;
const NAME = `Logiciel enfance ${run_}`;
const WIDTH = 390;

/** An access token for the application, as its software asks for one. */
async function token(clientId, secret) {
  const response = await fetch(`${env.baseUrl}/api/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  const body = await response.json();
  if (response.status !== 200) throw new Error(`token refused (${response.status}): ${JSON.stringify(body)}`);
  return body.access_token;
}

async function syncStatus(accessToken) {
  const response = await fetch(`${env.baseUrl}/api/integration/v1/dossiers`, { headers: { authorization: `Bearer ${accessToken}` } });
  return response.status;
}

/** The client id and secret the page shows. */
async function shownCredentials(page) {
  const card = page.getByRole('region', { name: /^Identifiants de « / });
  await card.waitFor();
  const codes = await card.locator('dd code').allInnerTexts();
  return { clientId: codes[0], secret: codes[1] };
}

await run('backoffice_applications', async ({ page }) => {
  const admin = {
    username: `admin${run_}`.toLowerCase().slice(0, 40),
    email: `admin-${run_}@mairie.exemple.fr`.toLowerCase(),
    password: `Tilleul argenté ${run_} du mail`,
  };
  await createAdministrator(admin);
  await page.goto(`${env.baseUrl}/backoffice/`);
  await page.getByRole('heading', { name: 'Espace agents', level: 1 }).waitFor();
  await enrolAndLogIn(page, admin);
  const menu = page.getByRole('navigation', { name: "Menu de l'espace agents" });
  await link(menu, 'Administration').click();
  await expectHeading(page, 'Administration');
  await page.getByRole('heading', { name: 'Applications connectées' }).waitFor();
  await expectText(page, /^\d+ application\(s\)\.$/);

  // Refused field by field: the errors are tied to their fields.
  await field(page, "Nom de l'application").fill(NAME);
  await field(page, 'Adresse email du contact technique').fill('pas une adresse');
  await button(page, "Connecter l'application").click();
  const email = field(page, 'Adresse email du contact technique');
  await page.waitForFunction(() => document.activeElement?.getAttribute('aria-invalid') === 'true');
  if (!/adresse email/i.test(await fieldErrorText(email))) throw new Error('the email error should be tied to its field');
  const scopes = page.getByRole('group', { name: /^Permissions/ });
  if (!/Cochez au moins une case/.test(await fieldErrorText(scopes))) throw new Error('the permissions error should be tied to the group');
  await expectAccessible(page, 'applications connectées, erreurs');

  // Connected, with one permission.
  await email.fill('dsi@mairie.exemple.fr');
  await page.getByRole('checkbox', { name: /\(dossiers:read\)$/ }).check();
  await button(page, "Connecter l'application").click();
  const first = await shownCredentials(page);
  await page.waitForFunction(() => document.activeElement?.id === 'secret-application');
  await expectText(page, 'il ne sera plus jamais affiché');
  await expectNoHorizontalScroll(page, WIDTH);
  await expectAccessible(page, 'identifiants affichés une fois');
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${ARTIFACTS}/backoffice-applications-390.png`, fullPage: true });

  // The software syncs with them; the list shows it.
  const access = await token(first.clientId, first.secret);
  if ((await syncStatus(access)) !== 200) throw new Error('the sync should be allowed');
  await page.reload();
  await page.getByRole('heading', { name: 'Applications connectées' }).waitFor();
  const row = page.getByRole('row').filter({ hasText: NAME });
  await row.waitFor();
  await row.getByText('dossiers:read', { exact: true }).waitFor();
  if (await page.getByText(first.secret).count()) throw new Error('the secret must never be shown again');
  await expectNoHorizontalScroll(page, WIDTH);

  // A new secret, after a confirmation.
  await button(page, `Nouveau secret : ${NAME}`).click();
  const rotate = page.getByRole('dialog', { name: `Donner un nouveau secret à « ${NAME} » ?` });
  await rotate.waitFor();
  await expectAccessible(page, 'dialogue « Nouveau secret »');
  await button(rotate, 'Créer le secret').click();
  await rotate.waitFor({ state: 'hidden' });
  const second = await shownCredentials(page);
  if (second.secret === first.secret || second.clientId !== first.clientId) throw new Error('a new secret for the same client');
  await token(first.clientId, first.secret); // still valid during the overlap
  await token(second.clientId, second.secret);

  // Its events: none subscribed yet (the application subscribes itself).
  await button(page, `Événements : ${NAME}`).click();
  await page.getByRole('heading', { name: `Événements de « ${NAME} »` }).waitFor();
  await page.waitForFunction(() => document.activeElement?.id === 'evenements-titre');
  await expectText(page, /^Aucun abonnement/);
  await expectAccessible(page, 'événements d\'une application');

  // Revoked, after a confirmation: its token is refused at once.
  await button(page, `Révoquer : ${NAME}`).click();
  const revoke = page.getByRole('dialog', { name: `Révoquer « ${NAME} » ?` });
  await revoke.waitFor();
  await expectAccessible(page, 'dialogue « Révoquer »');
  await button(revoke, 'Révoquer').click();
  await revoke.waitFor({ state: 'hidden' });
  await expectText(page, `« ${NAME} » est révoquée : ses requêtes sont refusées.`);
  await row.getByText(/^Révoquée le /).waitFor();
  if ((await syncStatus(access)) !== 401) throw new Error('a revoked application must be refused');
  await expectAccessible(page, 'application révoquée');
}, { viewport: { width: WIDTH, height: 844 } });
