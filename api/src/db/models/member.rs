//! Members of a dossier and their parental links.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use shared::api::dossier::{Link, LinkInput, Member, MemberInput, Role};

use crate::db::schema::{member_links, members};
use crate::db::{DbConn, new_id};
use crate::domain::normalize::fold_name;
use crate::enum_text::{from_text, to_text};

/// A row of `members`.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = members)]
pub struct MemberRow {
    pub id: String,
    pub role: String,
    pub sexe: Option<String>,
    pub nom: Option<String>,
    pub nom_naissance: Option<String>,
    pub prenom: Option<String>,
    pub autres_prenoms: Option<String>,
    pub a_naitre: bool,
    pub date_naissance: Option<NaiveDate>,
    pub date_naissance_prevue: Option<NaiveDate>,
    pub pays_naissance: Option<String>,
    pub commune_naissance: Option<String>,
    pub situation_familiale: Option<String>,
    pub situation_depuis: Option<NaiveDate>,
    pub telephone_mobile: Option<String>,
    pub telephone_fixe: Option<String>,
    pub email: Option<String>,
    pub profession: Option<String>,
    pub employeur: Option<String>,
    /// The town's own id for the person (connected applications only).
    pub reference_externe: Option<String>,
}

impl MemberRow {
    /// The API form of the row.
    pub fn into_member(self) -> anyhow::Result<Member> {
        Ok(Member {
            id: self.id.parse()?,
            fields: MemberInput {
                role: from_text(&self.role)?,
                sexe: self.sexe.as_deref().map(from_text).transpose()?,
                nom: self.nom,
                nom_naissance: self.nom_naissance,
                prenom: self.prenom,
                autres_prenoms: self.autres_prenoms,
                a_naitre: self.a_naitre,
                date_naissance: self.date_naissance,
                date_naissance_prevue: self.date_naissance_prevue,
                pays_naissance: self.pays_naissance,
                commune_naissance: self.commune_naissance,
                situation_familiale: self
                    .situation_familiale
                    .as_deref()
                    .map(from_text)
                    .transpose()?,
                situation_depuis: self.situation_depuis,
                telephone_mobile: self.telephone_mobile,
                telephone_fixe: self.telephone_fixe,
                email: self.email,
                profession: self.profession,
                employeur: self.employeur,
            },
        })
    }
}

/// The writable columns, from what the family typed (blank strings stored as NULL).
#[derive(AsChangeset, Insertable)]
#[diesel(table_name = members, treat_none_as_null = true)]
struct MemberChanges {
    role: String,
    sexe: Option<String>,
    nom: Option<String>,
    nom_naissance: Option<String>,
    prenom: Option<String>,
    autres_prenoms: Option<String>,
    nom_folded: String,
    prenom_folded: String,
    a_naitre: bool,
    date_naissance: Option<NaiveDate>,
    date_naissance_prevue: Option<NaiveDate>,
    pays_naissance: Option<String>,
    commune_naissance: Option<String>,
    situation_familiale: Option<String>,
    situation_depuis: Option<NaiveDate>,
    telephone_mobile: Option<String>,
    telephone_fixe: Option<String>,
    email: Option<String>,
    profession: Option<String>,
    employeur: Option<String>,
    updated_at: NaiveDateTime,
}

