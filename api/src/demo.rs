//! Content that makes a fresh local portal usable: the CGU and the seed's existing
//! dossier (n° 17484, CREATION Père) to link an account to. Loaded only into an empty
//! database, and never in production unless `DEMO_CONTENT=true`.

use crate::db::models::{cgu, dossier_reference};
use crate::db::{DbConn, now, write_tx};

/// The terms of use shown on the consent page (excerpt of the seed's articles).
pub const DEMO_CGU: &str = include_str!("demo_cgu.txt");

/// Loads the demo content if the database has none.
pub fn load(conn: &mut DbConn) -> anyhow::Result<()> {
    write_tx(conn, |conn| -> anyhow::Result<()> {
        let now = now();
        if cgu::current(conn, now)?.is_none() {
            cgu::publish(conn, DEMO_CGU, now)?;
        }
        if dossier_reference::count(conn)? == 0 {
            dossier_reference::insert(conn, "17484", "CREATION", "Père")?;
            dossier_reference::insert(conn, "17484", "CREATION", "Mère")?;
        }
        Ok(())
    })
}
