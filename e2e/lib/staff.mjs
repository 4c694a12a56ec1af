// What a town agent does in the back office (« Espace agents », /backoffice/).
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { button, field } from './find.mjs';

/**
 * Creates an administrator with `portail-famille create-admin` against the test database
 * (PF_BIN and DATABASE_URL come from api/tests/it/browser.rs), password on stdin.
 */
export async function createAdministrator({ username, email, password }) {
  await runPortal(['create-admin', username, email], `${password}\n`);
}

/** Runs `portail-famille <args>` against the test database, `input` on stdin. */
async function runPortal(args, input = '') {
  const bin = process.env.PF_BIN;
  if (!bin || !process.env.DATABASE_URL) throw new Error(`PF_BIN and DATABASE_URL are needed for ${args[0]}`);
  const child = spawn(bin, args, { env: process.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  child.stdin.end(input);
  const code = await new Promise((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`portail-famille ${args[0]} exited with ${code}:\n${output}`);
}

/** Imports the town's existing dossiers (`import-dossiers`, the CSV of the README). */
export async function importDossiers(csv) {
  const dir = await mkdtemp(path.join(tmpdir(), 'pf-import-'));
  const file = path.join(dir, 'dossiers.csv');
  await writeFile(file, csv);
  await runPortal(['import-dossiers', file]);
}

/** RFC 4648 base32 → bytes. */
function base32(secret) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/[\s=]/g, '').toUpperCase()) {
    const value = alphabet.indexOf(c);
    if (value < 0) throw new Error(`not base32: ${c}`);
    bits += value.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The TOTP code (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits) at `unixSeconds`. */
export function totp(secret, unixSeconds = Math.floor(Date.now() / 1000)) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const hmac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = hmac[hmac.length - 1] & 0x0f;
  const value = (hmac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, '0');
}

/** Identifiant and mot de passe on the « Espace agents » login form. */
export async function fillStaffCredentials(page, { username, password }) {
  await field(page, 'Identifiant').fill(username);
  await field(page, 'Mot de passe').fill(password);
  await button(page, 'Se connecter').click();
}

/**
 * First login of a staff account on the back office's login form (already shown): the
 * password, the enrolment of an authenticator (secret read from the page), then its code.
 * Returns the secret, for later logins.
 */
export async function enrolAndLogIn(page, account) {
  await fillStaffCredentials(page, account);
  await page.getByRole('heading', { name: "Associer une application d'authentification" }).waitFor();
  const secret = (await page.locator('.totp-secret').innerText()).replace(/\s+/g, '');
  await field(page, "Code de l'application d'authentification").fill(totp(secret));
  await button(page, 'Se connecter').click();
  await page.getByRole('heading', { name: 'Demandes en attente', level: 1 }).waitFor();
  return secret;
}
