//! Dates shown the French way (dd/mm/yyyy), in the browser's time zone, and read back from
//! `type=date` inputs.

use chrono::{DateTime, Local, NaiveDate, Utc};

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

/// « 9 h 05 », a time of today.
pub fn time_hm(at: &DateTime<Utc>) -> String {
    at.with_timezone(&Local).format("%-H h %M").to_string()
}

/// A calendar date, « 02/03/1985 ».
pub fn day(date: &chrono::NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// A `type=date` value ("YYYY-MM-DD"), read by hand: chrono's parser is heavy in WASM.
pub fn parse_iso_date(value: &str) -> Option<NaiveDate> {
    let mut parts = value.trim().splitn(3, '-').map(str::parse::<u32>);
    let (year, month, day) = (
        parts.next()?.ok()?,
        parts.next()?.ok()?,
        parts.next()?.ok()?,
    );
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// The value a `type=date` input holds for `date` ("YYYY-MM-DD").
pub fn iso_date(date: &NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// Today in the browser's time zone.
pub fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// « 14 mai 2025 », as in « Publié le 14 mai 2025 ».
pub fn long_date(at: &DateTime<Utc>) -> String {
    use chrono::Datelike;
    const MONTHS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let local = at.with_timezone(&Local);
    let month = MONTHS[local.month0() as usize];
    let day = match local.day() {
        1 => "1er".to_string(),
        d => d.to_string(),
    };
    format!("{day} {month} {}", local.year())
}
