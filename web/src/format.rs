//! Dates shown the French way (dd/mm/yyyy), in the browser's time zone, and read back from
//! `type=date` inputs; the town's own hours (openings, deadlines) in Europe/Paris time
//! whatever the phone's zone (`shared::paris`), in words: « le lundi 5 janvier à 8 h 30 ».

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

/// A calendar date, « 02/03/1985 », written by hand: chrono's formatter costs the public
/// pages' bundle about 5 KB, and it is their only use of it.
pub fn day(date: &chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{:02}/{:02}/{}", date.day(), date.month(), date.year())
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

const WEEKDAYS: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];

/// « 1er », « 2 »… the day of the month as French writes it.
fn day_number(day: u32) -> String {
    match day {
        1 => "1er".to_string(),
        d => d.to_string(),
    }
}

/// « 14 mai 2025 », as in « Publié le 14 mai 2025 ».
pub fn long_date(at: &DateTime<Utc>) -> String {
    use chrono::Datelike;
    let local = at.with_timezone(&Local);
    let month = MONTHS[local.month0() as usize];
    format!("{} {month} {}", day_number(local.day()), local.year())
}

/// « lundi 5 janvier », with the year when it is not `this_year` (« lundi 4 janvier 2027 »).
pub fn weekday_date(date: NaiveDate, this_year: i32) -> String {
    use chrono::Datelike;
    let weekday = WEEKDAYS[date.weekday().num_days_from_monday() as usize];
    format!("{weekday} {}", day_month(date, this_year))
}

/// « 16 février », with the year when it is not `this_year` (« 16 février 2027 »).
pub fn day_month(date: NaiveDate, this_year: i32) -> String {
    use chrono::Datelike;
    let month = MONTHS[date.month0() as usize];
    let day = day_number(date.day());
    if date.year() == this_year {
        format!("{day} {month}")
    } else {
        format!("{day} {month} {}", date.year())
    }
}

/// « 8 h 30 », « 9 h »: a wall-clock time the French way.
pub fn hour(time: chrono::NaiveTime) -> String {
    use chrono::Timelike;
    match time.minute() {
        0 => format!("{} h", time.hour()),
        m => format!("{} h {m:02}", time.hour()),
    }
}

/// « lundi 5 janvier à 8 h 30 »: an instant of the town's calendar (Europe/Paris), the year
/// said only when it is not the year of `now`.
pub fn paris_when(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    use chrono::Datelike;
    let local = shared::paris::local(at);
    let this_year = shared::paris::local(now).year();
    format!(
        "{} à {}",
        weekday_date(local.date(), this_year),
        hour(local.time())
    )
}

/// Today in Paris (the town's calendar: cancellation deadlines, ages).
pub fn paris_today() -> NaiveDate {
    shared::paris::today(Utc::now())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("instant")
    }

    #[test]
    fn openings_are_said_in_the_towns_time_with_the_weekday() {
        // 7 h 30 UTC in January is 8 h 30 in Paris.
        let now = at(2025, 12, 20, 10, 0);
        assert_eq!(
            paris_when(at(2026, 1, 5, 7, 30), now),
            "lundi 5 janvier 2026 à 8 h 30"
        );
        let now = at(2026, 1, 1, 10, 0);
        assert_eq!(
            paris_when(at(2026, 1, 5, 7, 30), now),
            "lundi 5 janvier à 8 h 30"
        );
        // Summer time: UTC+2; whole hours without minutes; the 1st.
        assert_eq!(
            paris_when(at(2026, 6, 1, 7, 0), now),
            "lundi 1er juin à 9 h"
        );
    }

    #[test]
    fn days_and_months_in_words() {
        let day = NaiveDate::from_ymd_opt(2026, 2, 16).expect("date");
        assert_eq!(day_month(day, 2026), "16 février");
        assert_eq!(day_month(day, 2025), "16 février 2026");
        assert_eq!(weekday_date(day, 2026), "lundi 16 février");
    }
}
