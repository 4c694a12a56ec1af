//! Content that makes a fresh local portal usable: the CGU and the seed's validated
//! dossier n° 17484 (CREATION Père and Mère, one child) that a new account can link to —
//! by the code of rattachement sent to its address on record, [`DEMO_DOSSIER_EMAIL`]
//! (locally, a file in `MAIL_DIR`).
//! Loaded only into an empty database, and never in production unless `DEMO_CONTENT=true`.

mod activites;

use chrono::NaiveDate;
use shared::api::dossier::{
    DemandeKind, DemandeStatus, LinkInput, MemberInput, Relation, Role, Sexe,
};

use crate::db::models::demande::{self, Actor};
use crate::db::models::{cgu, content, dossier, member, town};
use crate::db::schema::dossiers;
use crate::db::{DbConn, new_id, now, write_tx};

/// The home page's welcome text (the town settings' `welcome_text`).
pub const DEMO_WELCOME: &str = "Bienvenue sur l'espace vie scolaire et sportive : créez votre compte, \
composez votre **dossier famille** et suivez vos démarches en ligne.";

/// The demo dossier's address on record, where its codes of rattachement go.
pub const DEMO_DOSSIER_EMAIL: &str = "famille.creation@portail-famille.localhost";

/// The terms of use shown on the consent page (excerpt of the seed's articles).
pub const DEMO_CGU: &str = include_str!("cgu.txt");

fn person(role: Role, sexe: Sexe, prenom: &str, birth: (i32, u32, u32)) -> MemberInput {
    MemberInput {
        role,
        sexe: Some(sexe),
        nom: Some("CREATION".into()),
        prenom: Some(prenom.into()),
        date_naissance: NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2),
        telephone_mobile: (role != Role::Enfant).then(|| "06 00 00 00 00".into()),
        ..MemberInput::default()
    }
}

/// Loads the demo content if the database has none.
pub fn load(conn: &mut DbConn) -> anyhow::Result<()> {
    write_tx(conn, |conn| -> anyhow::Result<()> {
        let now = now();
        if cgu::current(conn, now)?.is_none() {
            cgu::publish(conn, DEMO_CGU, now)?;
        }
        if !content::has_actualites(conn)? {
            load_news_and_faq(conn, now)?;
        }
        town::welcome_if_empty(conn, DEMO_WELCOME)?;
        load_dossier(conn, now)?;
        activites::load(conn, now)
    })
}

/// The demo dossier 17484 (validated, no account yet: it came from the town's records).
fn load_dossier(conn: &mut DbConn, now: chrono::NaiveDateTime) -> anyhow::Result<()> {
    use diesel::prelude::*;
    let exists: i64 = dossiers::table
        .filter(dossiers::numero.eq("17484"))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(());
    }
    // A validated dossier has no account yet: it came from the town's records.
    let id = new_id();
    diesel::insert_into(dossiers::table)
        .values((
            dossiers::id.eq(&id),
            dossiers::numero.eq("17484"),
            dossiers::adresse.eq("1 place des Épars"),
            dossiers::code_postal.eq("28000"),
            dossiers::commune.eq("Chartres"),
            dossiers::contact_email.eq(DEMO_DOSSIER_EMAIL),
            dossiers::version.eq(1),
            dossiers::created_at.eq(now),
            dossiers::updated_at.eq(now),
        ))
        .execute(conn)?;
    let father = member::insert(
        conn,
        &id,
        &person(Role::Responsable, Sexe::Masculin, "Père", (1984, 6, 12)),
        now,
    )?;
    let mother = member::insert(
        conn,
        &id,
        &person(Role::Conjoint, Sexe::Feminin, "Mère", (1986, 2, 3)),
        now,
    )?;
    let child = member::insert(
        conn,
        &id,
        &person(Role::Enfant, Sexe::Feminin, "Enfant", (2018, 1, 1)),
        now,
    )?;
    let link = |adult: &str, relation| LinkInput {
        adult_id: adult.parse().unwrap_or_default(),
        relation,
        autorite_parentale: true,
        contact_urgence: true,
        autorise_recuperer: true,
    };
    member::set_links(
        conn,
        &child,
        &[link(&father, Relation::Pere), link(&mother, Relation::Mere)],
    )?;
    demande::create(
        conn,
        &id,
        DemandeKind::CreationDossier,
        DemandeStatus::Validee,
        Actor::Agent("demo"),
        now,
    )?;
    let _ = dossier::find(conn, &id)?;
    Ok(())
}

