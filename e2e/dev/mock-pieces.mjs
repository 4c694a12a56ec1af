// The pièces justificatives endpoints of the stand-in API (see mock-api.mjs), in memory:
// the catalogue of migrations/*/2026-11-26-000004_pieces, multipart uploads with the
// server's refusals (413 over 10 MiB, 415 when the content is not the format, 422 for dates,
// targets, counts and active PDF content, Idempotency-Key replays), replace, delete and
// download. Rules as in shared/src/pieces.rs; the real API stays the reference.
import { randomUUID, createHash } from 'node:crypto';

const MIB = 1024 * 1024;
export const LIMITS = { file: 10 * MIB, perPiece: 5, files: 20, bytes: 100 * MIB };

const t = (code, libelle, cible, roles, formats, validite, emis, exigence, aide, position) => ({
  code, libelle, cible, roles, formats, validite, emis_depuis_moins_de_mois: emis, exigence, aide, position,
});
export const CATALOGUE = [
  t('livret_famille', 'Livret de Famille (Partie parents et enfants)', 'dossier', [], ['pdf'], { regle: 'aucune' }, null, 'toujours', 'Les pages des parents et de chaque enfant.', 1),
  t('justificatif_domicile', 'Justificatif de Domicile de moins de 3 mois', 'dossier', [], ['pdf'], { regle: 'mois', mois: 3 }, 3, 'toujours', "Facture d'électricité, de gaz, d'eau, de téléphone fixe ou quittance de loyer.", 2),
  t('jugement_residence', 'Jugement fixant la résidence des enfants', 'dossier', [], ['pdf'], { regle: 'aucune' }, null, 'si_separe_ou_divorce', "Demandé lorsqu'un responsable est séparé ou divorcé.", 3),
  t('attestation_caf', 'Attestation CAF (quotient familial)', 'dossier', [], ['pdf'], { regle: 'fin_annee_scolaire' }, 3, 'facultative', "Permet d'appliquer le tarif correspondant à votre quotient familial.", 4),
  t('avis_imposition', "Avis d'imposition", 'dossier', [], ['pdf'], { regle: 'mois', mois: 12 }, null, 'facultative', "Le dernier avis reçu, à défaut d'attestation CAF.", 5),
  t('carnet_vaccinations', 'Carnet de vaccinations', 'personne', ['enfant'], ['pdf', 'jpeg', 'png'], { regle: 'aucune' }, null, 'facultative', "Les pages des vaccinations de l'enfant (une photo lisible convient).", 6),
  t('attestation_assurance', "Attestation d'assurance (responsabilité civile et individuelle accident)", 'personne', ['enfant'], ['pdf'], { regle: 'fin_annee_scolaire' }, null, 'facultative', 'Pour les activités périscolaires et extrascolaires.', 7),
];

