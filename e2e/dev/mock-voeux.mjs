// The attribution équitable endpoints of the stand-in API (see mock-activites.mjs), in
// memory: « Mes vœux » (GET/PUT /api/voeux with the server's refusals), the public draw
// (GET /api/tirages/{id}) and « Lancer le tirage » (POST /api/backoffice/periodes/{id}/tirage,
// here at any time: the stand-in does not wait for the close; `POST /api/_mock/voeux-clos`
// closes the wishes now). The draw is a stand-in too — wishes by rank, then arrival —; the
// real API stays the reference.
import { createHash, randomUUID } from 'node:crypto';

const sha = (text) => createHash('sha256').update(text).digest('hex');

export function createVoeux({ activites, children, findPeriode, reasons, enrol }) {
  /** (enfant, période) → { numero, activite_id, enfant_id, periode_id, rang, resultat, position }. */
  const voeux = [];
  const graine = sha(randomUUID());
  const equitables = (a) => a.periodes.filter((p) => p.attribution === 'equitable' && p.statut === 'publiee');
  const view = (v) => ({ numero: v.numero, periode_id: v.periode_id, rang: v.rang, resultat: v.resultat, position: v.position });
  const ofChild = (activiteId, enfantId) => ({
    activite_id: activiteId,
    enfant_id: enfantId,
    voeux: voeux.filter((v) => v.activite_id === activiteId && v.enfant_id === enfantId).sort((x, y) => x.rang - y.rang).map(view),
  });
  const list = () => {
    const pairs = [...new Set(voeux.map((v) => `${v.activite_id}|${v.enfant_id}`))];
    return { items: pairs.map((pair) => ofChild(...pair.split('|'))) };
  };

  function replace(b, { json, problem }, res) {
    const a = activites.find((x) => x.id === b.activite_id && x.publiee);
    const child = children.find((c) => c.id === b.enfant_id);
    const periodes = b.periodes || [];
    if (new Set(periodes).size !== periodes.length) return problem(res, 422, 'validation_failed', { fields: { periodes: ['duplicate'] } });
    if (periodes.length > 10) return problem(res, 422, 'validation_failed', { fields: { periodes: ['too_long'] } });
    if (!a || !child || periodes.some((id) => !equitables(a).some((p) => p.id === id))) return problem(res, 404, 'not_found');
    for (const id of periodes) {
      const why = reasons(child, findPeriode(id)).filter((r) => r.code !== 'by_draw');
      if (why.length) return problem(res, 422, 'validation_failed', { fields: { _: why.map((r) => r.code) }, raisons: why });
    }
    const kept = voeux.filter((v) => !(v.activite_id === a.id && v.enfant_id === child.id));
    const before = voeux.filter((v) => v.activite_id === a.id && v.enfant_id === child.id);
    voeux.length = 0;
    voeux.push(...kept, ...periodes.map((id, i) => ({
      numero: before.find((v) => v.periode_id === id)?.numero || randomUUID(),
      activite_id: a.id, enfant_id: child.id, periode_id: id, rang: i + 1, resultat: null, position: null,
    })));
    return json(res, 200, ofChild(a.id, child.id));
  }

  /** Serves the wishes by rank then arrival; a child placed once is not placed again. */
  function draw(a) {
    const ps = equitables(a);
    if (ps[0]?.tirage_le) return;
    const left = new Map(ps.map((p) => [p.id, p.capacite]));
    const placed = new Set();
    const waiting = new Map();
    const mine = voeux.filter((v) => v.activite_id === a.id).sort((x, y) => x.rang - y.rang);
    for (const v of mine) {
      if (placed.has(v.enfant_id)) { v.resultat = 'sans_objet'; continue; }
      if (left.get(v.periode_id) > 0) {
        left.set(v.periode_id, left.get(v.periode_id) - 1);
        placed.add(v.enfant_id);
        v.resultat = 'place';
        enrol(children.find((c) => c.id === v.enfant_id), findPeriode(v.periode_id), false);
      } else {
        const n = (waiting.get(v.periode_id) || 0) + 1;
        waiting.set(v.periode_id, n);
        Object.assign(v, { resultat: 'liste_attente', position: n });
      }
    }
    for (const p of ps) p.tirage_le = new Date().toISOString();
  }

  function tirage(found) {
    const { a, p } = found;
    const ps = equitables(a);
    const mine = voeux.filter((v) => v.activite_id === a.id);
    const drawn = Boolean(p.tirage_le);
    return {
      activite_id: a.id, activite: a.nom, periode_id: p.id,
      regles: [
        'Les premiers vœux de tous les enfants sont servis avant les deuxièmes, et ainsi de suite.',
        'À rang égal, les foyers habitant la commune passent d\'abord.',
        'Les frères et sœurs qui demandent la même période au même rang sont tirés ensemble.',
        'Entre égaux, un tirage au sort à partir de la graine publiée.',
      ],
      graine, fermeture: p.fermeture, tirage_le: p.tirage_le || null,
      graine_tirage: drawn ? sha(`${graine}:${mine.map((v) => v.numero).sort().join(',')}`) : null,
      periodes: ps.map((x) => ({ id: x.id, libelle: x.libelle, places: x.capacite, demandes: mine.filter((v) => v.periode_id === x.id).length })),
      lignes: drawn ? mine.map((v) => ({
        numero: v.numero, foyer: 'F1', enfant: `E${children.findIndex((c) => c.id === v.enfant_id) + 1}`,
        periode_id: v.periode_id, rang: v.rang, resident: true, tirage: sha(`${graine}:${v.numero}`),
        resultat: v.resultat, position: v.position,
      })) : [],
    };
  }

  /** Answers the request if it is one of these endpoints (true), else null. */
  function route(req, res, p, b, { json, problem, loggedIn }) {
    const m = req.method;
    const pub = p.match(/^\/api\/tirages\/([^/]+)$/);
    if (pub) {
      const found = findPeriode(pub[1]);
      if (!found || found.p.attribution !== 'equitable') return problem(res, 404, 'not_found') ?? true;
      return json(res, 200, tirage(found)) ?? true;
    }
    // Stand-in for the clock: `POST /api/_mock/voeux-clos` closes every équitable période's wishes now.
    if (p === '/api/_mock/voeux-clos') {
      for (const a of activites) for (const x of equitables(a)) x.fermeture = new Date(Date.now() - 1_000).toISOString();
      return json(res, 204) ?? true;
    }
    const run = p.match(/^\/api\/backoffice\/periodes\/([^/]+)\/tirage$/);
    if (p !== '/api/voeux' && !run) return null;
    if (!loggedIn()) return problem(res, 401, 'unauthorized') ?? true;
    if (run) {
      const found = findPeriode(run[1]);
      if (!found || found.p.attribution !== 'equitable') return problem(res, 404, 'not_found') ?? true;
      draw(found.a);
      return json(res, 200, tirage(found)) ?? true;
    }
    if (m === 'GET') return json(res, 200, list()) ?? true;
    return replace(b, { json, problem }, res) ?? true;
  }

  return { route };
}
