//! Dates shown the French way (dd/mm/yyyy), in the browser's time zone.

use chrono::{DateTime, Local, Utc};

/// « 14/05/2025 ».
pub fn date(at: &DateTime<Utc>) -> String {
    at.with_timezone(&Local).format("%d/%m/%Y").to_string()
}

/// « 14/05/2025 09:05 ».
pub fn date_time(at: &DateTime<Utc>) -> String {
    at.with_timezone(&Local)
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

/// A calendar date, « 02/03/1985 ».
pub fn day(date: &chrono::NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}