// Calendar dates as 'YYYY-MM-DD' strings, months added the chrono way (day clamped).
const today = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
const addMonths = (iso, n) => {
  const [y, m, d] = iso.split('-').map(Number);
  const total = y * 12 + (m - 1) + n;
  const year = Math.floor(total / 12);
  const month = total % 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return `${year}-${String(month + 1).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
};
const finValidite = (type, emis) => {
  if (type.validite.regle === 'mois') return addMonths(emis, type.validite.mois);
  if (type.validite.regle === 'fin_annee_scolaire') {
    const [y, m] = emis.split('-').map(Number);
    return `${m >= 9 ? y + 1 : y}-08-31`;
  }
  return null;
};

/** Splits a multipart/form-data body into text fields and files, in order. */
export function parseMultipart(raw, contentType) {
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType || '');
  if (!match) return null;
  const boundary = Buffer.from(`--${match[1] || match[2]}`);
  const parts = [];
  let start = raw.indexOf(boundary);
  while (start >= 0) {
    const next = raw.indexOf(boundary, start + boundary.length);
    if (next < 0) break;
    const part = raw.subarray(start + boundary.length + 2, next - 2); // skip CRLF after, before
    const split = part.indexOf('\r\n\r\n');
    if (split >= 0) {
      const headers = part.subarray(0, split).toString('utf8');
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
      parts.push({ name, filename, data: part.subarray(split + 4) });
    }
    start = next;
  }
  return parts;
}

const sniff = (data) => {
  if (data.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'jpeg';
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  return null;
};
const activePdf = (data) => /\/(JavaScript|JS|OpenAction|AA|Launch|EmbeddedFile)\b/.test(data.toString('latin1'));
const MEDIA = { pdf: 'application/pdf', jpeg: 'image/jpeg', png: 'image/png' };

/** The pieces of one in-memory dossier (`state.dossier` from mock-api.mjs). */
export function createPieces(state) {
  let pieces = [];
  const blobs = new Map();
  const idempotency = new Map();

  const members = () => state.dossier.members;
  const personLabel = (id) => {
    const m = members().find((x) => x.id === id);
    return m ? [m.prenom, m.nom].filter(Boolean).join(' ') || 'Enfant à naître' : 'Membre supprimé';
  };
  const lieA = (memberId) => ({ member_id: memberId || null, libelle: memberId ? personLabel(memberId) : 'Dossier' });
  const status = (p) => (['en_attente_validation', 'validee'].includes(p.status) && p.fin_validite && p.fin_validite < today() ? 'expiree' : p.status);
  const pieceJson = (p) => {
    const type = CATALOGUE.find((x) => x.code === p.type_code);
    return { ...p, type_libelle: type.libelle, lie_a: lieA(p.member_id), status: status(p), modifiable: state.editable() };
  };
  const separated = () => members().some((m) => ['responsable', 'responsable_legal', 'conjoint'].includes(m.role)
    && ['separe', 'divorce'].includes(m.situation_familiale));
  const required = () => CATALOGUE.flatMap((type) => {
    const needed = type.exigence === 'toujours' || (type.exigence === 'si_separe_ou_divorce' && separated());
    if (!needed) return [];
    if (type.cible === 'dossier') return [[type, null]];
    return members().filter((m) => type.roles.includes(m.role)).map((m) => [type, m.id]);
  });
  const latest = (code, memberId) => pieces.filter((p) => p.type_code === code && (p.member_id || null) === memberId)
    .sort((a, b) => b.created_at.localeCompare(a.created_at))[0];
  const used = (except) => {
    const files = pieces.filter((p) => p.id !== except).flatMap((p) => p.fichiers);
    return { count: files.length, bytes: files.reduce((n, f) => n + f.taille, 0) };
  };

  const response = () => {
    const u = used();
    return {
      a_fournir: required().map(([type, memberId]) => {
        const piece = latest(type.code, memberId);
        return { type_code: type.code, type_libelle: type.libelle, lie_a: lieA(memberId), status: piece ? status(piece) : 'non_fournie', piece_id: piece ? piece.id : null };
      }),
      fournies: [...pieces].sort((a, b) => b.created_at.localeCompare(a.created_at)).map(pieceJson),
      types: CATALOGUE,
      personnes: members().map((m) => ({ member_id: m.id, role: m.role, libelle: personLabel(m.id) })),
      limites: { taille_max_fichier: LIMITS.file, fichiers_max_par_piece: LIMITS.perPiece, fichiers_max_par_dossier: LIMITS.files, taille_max_dossier: LIMITS.bytes, fichiers_utilises: u.count, octets_utilises: u.bytes },
      modifiable: state.editable(),
    };
  };

  // Checks one upload as the server does; returns [status, problem] or the piece's fields.
  const check = (parts, replacing) => {
    const text = (name) => parts.find((p) => p.name === name && p.filename === undefined)?.data.toString('utf8') ?? '';
    const files = parts.filter((p) => p.name === 'fichier' && p.filename !== undefined);
    const fields = {};
    const add = (k, c) => { (fields[k] ||= []).push(c); };
    files.forEach((f, i) => { if (f.data.length > LIMITS.file) add(`fichiers.${i}`, 'file_too_large'); });
    if (Object.keys(fields).length) return [413, 'payload_too_large', fields];
    const type = CATALOGUE.find((x) => x.code === text('type_code'));
    if (!text('type_code')) add('type_code', 'required'); else if (!type) add('type_code', 'unknown_piece_type');
    if (type) {
      files.forEach((f, i) => { if (!type.formats.includes(sniff(f.data))) add(`fichiers.${i}`, 'format_not_accepted'); });
      if (Object.keys(fields).some((k) => k.startsWith('fichiers.'))) return [415, 'unsupported_media_type', fields];
    }
    const memberId = text('member_id') || null;
    const member = memberId && members().find((m) => m.id === memberId);
    if (type && (type.cible === 'dossier' ? memberId : !member || !type.roles.includes(member.role))) add('member_id', 'wrong_target');
    const emis = text('emis_le');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(emis)) add('emis_le', 'required');
    else if (emis > today()) add('emis_le', 'date_in_future');
    else if (emis < addMonths(today(), -1200)) add('emis_le', 'date_out_of_range');
    else if (type?.emis_depuis_moins_de_mois && emis < addMonths(today(), -type.emis_depuis_moins_de_mois)) add('emis_le', 'piece_too_old');
    if (!files.length) add('fichiers', 'required');
    if (files.length > LIMITS.perPiece) add('fichiers', 'too_many_files');
    const u = used(replacing);
    const bytes = files.reduce((n, f) => n + f.data.length, 0);
    if (u.count + files.length > LIMITS.files || u.bytes + bytes > LIMITS.bytes) add('fichiers', 'quota_exceeded');
    files.forEach((f, i) => { if (sniff(f.data) === 'pdf' && activePdf(f.data)) add(`fichiers.${i}`, 'pdf_active_content'); });
    if (Object.keys(fields).length) return [422, 'validation_failed', fields];
    return { type, memberId, emis, files };
  };

  const store = (checked, id, createdAt) => {
    const fichiers = checked.files.map((f) => {
      const fileId = randomUUID();
      blobs.set(fileId, f.data);
      return { id: fileId, nom: f.filename.replace(/[\\/]/g, '_') || 'document', format: sniff(f.data), taille: f.data.length, sha256: createHash('sha256').update(f.data).digest('hex') };
    });
    return { id, type_code: checked.type.code, member_id: checked.memberId, status: 'en_attente_validation', motif_refus: null,
      presente_le: today(), emis_le: checked.emis, fin_validite: finValidite(checked.type, checked.emis), fichiers, created_at: createdAt };
  };

  /** The `pieces.<type>[.<member>]` fields a submission is refused for. */
  const missing = () => Object.fromEntries(required()
    .filter(([type, memberId]) => {
      const piece = latest(type.code, memberId);
      return !piece || !['en_attente_validation', 'validee'].includes(status(piece));
    })
    .map(([type, memberId]) => [memberId ? `pieces.${type.code}.${memberId}` : `pieces.${type.code}`, ['piece_missing']]));

  /** Handles /api/dossiers/{id}/pieces…; returns true when it answered. */
  function route(req, res, p, raw, { json, problem }) {
    const base = `/api/dossiers/${state.dossier.id}/pieces`;
    if (p === '/api/_mock/piece-decision') {
      const b = JSON.parse(raw.toString('utf8') || '{}');
      const piece = pieces.find((x) => x.id === b.piece_id);
      if (!piece) return problem(res, 404, 'not_found'), true;
      Object.assign(piece, { status: b.status, motif_refus: b.motif ?? null });
      return json(res, 200, pieceJson(piece)), true;
    }
    if (!p.startsWith(base)) return false;
    const rest = p.slice(base.length).split('/').filter(Boolean);
    if (!rest.length && req.method === 'GET') return json(res, 200, response()), true;
    const file = rest[1] === 'fichiers' && rest[2];
    if (file && req.method === 'GET') {
      const piece = pieces.find((x) => x.id === rest[0]);
      const meta = piece?.fichiers.find((f) => f.id === file);
      if (!meta) return problem(res, 404, 'not_found'), true;
      res.writeHead(200, { 'Content-Type': MEDIA[meta.format], 'Content-Disposition': `attachment; filename="${encodeURIComponent(meta.nom)}"`, 'X-Content-Type-Options': 'nosniff' });
      res.end(blobs.get(file));
      return true;
    }
    if (!state.editable()) return problem(res, 409, 'dossier_locked'), true;
    const index = rest.length ? pieces.findIndex((x) => x.id === rest[0]) : -1;
    if (rest.length && index < 0) return problem(res, 404, 'not_found'), true;
    if (req.method === 'DELETE' && rest.length === 1) {
      pieces.splice(index, 1);
      res.writeHead(204); res.end();
      return true;
    }
    if (!['POST', 'PUT'].includes(req.method) || rest.length > 1 || (req.method === 'PUT') !== (rest.length === 1)) return false;
    const key = req.headers['idempotency-key'];
    const fingerprint = createHash('sha256').update(raw).digest('hex');
    if (req.method === 'POST') {
      if (!key) return problem(res, 400, 'idempotency_key_required'), true;
      const seen = idempotency.get(key);
      if (seen && seen.fingerprint !== fingerprint) return problem(res, 422, 'idempotency_key_reused'), true;
      if (seen) return json(res, 201, pieceJson(pieces.find((x) => x.id === seen.pieceId) || seen.piece)), true;
    }
    const parts = parseMultipart(raw, req.headers['content-type']);
    if (!parts) return problem(res, 415, 'unsupported_media_type'), true;
    const checked = check(parts, rest[0]);
    if (Array.isArray(checked)) {
      const [status, code, fields] = checked;
      return problem(res, status, code, { detail: 'Refusé (voir fields).', fields }), true;
    }
    if (req.method === 'PUT') {
      pieces[index] = store(checked, pieces[index].id, pieces[index].created_at);
      return json(res, 200, pieceJson(pieces[index])), true;
    }
    const piece = store(checked, randomUUID(), new Date().toISOString());
    pieces.push(piece);
    idempotency.set(key, { fingerprint, pieceId: piece.id, piece });
    return json(res, 201, pieceJson(piece)), true;
  }

  return { route, missing };
}
