// Étape 2/3 « Pièces justificatives »: test files, dates, and what a family does there.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { button, field } from './find.mjs';

/**
 * A small valid PDF 1.4: one page with `text` (ASCII), a correct xref table (byte offsets
 * of each object) and trailer, as a PDF reader and the API's checks expect.
 */
export function minimalPdf(text = 'Justificatif de test') {
  const escaped = text.replace(/[\\()]/g, (c) => `\\${c}`);
  const content = `BT /F1 18 Tf 72 770 Td (${escaped}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  // The binary comment tells transfer tools the file is not text.
  let pdf = '%PDF-1.4\n%\xE2\xE3\xCF\xD3\n';
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(pdf, 'latin1'));
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(pdf, 'latin1');
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  pdf += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

/** Writes `content` to a fresh temporary directory as `name`; returns its path. */
export async function tempFile(name, content) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pieces-'));
  const file = path.join(dir, name);
  await writeFile(file, content);
  return file;
}

/** Today in Paris as 'YYYY-MM-DD' (the date the server records as « Présenté le »). */
export function todayIso() {
  return new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
}

/** `iso` plus `months` (negative: minus), the day clamped to the month's end (as chrono). */
export function addMonths(iso, months) {
  const [y, m, d] = iso.split('-').map(Number);
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = total % 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return `${year}-${String(month + 1).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** `iso` minus `days`. */
export function daysBefore(iso, days) {
  const date = new Date(`${iso}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() - days);
  return date.toISOString().slice(0, 10);
}

/** 'YYYY-MM-DD' → 'DD/MM/YYYY'. */
export function french(iso) {
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

/** The row of a table (by its heading) whose text contains every string of `texts`. */
export function rowOf(page, tableName, ...texts) {
  let row = page.getByRole('table', { name: tableName }).getByRole('row');
  for (const text of texts) row = row.filter({ hasText: text });
  return row;
}

/** The open upload dialog. */
export function uploadDialog(page, name = 'Ajouter un justificatif') {
  return page.getByRole('dialog', { name });
}

/**
 * Fills the open dialog: `type` (label), `target` (LIÉ À label, optional), `emisLe`
 * (YYYY-MM-DD), `files` (paths, through the file input). Does not send.
 */
export async function fillPieceDialog(page, { type, target, emisLe, files = [] }, dialogName) {
  const dialog = uploadDialog(page, dialogName);
  await dialog.waitFor();
  if (type) await field(dialog, 'Type de pièce').selectOption({ label: type });
  if (target) await field(dialog, 'Lié à').selectOption({ label: target });
  if (emisLe) await field(dialog, "Date d'émission").fill(emisLe);
  if (files.length) await dialog.getByLabel(/Télécharger un fichier|Ajouter une pièce jointe/).setInputFiles(files);
  return dialog;
}

/** « Envoyer », then waits for the dialog to close and the success to be announced. */
export async function sendPiece(page, typeLabel) {
  await button(uploadDialog(page), 'Envoyer').click();
  await uploadDialog(page).waitFor({ state: 'hidden', timeout: 20_000 });
  await page.locator('.status', { hasText: `Justificatif « ${typeLabel} » envoyé` }).waitFor();
}

export const LIVRET = 'Livret de Famille (Partie parents et enfants)';
export const DOMICILE = 'Justificatif de Domicile de moins de 3 mois';
export const A_FOURNIR = 'Pièces justificatives à fournir';
export const FOURNIES = 'Pièces justificatives fournies';

/**
 * On Étape 2/3: provides the two pieces every household needs (livret de famille, proof of
 * address of 10 days ago) through each row's « Ajouter », with a small valid PDF.
 */
export async function provideRequiredPieces(page) {
  const pdf = await tempFile('justificatif.pdf', minimalPdf('Justificatif'));
  for (const type of [LIVRET, DOMICILE]) {
    await rowOf(page, A_FOURNIR, type).getByRole('button', { name: /^Ajouter/ }).click();
    await fillPieceDialog(page, { emisLe: daysBefore(todayIso(), 10), files: [pdf] });
    await sendPiece(page, type);
    await rowOf(page, A_FOURNIR, type, 'En attente de validation').waitFor();
  }
}
