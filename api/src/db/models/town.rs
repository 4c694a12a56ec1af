//! The town's settings: one row, written at the first start from the deployment's
//! `TOWN_NAME` / `TOWN_TAGLINE`, then changed by administrators in the back office.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::api::content::TownSettingsInput;

use crate::db::DbConn;
use crate::db::schema::town_settings;

/// The settings' only row.
const ROW: i32 = 1;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = town_settings)]
pub struct TownSettings {
    pub name: String,
    pub tagline: String,
    pub contact: String,
    pub welcome_text: String,
    /// The town's postal codes, space-separated: their households are residents.
    pub codes_postaux: String,
    /// How to reach the data protection officer (« Données personnelles »); may be empty.
    pub dpo_contact: String,
}

/// The settings (written by [`ensure`] at start-up, so always there).
pub fn current(conn: &mut DbConn) -> QueryResult<TownSettings> {
    town_settings::table
        .find(ROW)
        .select(TownSettings::as_select())
        .first(conn)
}

/// Writes the first settings unless some exist: the deployment's values only seed them.
pub fn ensure(conn: &mut DbConn, first: &TownSettings, now: NaiveDateTime) -> QueryResult<()> {
    let exists: i64 = town_settings::table.count().get_result(conn)?;
    if exists == 0 {
        diesel::insert_into(town_settings::table)
            .values((
                town_settings::id.eq(ROW),
                town_settings::name.eq(&first.name),
                town_settings::tagline.eq(&first.tagline),
                town_settings::contact.eq(&first.contact),
                town_settings::welcome_text.eq(&first.welcome_text),
                town_settings::codes_postaux.eq(&first.codes_postaux),
                town_settings::dpo_contact.eq(&first.dpo_contact),
                town_settings::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Replaces the settings (an administrator's change).
pub fn update(
    conn: &mut DbConn,
    input: &TownSettingsInput,
    by: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(town_settings::table.find(ROW))
        .set((
            town_settings::name.eq(input.name.trim()),
            town_settings::tagline.eq(input.tagline.trim()),
            town_settings::contact.eq(input.contact.trim()),
            town_settings::welcome_text.eq(input.welcome_text.trim()),
            town_settings::codes_postaux.eq(shared::api::content::normalize_postal_codes(
                &input.codes_postaux,
            )),
            town_settings::dpo_contact.eq(input.dpo_contact.trim()),
            town_settings::updated_by.eq(by),
            town_settings::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Sets the welcome text if none was written (the demo content's).
pub fn welcome_if_empty(conn: &mut DbConn, text: &str) -> QueryResult<()> {
    diesel::update(town_settings::table.find(ROW))
        .filter(town_settings::welcome_text.eq(""))
        .set(town_settings::welcome_text.eq(text))
        .execute(conn)?;
    Ok(())
}

/// Whether `code_postal` (a dossier's address) is one of the town's.
pub fn is_resident(settings: &TownSettings, code_postal: Option<&str>) -> bool {
    code_postal
        .map(str::trim)
        .is_some_and(|code| settings.codes_postaux.split_whitespace().any(|c| c == code))
}
