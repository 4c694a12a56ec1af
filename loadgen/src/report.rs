//! What a run measured, and the correctness criteria it checks.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// Latencies of one kind of request.
#[derive(Clone, Debug, Default)]
pub struct Latencies(Vec<Duration>);

impl Latencies {
    pub fn push(&mut self, took: Duration) {
        self.0.push(took);
    }

    pub fn extend(&mut self, other: Latencies) {
        self.0.extend(other.0);
    }

    pub fn count(&self) -> usize {
        self.0.len()
    }

    /// The `q` quantile (0.5, 0.95…), zero when empty.
    pub fn quantile(&self, q: f64) -> Duration {
        let mut sorted = self.0.clone();
        sorted.sort();
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((sorted.len() as f64 - 1.0) * q).round() as usize;
        sorted[rank.min(sorted.len() - 1)]
    }
}

/// One période as the catalogue showed it after the run.
#[derive(Clone, Debug)]
pub struct PeriodeCount {
    pub capacite: u32,
    pub places_restantes: u32,
    pub en_liste_attente: u32,
    /// Confirmed enrolments the families were told of.
    pub acknowledged_places: u32,
}

/// The figures of a run.
#[derive(Debug, Default)]
pub struct Report {
    pub families: usize,
    pub children: usize,
    pub logins: Latencies,
    pub login_retries: usize,
    /// Families sent back to log in because their session could not be refreshed.
    pub relogins: usize,
    /// Successful logins per second over the busiest 10 seconds.
    pub peak_logins_per_second: f64,
    pub catalogue_reads: Latencies,
    /// Catalogue reads while enrolments were in progress (after the opening).
    pub catalogue_reads_during_rush: Latencies,
    /// Catalogue reads answered 503 (or lost by a proxy): read again at the page's next turn.
    pub catalogue_unavailable: usize,
    /// Enrolment attempts that were admitted (any answer but 503).
    pub enrolments: Latencies,
    pub confirmed: usize,
    pub waiting: usize,
    /// 503 answers (each retried).
    pub unavailable: usize,
    /// Lost connections and timeouts (each retried with the same key).
    pub lost: usize,
    /// From the opening to the last place confirmed.
    pub all_places_taken_after: Option<Duration>,
    /// From the opening to the last enrolment answered.
    pub rush_lasted: Duration,
    /// Answers other than 2xx and 503, by status and code.
    pub errors: BTreeMap<String, usize>,
    /// Acknowledged enrolments missing from « Mes inscriptions » afterwards.
    pub missing: usize,
    pub periodes: Vec<PeriodeCount>,
}

impl Report {
    /// Every broken correctness criterion (empty: the run is correct).
    pub fn problems(&self) -> Vec<String> {
        let mut found = Vec::new();
        if !self.errors.is_empty() {
            found.push(format!("answers other than 2xx or 503: {:?}", self.errors));
        }
        if self.confirmed + self.waiting != self.children {
            found.push(format!(
                "{} enrolments answered for {} children",
                self.confirmed + self.waiting,
                self.children
            ));
        }
        if self.missing > 0 {
            found.push(format!("{} acknowledged enrolments lost", self.missing));
        }
        for (index, p) in self.periodes.iter().enumerate() {
            let held = p.capacite.saturating_sub(p.places_restantes);
            if p.acknowledged_places > p.capacite || held > p.capacite {
                found.push(format!(
                    "période {index}: overbooked ({held} > {})",
                    p.capacite
                ));
            }
            if p.acknowledged_places != held {
                found.push(format!(
                    "période {index}: {} places acknowledged, {held} held",
                    p.acknowledged_places
                ));
            }
            if p.en_liste_attente > 0 && p.places_restantes > 0 {
                found.push(format!(
                    "période {index}: {} places left empty while {} wait",
                    p.places_restantes, p.en_liste_attente
                ));
            }
        }
        found
    }
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = |f: &mut fmt::Formatter<'_>, name: &str, l: &Latencies| {
            writeln!(
                f,
                "| {name} | {} | {} | {} | {} |",
                l.count(),
                ms(l.quantile(0.5)),
                ms(l.quantile(0.95)),
                ms(l.quantile(0.99))
            )
        };
        writeln!(f, "{} families, {} children", self.families, self.children)?;
        writeln!(f)?;
        writeln!(f, "| requests | count | p50 | p95 | p99 |")?;
        writeln!(f, "|---|---:|---:|---:|---:|")?;
        line(f, "login", &self.logins)?;
        line(f, "catalogue (whole run)", &self.catalogue_reads)?;
        line(
            f,
            "catalogue (during the rush)",
            &self.catalogue_reads_during_rush,
        )?;
        line(f, "enrolment (admitted)", &self.enrolments)?;
        writeln!(f)?;
        let places: u32 = self.periodes.iter().map(|p| p.capacite).sum();
        writeln!(
            f,
            "- enrolments: {} confirmée, {} liste d'attente, {} places in {} périodes",
            self.confirmed,
            self.waiting,
            places,
            self.periodes.len()
        )?;
        writeln!(
            f,
            "- 503 + Retry-After: {} (all retried), lost connections: {}, catalogue reads unanswered: {}",
            self.unavailable, self.lost, self.catalogue_unavailable
        )?;
        let rush = self.rush_lasted.as_secs_f64();
        let rate = if rush > 0.0 {
            (self.confirmed + self.waiting) as f64 / rush
        } else {
            0.0
        };
        writeln!(
            f,
            "- rush: every enrolment answered {rush:.1} s after the opening ({rate:.0} enrolments/s)"
        )?;
        match self.all_places_taken_after {
            Some(d) => writeln!(
                f,
                "- all places taken {:.1} s after the opening",
                d.as_secs_f64()
            )?,
            None => writeln!(f, "- some places were not taken")?,
        }
        writeln!(
            f,
            "- logins: peak {:.1}/s over 10 s, {} retried after 503, {} again after a refused refresh",
            self.peak_logins_per_second, self.login_retries, self.relogins
        )?;
        let problems = self.problems();
        if problems.is_empty() {
            writeln!(f, "- correctness: every criterion met")
        } else {
            writeln!(f, "- correctness: BROKEN")?;
            for problem in problems {
                writeln!(f, "  - {problem}")?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_pick_from_the_sorted_latencies() {
        let mut l = Latencies::default();
        for ms in [5, 1, 4, 2, 3] {
            l.push(Duration::from_millis(ms));
        }
        assert_eq!(l.quantile(0.5), Duration::from_millis(3));
        assert_eq!(l.quantile(1.0), Duration::from_millis(5));
    }

    #[test]
    fn an_overbooked_or_half_empty_periode_is_a_problem() {
        let report = Report {
            periodes: vec![
                PeriodeCount {
                    capacite: 2,
                    places_restantes: 0,
                    en_liste_attente: 0,
                    acknowledged_places: 3,
                },
                PeriodeCount {
                    capacite: 2,
                    places_restantes: 1,
                    en_liste_attente: 4,
                    acknowledged_places: 1,
                },
            ],
            ..Report::default()
        };
        let problems = report.problems();
        assert!(
            problems.iter().any(|p| p.contains("overbooked")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.contains("left empty")),
            "{problems:?}"
        );
    }
}