/// The seed's news (« Inscriptions scolaires », « Vacances sportives hiver 2026 ») and a
/// few FAQ entries.
fn load_news_and_faq(conn: &mut DbConn, now: chrono::NaiveDateTime) -> anyhow::Result<()> {
    use shared::api::content::{ActualiteInput, FaqInput};
    let at = |y, m, d| {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|date| date.and_hms_opt(8, 0, 0))
            .map(|t| t.and_utc())
            .ok_or_else(|| anyhow::anyhow!("demo date"))
    };
    let news = [
        ActualiteInput {
            titre: "Inscriptions scolaires".into(),
            corps: "Les inscriptions scolaires 2025/2026 sont ouvertes.\n\nCréez votre compte, \
                    complétez votre dossier famille et joignez les pièces justificatives : \
                    **livret de famille** et **justificatif de domicile de moins de 3 mois**."
                .into(),
            publie_le: at(2025, 5, 14)?,
            a_la_une: true,
        },
        ActualiteInput {
            titre: "Vacances sportives hiver 2026".into(),
            corps: "Inscriptions vacances sportives Hiver 2026.\n\nLes inscriptions aux \
                    activités vacances sportives l'après-midi de 14h00 à 19h00 pour tous. Ces \
                    dernières se termineront le vendredi 11 janvier 2026 à 19h00."
                .into(),
            publie_le: at(2026, 1, 5)?,
            a_la_une: false,
        },
    ];
    for item in &news {
        content::insert_actualite(conn, item, None, now)?;
    }
    let faq = [
        (
            "Compte",
            "Je n'ai pas reçu l'email d'activation : que faire ?",
            "Vérifiez vos courriers indésirables, puis utilisez « Renvoyer le lien » sur la page de connexion. Le lien est valable 48 heures.",
        ),
        (
            "Dossier famille",
            "Quelles pièces justificatives fournir ?",
            "Le livret de famille (parties parents et enfants) et un justificatif de domicile de moins de 3 mois, au format PDF (10 Mio au plus par fichier). D'autres pièces peuvent être demandées selon votre situation.",
        ),
        (
            "Dossier famille",
            "Combien de temps faut-il pour valider mon dossier ?",
            "Les services de la ville traitent les demandes dans l'ordre d'arrivée. Vous êtes prévenu par email de la décision, et « Mes démarches » indique le délai médian de traitement.",
        ),
    ];
    for (position, (categorie, question, reponse)) in faq.into_iter().enumerate() {
        content::insert_faq(
            conn,
            &FaqInput {
                question: question.into(),
                reponse: reponse.into(),
                categorie: categorie.into(),
                position: i32::try_from(position).unwrap_or_default(),
            },
            now,
        )?;
    }
    Ok(())
}

/// A demo public document (a small PDF made here), so that DOCUMENTS is not empty.
pub async fn load_documents(state: &crate::state::AppState) -> anyhow::Result<()> {
    use crate::db::models::public_document::{self, DocumentRow};
    use crate::documents::storage::Shelf;
    let any = state
        .read(|conn| Ok(!public_document::list(conn)?.is_empty()))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if any {
        return Ok(());
    }
    let bytes =
        demo_pdf("Reglement interieur des accueils periscolaires (document de demonstration)")?;
    let id = new_id();
    let scratch = state.storage.scratch_dir().join(format!("demo-{id}"));
    std::fs::write(&scratch, &bytes)?;
    let stored = state
        .storage
        .put_file(Shelf::Documents, &id, &scratch)
        .await;
    std::fs::remove_file(&scratch)?;
    stored?;
    use sha2::Digest;
    let row = DocumentRow {
        id,
        titre: "Règlement intérieur des accueils périscolaires".into(),
        categorie: "Périscolaire".into(),
        display_name: "reglement-periscolaire.pdf".into(),
        size_bytes: i64::try_from(bytes.len())?,
        sha256: hex::encode(sha2::Sha256::digest(&bytes)),
        created_by: None,
        created_at: now(),
    };
    state
        .write(move |conn| Ok(public_document::insert(conn, &row)?))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// A one-page PDF saying `text`.
fn demo_pdf(text: &str) -> anyhow::Result<Vec<u8>> {
    use lopdf::content::{Content, Operation};
    use lopdf::{Document, Object, Stream, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(
        dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" },
    );
    let content = Content {
        operations: vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 12.into()]),
            Operation::new("Td", vec![56.into(), 780.into()]),
            Operation::new("Tj", vec![Object::string_literal(text)]),
            Operation::new("ET", vec![]),
        ],
    };
    let contents = doc.add_object(Stream::new(dictionary! {}, content.encode()?));
    let page = doc
        .add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "Contents" => contents });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes)?;
    Ok(bytes)
}
