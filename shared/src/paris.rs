//! The town's clock: Europe/Paris, whatever the server's or the phone's time zone. Opening
//! hours (« le lundi 5 janvier à 8 h 30 ») and deadlines (« jusqu'au 9 février ») are the
//! town's, so both sides convert with this one rule rather than with the local zone.
//!
//! The rule is the EU's since 1996: summer time (UTC+2) from the last Sunday of March at
//! 01:00 UTC to the last Sunday of October at 01:00 UTC, UTC+1 otherwise. Written out here
//! rather than by pulling a time-zone database into the WASM bundle for one zone.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc, Weekday};

/// The last Sunday of `month` in `year`, at 01:00 UTC.
fn change_at(year: i32, month: u32) -> NaiveDateTime {
    let last = NaiveDate::from_ymd_opt(year, month, 31).unwrap_or(NaiveDate::MIN);
    let back = last.weekday().num_days_from_sunday();
    let sunday = last - Duration::days(i64::from(back));
    debug_assert_eq!(sunday.weekday(), Weekday::Sun);
    sunday.and_time(NaiveTime::from_hms_opt(1, 0, 0).unwrap_or(NaiveTime::MIN))
}

/// Paris' offset from UTC at instant `at`.
pub fn offset_at(at: DateTime<Utc>) -> Duration {
    let utc = at.naive_utc();
    let year = utc.year();
    if utc >= change_at(year, 3) && utc < change_at(year, 10) {
        Duration::hours(2)
    } else {
        Duration::hours(1)
    }
}

/// The wall-clock time in Paris at instant `at`.
pub fn local(at: DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc() + offset_at(at)
}

/// Today's date in Paris at instant `at`.
pub fn today(at: DateTime<Utc>) -> NaiveDate {
    local(at).date()
}

/// The instant of Paris wall-clock time `local` (as typed in a form). In the hour that
/// does not exist (spring forward) or happens twice (fall back), the earlier reading wins.
pub fn to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    // Try winter time first: wrong only if the result lies in summer time.
    let winter = (local - Duration::hours(1)).and_utc();
    let summer = (local - Duration::hours(2)).and_utc();
    if offset_at(summer) == Duration::hours(2) {
        summer
    } else {
        winter
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("valid")
    }

    fn wall(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, min, 0))
            .expect("valid")
    }

    #[test]
    fn winter_is_one_hour_ahead_and_summer_two() {
        assert_eq!(local(utc(2026, 1, 5, 7, 30)), wall(2026, 1, 5, 8, 30));
        assert_eq!(local(utc(2026, 7, 14, 20, 0)), wall(2026, 7, 14, 22, 0));
    }

    #[test]
    fn the_changes_happen_on_the_last_sundays_at_one_utc() {
        // 2026: 29 March and 25 October.
        assert_eq!(offset_at(utc(2026, 3, 29, 0, 59)), Duration::hours(1));
        assert_eq!(offset_at(utc(2026, 3, 29, 1, 0)), Duration::hours(2));
        assert_eq!(offset_at(utc(2026, 10, 25, 0, 59)), Duration::hours(2));
        assert_eq!(offset_at(utc(2026, 10, 25, 1, 0)), Duration::hours(1));
    }

    #[test]
    fn a_typed_time_goes_back_to_the_same_instant() {
        for at in [
            utc(2026, 1, 5, 7, 30),
            utc(2026, 6, 1, 6, 30),
            utc(2026, 12, 31, 23, 0),
        ] {
            assert_eq!(to_utc(local(at)), at);
        }
    }

    #[test]
    fn the_day_changes_at_midnight_in_paris() {
        assert_eq!(
            today(utc(2026, 2, 8, 22, 59)),
            NaiveDate::from_ymd_opt(2026, 2, 8).expect("d")
        );
        assert_eq!(
            today(utc(2026, 2, 8, 23, 0)),
            NaiveDate::from_ymd_opt(2026, 2, 9).expect("d")
        );
    }
}
