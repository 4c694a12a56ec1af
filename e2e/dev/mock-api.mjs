// A stand-in for the Rust API, to look at the SPA (layout, accessibility) without it:
// serves web/dist with the index.html fallback and fakes a few /api endpoints.
// Usage: node e2e/dev/mock-api.mjs [port]   (not used by the e2e scenarios)
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { createActivites } from './mock-activites.mjs';
import { CATALOGUE, createPieces } from './mock-pieces.mjs';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');
const port = Number(process.argv[2] || 8090);
const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'";

const problem = (res, status, code, extra = {}) => {
  res.writeHead(status, { 'Content-Type': 'application/problem+json' });
  res.end(JSON.stringify({ type: 'about:blank', title: code, status, code, ...extra }));
};
const json = (res, status, body) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(body === undefined ? '' : JSON.stringify(body));
};
// The raw body (multipart uploads need the bytes) and, when it is JSON, its value.
const body = (req) => new Promise((resolve) => {
  const chunks = [];
  req.on('data', (c) => { chunks.push(c); });
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    let value = {};
    if (!String(req.headers['content-type'] || '').startsWith('multipart/')) {
      try { value = JSON.parse(raw.toString('utf8') || '{}'); } catch { value = {}; }
    }
    resolve({ raw, value });
  });
});
// MOCK_IDLE (seconds) shortens the idle timeout, to see the « session va expirer » dialog.
const token = { access_token: 'fake', token_type: 'Bearer', expires_in: 900, idle_expires_in: Number(process.env.MOCK_IDLE || 1800), terms_accepted: false };
let termsAccepted = false;
let loggedIn = false;

// One family's dossier famille, in memory, with optimistic locking (If-Match "<version>").
let dossier = null;
let observation = null;
const history = [];
const uuid = () => crypto.randomUUID();
const now = () => new Date().toISOString();
let agentMessage = null;
const dossierJson = () => ({ ...dossier, editable: ['brouillon', 'a_completer'].includes(dossier.demande.status) });
const activites = createActivites();
const pieces = createPieces({ get dossier() { return dossier; }, editable: () => dossierJson().editable });
const demandeJson = () => ({ ...dossier.demande, observation, agent_message: agentMessage, history, dossier: dossierJson() });
const touch = () => { dossier.version += 1; dossier.demande.updated_at = now(); };
const ifMatch = (req, res) => {
  const header = req.headers['if-match'];
  if (!header) { problem(res, 428, 'precondition_required'); return false; }
  if (header !== `"${dossier.version}"`) { problem(res, 412, 'precondition_failed'); return false; }
  if (!dossierJson().editable) { problem(res, 409, 'dossier_locked'); return false; }
  return true;
};
const dossierRoutes = (req, res, p, b) => {
  if (p === '/api/demandes' && req.method === 'GET') return json(res, 200, { items: dossier ? [dossier.demande] : [] });
  if (p === '/api/dossiers' && req.method === 'POST') {
    if (dossier) return json(res, 200, dossierJson());
    const id = uuid();
    dossier = { id, numero: null, version: 1, adresse: null, code_postal: null, commune: null, members: [], links: [],
      demande: { id: uuid(), dossier_id: id, kind: 'creation_dossier', status: 'brouillon', created_at: now(), updated_at: now(), submitted_at: null } };
    history.push({ at: now(), status: 'brouillon', actor: 'famille', message: null });
    return json(res, 201, dossierJson());
  }
  if (!dossier) return null;
  // Stand-in for the back office: `POST /api/_mock/decision {status, message}`.
  if (p === '/api/_mock/decision') {
    Object.assign(dossier.demande, { status: b.status, updated_at: now() }); agentMessage = b.message ?? null; touch();
    history.push({ at: now(), status: b.status, actor: 'agent', message: agentMessage });
    return json(res, 200, demandeJson());
  }
  const base = `/api/dossiers/${dossier.id}`;
  const demande = `/api/demandes/${dossier.demande.id}`;
  if (p === base && req.method === 'GET') return json(res, 200, dossierJson());
  if (p === demande && req.method === 'GET') return json(res, 200, demandeJson());
  if (![base, demande].some((prefix) => p.startsWith(prefix))) return null;
  if (!ifMatch(req, res)) return true;
  if (p === base && req.method === 'PATCH') {
    if (b.code_postal && !/^\d{5}$/.test(b.code_postal)) return problem(res, 422, 'validation_failed', { fields: { code_postal: ['invalid_postal_code'] } });
    Object.assign(dossier, { adresse: b.adresse, code_postal: b.code_postal, commune: b.commune }); touch();
    return json(res, 200, dossierJson());
  }
  if (p === `${base}/members` && req.method === 'POST') {
    if (dossier.members.length >= 20) return problem(res, 422, 'validation_failed', { fields: { _: ['too_many_members'] } });
    dossier.members.push({ ...b, id: uuid() }); touch();
    return json(res, 201, dossierJson());
  }
  const member = p.match(/\/members\/([^/]+)(\/links)?$/);
  if (member) {
    const index = dossier.members.findIndex((m) => m.id === member[1]);
    if (index < 0) return problem(res, 404, 'not_found');
    if (member[2]) {
      dossier.links = dossier.links.filter((l) => l.child_id !== member[1]).concat(b.links.map((l) => ({ ...l, child_id: member[1] })));
    } else if (req.method === 'PUT') {
      dossier.members[index] = { ...b, id: member[1] };
    } else if (req.method === 'DELETE') {
      dossier.members.splice(index, 1);
      dossier.links = dossier.links.filter((l) => l.child_id !== member[1] && l.adult_id !== member[1]);
    }
    touch();
    return json(res, 200, dossierJson());
  }
  if (p === demande && req.method === 'PATCH') { observation = b.observation; touch(); return json(res, 200, demandeJson()); }
  if (p === `${demande}/submit`) {
    // A few of the server's rules (see shared/src/submission.rs for all of them).
    const fields = {};
    if (!dossier.members.some((m) => m.role === 'responsable')) fields._ = ['responsable_required'];
    Object.assign(fields, pieces.missing());
    for (const m of dossier.members.filter((x) => x.role === 'enfant')) {
      const ok = dossier.links.some((l) => l.child_id === m.id && l.autorite_parentale);
      if (!ok) fields[`members.${m.id}`] = ['link_required'];
    }
    if (Object.keys(fields).length) return problem(res, 422, 'validation_failed', { fields });
    Object.assign(dossier.demande, { status: 'en_attente_validation', submitted_at: now() }); touch();
    history.push({ at: now(), status: 'en_attente_validation', actor: 'famille', message: null });
    return json(res, 200, demandeJson());
  }
  return null;
};

createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const p = url.pathname;
  if (p.startsWith('/api/')) {
    const { raw, value: b } = req.method === 'GET' ? { raw: Buffer.alloc(0), value: {} } : await body(req);
    if (p === '/api/types-de-piece') return json(res, 200, { items: CATALOGUE });
    if (dossier && pieces.route(req, res, p, raw, { json, problem })) return undefined;
    if (activites.route(req, res, p, b, { json, problem, catalogueTypes: CATALOGUE, loggedIn: () => loggedIn }) !== null) return undefined;
    if (p === '/api/town') return json(res, 200, { name: 'Ville de Chartres', tagline: 'Votre espace vie scolaire et sportive', connection_log_retention_days: 183 });
    if (p === '/api/terms') return json(res, 200, { version: 1, published_at: '2026-01-05T10:00:00Z', text: 'ARTICLE 1. OBJET\n\nLes présentes conditions…\n\nARTICLE 2. ACCÈS\n\nLe portail est accessible…' });
    if (p === '/api/auth/refresh') return loggedIn ? json(res, 200, { ...token, terms_accepted: termsAccepted }) : problem(res, 401, 'unauthorized');
    if (p === '/api/auth/login') {
      if (b.password === 'mot de passe valable') { loggedIn = true; return json(res, 200, { ...token, terms_accepted: termsAccepted }); }
      if (b.password === 'pas encore actif !') return problem(res, 403, 'account_not_activated');
      return problem(res, 401, 'unauthorized');
    }
    if (p === '/api/registrations/check') {
      const len = (b.password || '').length;
      if (len < 12) return problem(res, 422, 'validation_failed', { fields: { password: ['password_too_short'] } });
      return json(res, 200, { password: { score: Math.min(4, Math.floor(len / 6)), acceptable: len >= 14, min_score: 3 } });
    }
    if (p === '/api/registrations') {
      if (b.dossier_reference && b.dossier_reference.numero !== '17484') return problem(res, 422, 'dossier_reference_not_found');
      return json(res, 202, { message: 'ok' });
    }
    if (p === '/api/me') return json(res, 200, { id: '00000000-0000-4000-8000-000000000000', username: 'demo', email: 'demo@exemple.fr', pending_email: null, subscription: 'Famille', dossier_numero: null, new_household: true, created_at: '2026-11-20T08:00:00Z', terms_accepted_version: termsAccepted ? 1 : null, terms_accepted: termsAccepted, rattachement: null, comptes_rattaches: [] });
    if (p === '/api/me/terms') { termsAccepted = true; return json(res, 204); }
    if (p === '/api/me/connections') return json(res, 200, { items: [{ at: '2026-11-26T08:05:00Z', ip: '127.0.0.1', user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140', success: true }, { at: '2026-11-25T18:00:00Z', ip: '127.0.0.1', user_agent: 'curl/8', success: false }], page: 1, per_page: 20, total: 2, retention_days: 183 });
    if (p === '/api/activations') return b.token === 'bon' ? json(res, 200, { message: 'ok' }) : problem(res, 410, 'link_expired');
    if (['/api/activations/resend', '/api/password-resets', '/api/me/email'].includes(p)) return json(res, 202, { message: 'ok' });
    if (p === '/api/auth/logout') { loggedIn = false; return json(res, 204); }
    if (dossierRoutes(req, res, p, b) !== null) return undefined;
    return problem(res, 404, 'route_not_found');
  }
  let file = path.join(dist, path.normalize(p).replace(/^(\.\.[/\\])+/, ''));
  let content;
  // The back office has its own index.html (a bundle of its own under /backoffice/).
  // The public draw is the public pages' bundle's only page (the full app loads it again).
  const index = p.startsWith('/backoffice') ? path.join(dist, 'backoffice', 'index.html')
    : p.startsWith('/activites/tirage/') ? path.join(dist, 'public', 'index.html') : path.join(dist, 'index.html');
  try { content = await readFile(file); } catch { file = index; content = await readFile(file); }
  if (p === '/backoffice' || p === '/backoffice/') { file = index; content = await readFile(file); }
  if (p === '/') { file = path.join(dist, 'index.html'); content = await readFile(file); }
  res.writeHead(200, { 'Content-Type': types[path.extname(file)] || 'application/octet-stream', 'Content-Security-Policy': CSP });
  res.end(content);
}).listen(port, '127.0.0.1', () => console.log(`mock API and SPA on http://127.0.0.1:${port}`));
