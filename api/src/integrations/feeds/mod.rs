//! What connected applications read incrementally, one feed per kind: each turns the
//! feed's changes ([`crate::integrations::sync`]) into what the application may see —
//! the object as it is now, a tombstone, or nothing — and audits the reads of families'
//! data.

pub mod activites;
pub mod demandes;
pub mod dossiers;
pub mod inscriptions;
pub mod pieces;