fn clean(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

impl MemberChanges {
    fn from_input(input: &MemberInput, now: NaiveDateTime) -> Self {
        // An unborn child has no birth date yet, a born one no expected date.
        let (date_naissance, date_naissance_prevue) = if input.a_naitre {
            (None, input.date_naissance_prevue)
        } else {
            (input.date_naissance, None)
        };
        Self {
            role: to_text(&input.role),
            sexe: input.sexe.as_ref().map(to_text),
            nom: clean(&input.nom),
            nom_naissance: clean(&input.nom_naissance),
            prenom: clean(&input.prenom),
            autres_prenoms: clean(&input.autres_prenoms),
            nom_folded: fold_name(input.nom.as_deref().unwrap_or("")),
            prenom_folded: fold_name(input.prenom.as_deref().unwrap_or("")),
            a_naitre: input.a_naitre,
            date_naissance,
            date_naissance_prevue,
            pays_naissance: clean(&input.pays_naissance),
            commune_naissance: clean(&input.commune_naissance),
            situation_familiale: input.situation_familiale.as_ref().map(to_text),
            situation_depuis: input.situation_depuis,
            telephone_mobile: clean(&input.telephone_mobile),
            telephone_fixe: clean(&input.telephone_fixe),
            email: clean(&input.email),
            profession: clean(&input.profession),
            employeur: clean(&input.employeur),
            updated_at: now,
        }
    }
}

/// The dossier's members, in the order they were added.
pub fn list(conn: &mut DbConn, dossier_id: &str) -> QueryResult<Vec<MemberRow>> {
    members::table
        .filter(members::dossier_id.eq(dossier_id))
        .order((members::position.asc(), members::created_at.asc()))
        .select(MemberRow::as_select())
        .load(conn)
}

/// Adds a member at the end of the dossier; returns its id.
pub fn insert(
    conn: &mut DbConn,
    dossier_id: &str,
    input: &MemberInput,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let id = new_id();
    let position: Option<i32> = members::table
        .filter(members::dossier_id.eq(dossier_id))
        .select(diesel::dsl::max(members::position))
        .first(conn)?;
    diesel::insert_into(members::table)
        .values((
            members::id.eq(&id),
            members::dossier_id.eq(dossier_id),
            members::position.eq(position.unwrap_or(0) + 1),
            members::created_at.eq(now),
            MemberChanges::from_input(input, now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Replaces a member's fields; 0 rows when it is not in this dossier.
pub fn update(
    conn: &mut DbConn,
    dossier_id: &str,
    member_id: &str,
    input: &MemberInput,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        members::table
            .find(member_id)
            .filter(members::dossier_id.eq(dossier_id)),
    )
    .set(MemberChanges::from_input(input, now))
    .execute(conn)
}

/// Removes a member (and, by cascade, its links); 0 rows when it is not in this dossier.
pub fn delete(conn: &mut DbConn, dossier_id: &str, member_id: &str) -> QueryResult<usize> {
    diesel::delete(
        members::table
            .find(member_id)
            .filter(members::dossier_id.eq(dossier_id)),
    )
    .execute(conn)
}

/// How many members the dossier has.
pub fn count(conn: &mut DbConn, dossier_id: &str) -> QueryResult<i64> {
    members::table
        .filter(members::dossier_id.eq(dossier_id))
        .count()
        .get_result(conn)
}

/// The dossier numbered `numero` with a member in one of `roles` whose folded names match.
pub fn dossier_with_adult(
    conn: &mut DbConn,
    numero: &str,
    nom: &str,
    prenom: &str,
    roles: &[Role],
) -> QueryResult<Option<String>> {
    use crate::db::schema::dossiers;
    let roles: Vec<String> = roles.iter().map(to_text).collect();
    dossiers::table
        .inner_join(members::table)
        .filter(dossiers::numero.eq(numero.trim()))
        .filter(members::nom_folded.eq(fold_name(nom)))
        .filter(members::prenom_folded.eq(fold_name(prenom)))
        .filter(members::role.eq_any(roles))
        .select(dossiers::id)
        .first(conn)
        .optional()
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = member_links)]
struct LinkRow {
    child_id: String,
    adult_id: String,
    relation: String,
    autorite_parentale: bool,
    contact_urgence: bool,
    autorise_recuperer: bool,
}

/// All the links between members of the dossier.
pub fn links(conn: &mut DbConn, dossier_id: &str) -> anyhow::Result<Vec<Link>> {
    let rows: Vec<LinkRow> = member_links::table
        .inner_join(members::table.on(members::id.eq(member_links::child_id)))
        .filter(members::dossier_id.eq(dossier_id))
        .order((members::position.asc(), member_links::adult_id.asc()))
        .select(LinkRow::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|row| {
            Ok(Link {
                child_id: row.child_id.parse()?,
                link: LinkInput {
                    adult_id: row.adult_id.parse()?,
                    relation: from_text(&row.relation)?,
                    autorite_parentale: row.autorite_parentale,
                    contact_urgence: row.contact_urgence,
                    autorise_recuperer: row.autorise_recuperer,
                },
            })
        })
        .collect()
}

/// Replaces every link of `child_id` (the caller checked both ends are in the dossier).
pub fn set_links(conn: &mut DbConn, child_id: &str, links: &[LinkInput]) -> QueryResult<()> {
    diesel::delete(member_links::table.filter(member_links::child_id.eq(child_id)))
        .execute(conn)?;
    for link in links {
        diesel::insert_into(member_links::table)
            .values((
                member_links::child_id.eq(child_id),
                member_links::adult_id.eq(link.adult_id.to_string()),
                member_links::relation.eq(to_text(&link.relation)),
                member_links::autorite_parentale.eq(link.autorite_parentale),
                member_links::contact_urgence.eq(link.contact_urgence),
                member_links::autorise_recuperer.eq(link.autorise_recuperer),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Dossiers with a member of the family (contacts excluded: searching a grandmother's
/// name should not list her grandchildren's dossier) whose folded nom or prénom contains
/// `folded` (the agents' search).
pub fn dossiers_named(conn: &mut DbConn, folded: &str) -> QueryResult<Vec<String>> {
    let escaped = folded
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let pattern = format!("%{escaped}%");
    members::table
        .filter(members::role.ne("contact"))
        .filter(
            members::nom_folded
                .like(&pattern)
                .escape('\\')
                .or(members::prenom_folded.like(&pattern).escape('\\')),
        )
        .select(members::dossier_id)
        .distinct()
        .load(conn)
}

/// The member's first name, to address the family about its child.
pub fn first_name(conn: &mut DbConn, id: &str) -> QueryResult<Option<String>> {
    Ok(members::table
        .find(id)
        .select(members::prenom)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// The dossier of child `id` (`None` if no child has that id).
pub fn dossier_of_child(conn: &mut DbConn, id: &str) -> QueryResult<Option<String>> {
    members::table
        .find(id)
        .filter(members::role.eq("enfant"))
        .select(members::dossier_id)
        .first(conn)
        .optional()
}
