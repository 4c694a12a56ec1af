// The activités et inscriptions endpoints of the stand-in API (see mock-api.mjs), in
// memory: the public catalogue, the family's eligibilities (a few of the reasons of
// shared/src/eligibility.rs), enrolments with Idempotency-Key replays and the waiting
// list, « Mes inscriptions » with cancellation and offers, and the back office's
// activités, périodes, rosters and decisions. The real API stays the reference.
import { randomUUID } from 'node:crypto';

import { createVoeux } from './mock-voeux.mjs';

const iso = (d) => d.toISOString();
const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const hours = (offset) => iso(new Date(Date.now() + offset * 3_600_000));

export function createActivites() {
  const children = [
    { id: randomUUID(), prenom: 'Léa', nom: 'Martin', date_naissance: '2017-03-12' },
    { id: randomUUID(), prenom: 'Tom', nom: 'Martin', date_naissance: '2013-01-20' },
  ];
  const periode = (libelle, first, capacite, extra = {}) => ({
    id: randomUUID(), libelle, premier_jour: day(first), dernier_jour: day(first + 4),
    horaires: 'Du lundi au vendredi, 9 h – 17 h', capacite, places_restantes: capacite, en_liste_attente: 0,
    liste_attente: true, ouverture: hours(-24), ouverture_residents: null, fermeture: hours(24 * 20),
    annulation_jours: 7, limite_famille: 2, mode_validation: 'automatique',
    statut: 'publiee', offre_heures: null, version: 1, attribution: 'premier_arrive', tirage_le: null, ...extra,
  });
  const activites = [
    {
      id: randomUUID(), nom: 'Vacances sportives hiver 2026', categorie: 'sport', lieu: 'Gymnase Rosskopf',
      description: 'Stages **multisports** pour les enfants.\n\n- Judo\n- Escalade', age_min: 6, age_max: 11,
      tarifs: '12 € la journée, selon le quotient familial',
      pieces_requises: [{ code: 'attestation_assurance', libelle: "Attestation d'assurance (responsabilité civile et individuelle accident)" }],
      publiee: true,
      periodes: [
        periode('Semaine 1 : 6 – 8 ans', 30, 2),
        periode('Semaine 2 : 6 – 8 ans', 37, 1, { places_restantes: 0, en_liste_attente: 3 }),
      ],
    },
    {
      id: randomUUID(), nom: 'Accueil de loisirs du mercredi', categorie: 'extrascolaire', lieu: 'Centre de loisirs',
      description: 'Le mercredi, de 8 h à 18 h.', age_min: 3, age_max: 12, tarifs: '', pieces_requises: [], publiee: true,
      periodes: [
        periode('Janvier', 40, 24, { mode_validation: 'sur_validation' }),
        periode('Février', 70, 24, { ouverture: hours(24 * 30), ouverture_residents: hours(24 * 29) }),
        periode('Complet sans liste', 45, 10, { places_restantes: 0, liste_attente: false }),
      ],
    },
    {
      id: randomUUID(), nom: 'Séjour à la neige', categorie: 'sejour', lieu: 'Chalet des Aiguilles',
      description: 'Une semaine à la montagne.', age_min: 6, age_max: 11, tarifs: '', pieces_requises: [], publiee: true,
      periodes: [
        periode('Semaine 1 : ski alpin', 60, 2, { attribution: 'equitable', fermeture: hours(24 * 10) }),
        periode('Semaine 2 : raquettes', 67, 1, { attribution: 'equitable', fermeture: hours(24 * 10) }),
      ],
    },
  ];
  const inscriptions = [];
  const keys = new Map();

  const allPeriodes = () => activites.flatMap((a) => a.periodes.map((p) => ({ a, p })));
  const findPeriode = (id) => allPeriodes().find(({ p }) => p.id === id);
  const publicPeriode = ({ statut, offre_heures, version, ...p }) => p;
  const catalogue = () => ({
    items: activites.filter((a) => a.publiee).map((a) => ({
      ...a, publiee: undefined, periodes: a.periodes.filter((p) => p.statut === 'publiee').map(publicPeriode),
    })),
  });
  const ageOn = (birth, on) => {
    const [by, bm, bd] = birth.split('-').map(Number);
    const [y, m, d] = on.split('-').map(Number);
    return y - by - ((m < bm || (m === bm && d < bd)) ? 1 : 0);
  };
  const current = (i) => !['annulee', 'refusee'].includes(i.statut);
  const reasons = (child, { a, p }) => {
    const found = [];
    const age = ageOn(child.date_naissance, p.premier_jour);
    if (age < a.age_min || age > a.age_max) found.push({ code: 'age', age, min: a.age_min, max: a.age_max });
    for (const piece of a.pieces_requises) {
      if (child.prenom === 'Tom') found.push({ code: 'missing_piece', type_code: piece.code });
      else if (p.libelle.startsWith('Semaine 2')) found.push({ code: 'expiring_piece', type_code: piece.code, valid_until: day(38) });
    }
    if (Date.now() < Date.parse(p.ouverture)) found.push({ code: 'not_open_yet', opens_at: p.ouverture });
    else if (Date.now() >= Date.parse(p.fermeture) || p.tirage_le) found.push({ code: 'closed' });
    if (p.attribution === 'equitable' && !p.tirage_le) found.push({ code: 'by_draw', closes_at: p.fermeture });
    if (inscriptions.some((i) => current(i) && i.enfant_id === child.id && i.periode_id === p.id)) found.push({ code: 'already_enrolled' });
    return found;
  };
  const view = (i) => ({ id: i.id, periode_id: i.periode_id, enfant_id: i.enfant_id, statut: i.statut, position_liste_attente: i.position_liste_attente });
  const positions = (periodeId) => {
    inscriptions.filter((i) => i.periode_id === periodeId && i.statut === 'liste_attente')
      .forEach((i, index) => { i.position_liste_attente = index + 1; });
  };
  const recount = ({ p }) => {
    const held = inscriptions.filter((i) => i.periode_id === p.id && ['confirmee', 'demandee', 'place_proposee'].includes(i.statut)).length;
    p.places_restantes = Math.max(0, p.capacite - held - (p.base_held || 0));
    p.en_liste_attente = inscriptions.filter((i) => i.periode_id === p.id && i.statut === 'liste_attente').length;
  };
  const enrol = (child, found, byAgent) => {
    const { p } = found;
    let statut;
    if (p.places_restantes > 0) statut = p.mode_validation === 'automatique' ? 'confirmee' : 'demandee';
    else if (p.liste_attente) statut = 'liste_attente';
    else return null;
    const i = { id: randomUUID(), periode_id: p.id, enfant_id: child.id, statut, position_liste_attente: null, motif: null, par_agent: byAgent, cree_le: iso(new Date()), offre_expire_at: null };
    inscriptions.push(i);
    positions(p.id);
    recount(found);
    return i;
  };
  const promote = (periodeId) => {
    const found = findPeriode(periodeId);
    recount(found);
    const next = inscriptions.find((i) => i.periode_id === periodeId && i.statut === 'liste_attente');
    if (next && found.p.places_restantes > 0) {
      next.statut = 'place_proposee'; next.position_liste_attente = null; next.offre_expire_at = hours(48);
      positions(periodeId); recount(found);
    }
  };
  const detail = (i) => {
    const { a, p } = findPeriode(i.periode_id);
    const child = children.find((c) => c.id === i.enfant_id);
    const last = new Date(Date.parse(p.premier_jour) - p.annulation_jours * 86_400_000).toISOString().slice(0, 10);
    return {
      ...view(i), activite: a.nom, periode: p.libelle, premier_jour: p.premier_jour, dernier_jour: p.dernier_jour,
      enfant: `${child.prenom} ${child.nom}`, offre_expire_at: i.offre_expire_at, motif: i.motif,
      annulable_jusqu_au: last, par_agent: i.par_agent,
    };
  };
  const entry = (i) => {
    const child = children.find((c) => c.id === i.enfant_id);
    const { p } = findPeriode(i.periode_id);
    return {
      ...view(i), enfant: `${child.prenom} ${child.nom}`, date_naissance: child.date_naissance,
      age: ageOn(child.date_naissance, p.premier_jour), dossier_numero: '17484',
      responsables: [{ nom: 'Mère MARTIN', telephone: '06 12 34 56 78' }], autorises: [{ nom: 'Grand-père MARTIN', telephone: '02 37 00 00 00' }],
      urgences: [{ nom: 'Mère MARTIN', telephone: '06 12 34 56 78' }], motif: i.motif, par_agent: i.par_agent,
      cree_le: i.cree_le, offre_expire_at: i.offre_expire_at,
    };
  };
  const agentPeriode = ({ p }) => ({
    ...p,
    confirmees: inscriptions.filter((i) => i.periode_id === p.id && i.statut === 'confirmee').length,
    demandees: inscriptions.filter((i) => i.periode_id === p.id && i.statut === 'demandee').length,
    proposees: inscriptions.filter((i) => i.periode_id === p.id && i.statut === 'place_proposee').length,
  });
  const agentActivite = (a) => ({ ...a, periodes: a.periodes.map((p) => agentPeriode({ a, p })) });
  const activiteFrom = (b, pieces) => ({
    nom: b.nom, description: b.description, categorie: b.categorie, lieu: b.lieu, age_min: b.age_min, age_max: b.age_max,
    tarifs: b.tarifs, publiee: b.publiee,
    pieces_requises: b.pieces_requises.map((code) => ({ code, libelle: pieces.find((t) => t.code === code)?.libelle || code })),
  });

  const voeux = createVoeux({ activites, children, findPeriode, reasons, enrol });

  /** Answers the request if it is one of these endpoints (true), else null. */
  function route(req, res, p, b, { json, problem, catalogueTypes, loggedIn }) {
    const m = req.method;
    if (voeux.route(req, res, p, b, { json, problem, loggedIn }) !== null) return true;
    if (p === '/api/activites' && m === 'GET') return json(res, 200, catalogue()) ?? true;
    if (!p.startsWith('/api/inscriptions') && !p.startsWith('/api/backoffice/')) return null;
    if (!loggedIn()) return problem(res, 401, 'unauthorized') ?? true;
    if (p === '/api/inscriptions/eligibilites') {
      const items = [];
      for (const child of children) {
        for (const found of allPeriodes().filter(({ a, p: x }) => a.publiee && x.statut === 'publiee')) {
          items.push({ enfant_id: child.id, periode_id: found.p.id, raisons: reasons(child, found) });
        }
      }
      return json(res, 200, { maintenant: iso(new Date()), enfants: children, items }) ?? true;
    }
    if (p === '/api/inscriptions' && m === 'GET') return json(res, 200, { items: inscriptions.map(detail).reverse() }) ?? true;
    if (p === '/api/inscriptions' && m === 'POST') {
      const key = req.headers['idempotency-key'];
      if (!key) return problem(res, 400, 'idempotency_key_required') ?? true;
      if (keys.has(key)) return json(res, 201, view(keys.get(key))) ?? true;
      const found = findPeriode(b.periode_id);
      const child = children.find((c) => c.id === b.enfant_id);
      if (!found) return problem(res, 404, 'not_found') ?? true;
      const why = reasons(child, found);
      if (why.length) return problem(res, 422, 'validation_failed', { fields: { _: why.map((r) => r.code) } }) ?? true;
      const i = enrol(child, found, false);
      if (!i) return problem(res, 409, 'conflict') ?? true;
      keys.set(key, i);
      return json(res, 201, view(i)) ?? true;
    }
    const own = p.match(/^\/api\/inscriptions\/([^/]+)\/(annulation|reponse)$/);
    if (own) {
      const i = inscriptions.find((x) => x.id === own[1]);
      if (!i) return problem(res, 404, 'not_found') ?? true;
      if (own[2] === 'annulation') { i.statut = 'annulee'; positions(i.periode_id); promote(i.periode_id); }
      else if (b.accepter) { i.statut = 'confirmee'; i.offre_expire_at = null; }
      else { i.statut = 'annulee'; i.offre_expire_at = null; promote(i.periode_id); }
      recount(findPeriode(i.periode_id));
      return json(res, 200, view(i)) ?? true;
    }
    // Back office.
    if (p === '/api/backoffice/me') return json(res, 200, { username: 'agent', email: 'agent@mairie.fr', role: 'administrateur', actif: true }) ?? true;
    if (p === '/api/backoffice/activites' && m === 'GET') return json(res, 200, { items: activites.map(agentActivite) }) ?? true;
    if (p === '/api/backoffice/activites' && m === 'POST') {
      if (b.age_min > b.age_max) return problem(res, 422, 'validation_failed', { fields: { age_max: ['date_out_of_range'] } }) ?? true;
      const a = { id: randomUUID(), ...activiteFrom(b, catalogueTypes), periodes: [] };
      activites.push(a);
      return json(res, 201, agentActivite(a)) ?? true;
    }
    const act = p.match(/^\/api\/backoffice\/activites\/([^/]+)(\/periodes)?$/);
    if (act) {
      const a = activites.find((x) => x.id === act[1]);
      if (!a) return problem(res, 404, 'not_found') ?? true;
      if (act[2]) {
        const np = { id: randomUUID(), places_restantes: b.capacite, en_liste_attente: 0, version: 1, ...b };
        a.periodes.push(np);
        return json(res, 201, agentPeriode({ a, p: np })) ?? true;
      }
      Object.assign(a, activiteFrom(b, catalogueTypes));
      return json(res, 200, agentActivite(a)) ?? true;
    }
    const per = p.match(/^\/api\/backoffice\/periodes\/([^/]+)(\/inscriptions(\.csv)?)?$/);
    if (per) {
      const found = findPeriode(per[1]);
      if (!found) return problem(res, 404, 'not_found') ?? true;
      if (!per[2] && m === 'PUT') {
        Object.assign(found.p, b); found.p.version += 1; recount(found);
        return json(res, 200, agentPeriode(found)) ?? true;
      }
      if (per[3]) {
        res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8' });
        res.end('\uFEFFenfant;statut\n' + inscriptions.filter((i) => i.periode_id === found.p.id).map((i) => `${entry(i).enfant};${i.statut}`).join('\n'));
        return true;
      }
      if (m === 'POST') {
        const child = children.find((c) => c.id === b.enfant_id);
        const i = enrol(child, found, true);
        return (i ? json(res, 201, view(i)) : problem(res, 409, 'conflict')) ?? true;
      }
      return json(res, 200, {
        activite: found.a.nom, periode: agentPeriode(found),
        items: inscriptions.filter((i) => i.periode_id === found.p.id).map(entry),
      }) ?? true;
    }
    if (p === '/api/backoffice/enfants') {
      const numero = new URL(req.url, 'http://x').searchParams.get('dossier');
      if (numero !== '17484') return problem(res, 404, 'not_found') ?? true;
      return json(res, 200, { dossier_numero: '17484', items: children }) ?? true;
    }
    if (p === '/api/backoffice/inscriptions/a-valider') {
      return json(res, 200, {
        items: inscriptions.filter((i) => i.statut === 'demandee').map((i) => {
          const { a, p: x } = findPeriode(i.periode_id);
          return { ...entry(i), activite: a.nom, periode: x.libelle };
        }),
      }) ?? true;
    }
    const agent = p.match(/^\/api\/backoffice\/inscriptions\/([^/]+)\/(annulation|decision)$/);
    if (agent) {
      const i = inscriptions.find((x) => x.id === agent[1]);
      if (!i) return problem(res, 404, 'not_found') ?? true;
      if (agent[2] === 'annulation') { i.statut = 'annulee'; i.motif = b.motif; i.par_agent = true; positions(i.periode_id); promote(i.periode_id); }
      else if (b.decision === 'confirmer') i.statut = 'confirmee';
      else { i.statut = 'refusee'; i.motif = b.motif; promote(i.periode_id); }
      recount(findPeriode(i.periode_id));
      return json(res, 200, view(i)) ?? true;
    }
    return null;
  }
  return { route };
}
