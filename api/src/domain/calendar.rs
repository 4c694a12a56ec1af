//! The date in France, which is what families mean by « aujourd'hui » (date of presentation,
//! end of validity, age): the server clock runs in UTC, and just after midnight in Paris it
//! is still the previous day in UTC.
//!
//! Metropolitan France uses CET (UTC+1) and, from the last Sunday of March to the last
//! Sunday of October at 01:00 UTC, CEST (UTC+2) — EU directive 2000/84/EC.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};

/// The last Sunday of `month` in `year`, at 01:00 UTC (when EU clocks change).
fn change_at(year: i32, month: u32) -> Option<DateTime<Utc>> {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let last = first_of_next.pred_opt()?;
    let back = last.weekday().num_days_from_sunday();
    let sunday = last - Duration::days(i64::from(back));
    debug_assert_eq!(sunday.weekday(), Weekday::Sun);
    Some(Utc.from_utc_datetime(&NaiveDateTime::new(
        sunday,
        chrono::NaiveTime::from_hms_opt(1, 0, 0)?,
    )))
}

/// The wall-clock time in metropolitan France at instant `at`.
pub fn in_france(at: DateTime<Utc>) -> NaiveDateTime {
    let year = at.year();
    let summer = match (change_at(year, 3), change_at(year, 10)) {
        (Some(start), Some(end)) => at >= start && at < end,
        _ => false,
    };
    let offset = if summer { 2 } else { 1 };
    (at + Duration::hours(offset)).naive_utc()
}

/// The calendar date in metropolitan France at instant `at`.
pub fn date_in_france(at: DateTime<Utc>) -> NaiveDate {
    in_france(at).date()
}

/// Today in France.
pub fn today() -> NaiveDate {
    date_in_france(Utc::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("date")
            .with_timezone(&Utc)
    }

    #[test]
    fn just_after_midnight_in_paris_is_already_tomorrow() {
        // Winter: UTC+1.
        assert_eq!(
            date_in_france(utc("2026-11-26T23:30:00Z")),
            NaiveDate::from_ymd_opt(2026, 11, 27).expect("d")
        );
        assert_eq!(
            date_in_france(utc("2026-11-26T22:59:00Z")),
            NaiveDate::from_ymd_opt(2026, 11, 26).expect("d")
        );
        // Summer: UTC+2.
        assert_eq!(
            date_in_france(utc("2026-07-14T22:30:00Z")),
            NaiveDate::from_ymd_opt(2026, 7, 15).expect("d")
        );
        assert_eq!(
            date_in_france(utc("2026-07-14T21:59:00Z")),
            NaiveDate::from_ymd_opt(2026, 7, 14).expect("d")
        );
    }

    #[test]
    fn clocks_change_on_the_last_sundays_of_march_and_october() {
        // 2026: 29 March and 25 October, at 01:00 UTC.
        assert_eq!(change_at(2026, 3), Some(utc("2026-03-29T01:00:00Z")));
        assert_eq!(change_at(2026, 10), Some(utc("2026-10-25T01:00:00Z")));
        assert_eq!(
            date_in_france(utc("2026-03-28T22:30:00Z")),
            NaiveDate::from_ymd_opt(2026, 3, 28).expect("d")
        );
        assert_eq!(
            date_in_france(utc("2026-10-24T22:30:00Z")),
            NaiveDate::from_ymd_opt(2026, 10, 25).expect("d")
        );
    }
}
