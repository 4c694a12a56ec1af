// The session timers against an API started with short lifetimes, e.g.
//   ACCESS_TOKEN_TTL_SECONDS=40 SESSION_IDLE_TIMEOUT_SECONDS=80
// An active user is silently kept signed in past both; an idle one gets the « Votre session
// va expirer » dialog, can stay, and is signed out after the idle timeout. Takes ~4 minutes.
// Usage: BASE_URL=… MAILDEV_URL=… IDLE_SECONDS=80 node e2e/dev/session_expiry.mjs
import { env, identity, run } from '../lib/harness.mjs';
import { acceptTerms, createActiveAccount, logIn } from '../lib/actions.mjs';
import { button } from '../lib/find.mjs';
import { expectHeading, expectPath, expectText } from '../lib/checks.mjs';

const idle = Number(process.env.IDLE_SECONDS || 80) * 1000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

await run('session_expiry', async ({ page }) => {
  const who = identity('se');
  await createActiveAccount(page, env, who);
  await logIn(page, who.username, who.password);
  await acceptTerms(page);
  await page.goto(`${env.baseUrl}/mon-compte`);
  await expectHeading(page, 'Mon compte');
  const dialog = page.getByRole('alertdialog', { name: 'Votre session va expirer' });

  // Active for longer than the idle timeout: no dialog, still signed in.
  const until = Date.now() + idle * 1.2;
  while (Date.now() < until) {
    await page.keyboard.press('Shift');
    if (await dialog.isVisible()) throw new Error('the dialog opened although the user was active');
    await sleep(3_000);
  }
  await page.getByRole('button', { name: 'Suivant', exact: true }).waitFor();
  await page.reload();
  await expectHeading(page, 'Mon compte');

  // Idle: the warning opens, focus inside; « Rester connecté » keeps the session.
  await dialog.waitFor({ timeout: idle });
  await button(page, 'Rester connecté').click();
  await dialog.waitFor({ state: 'hidden' });
  await expectHeading(page, 'Mon compte');

  // Idle again, ignoring the warning: signed out, told why.
  await dialog.waitFor({ timeout: idle });
  await expectPath(page, '/connexion', idle);
  await expectText(page, 'Votre session a expiré');
});
