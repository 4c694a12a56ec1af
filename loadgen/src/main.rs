//! `opening-morning`: runs the opening-morning scenario against a portal and prints its
//! figures (a Markdown table for BENCHMARKS.md). Exits 1 if a correctness criterion broke.
//! Prepare the families first with `portail-famille charge preparer` (same prefix and
//! password); `scripts/opening-morning.sh` does both.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

/// The opening-morning load generator.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The portal (plain HTTP), e.g. http://127.0.0.1:8080.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    #[arg(long, default_value_t = 10_000)]
    familles: usize,
    #[arg(long, default_value = "charge")]
    prefixe: String,
    #[arg(long)]
    mot_de_passe: String,
    /// The activité the families choose from (part of its name).
    #[arg(long, default_value = "essai de charge")]
    activite: String,
    /// Seconds before the opening when the first family logs in.
    #[arg(long, default_value_t = 900)]
    fenetre_connexion: u64,
    /// Seconds between two readings of the catalogue by a waiting family.
    #[arg(long, default_value_t = 30)]
    relecture: u64,
    /// Seconds before a request counts as lost (and is retried).
    #[arg(long, default_value_t = 30)]
    delai: u64,
    /// Seconds of the login ceiling phase run first (0: none): closed-loop clients log in
    /// as the families, more at once than the server can hash (`loadgen::ceiling`).
    #[arg(long, default_value_t = 0)]
    plafond_secondes: u64,
    /// Clients of the login ceiling phase.
    #[arg(long, default_value_t = 32)]
    plafond_clients: usize,
    /// Only the login ceiling phase, then exit (to measure the raw Argon2id rate just
    /// before and after it).
    #[arg(long)]
    plafond_seul: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let args = Args::parse();
    if args.plafond_secondes > 0 {
        let ceiling = loadgen::ceiling::measure(
            &args.url,
            &args.prefixe,
            args.familles,
            &args.mot_de_passe,
            args.plafond_clients,
            Duration::from_secs(args.plafond_secondes),
        )
        .await?;
        println!(
            "- login ceiling: {:.1} logins/s sustained by {} clients over {:.1} s (p50 {:.0} ms, p99 {:.0} ms), {} answered 503, {} other errors",
            ceiling.rate(),
            args.plafond_clients,
            ceiling.lasted.as_secs_f64(),
            ceiling.logins.quantile(0.5).as_secs_f64() * 1000.0,
            ceiling.logins.quantile(0.99).as_secs_f64() * 1000.0,
            ceiling.refused,
            ceiling.errors
        );
    }
    if args.plafond_seul {
        return Ok(ExitCode::SUCCESS);
    }
    let report = loadgen::run(loadgen::Config {
        base_url: args.url,
        prefix: args.prefixe,
        families: args.familles,
        password: args.mot_de_passe,
        activity: args.activite,
        login_window: Duration::from_secs(args.fenetre_connexion),
        catalogue_every: Duration::from_secs(args.relecture.max(1)),
        request_timeout: Duration::from_secs(args.delai.max(1)),
    })
    .await?;
    println!("{report}");
    Ok(if report.problems().is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
