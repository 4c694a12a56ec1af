//! Pièces justificatives: receiving uploads within limits, deciding what a file really is,
//! keeping family-chosen names away from the filesystem, storing files, and the rules of a
//! dossier's pieces.

pub mod backup;
pub mod download;
pub mod filename;
pub mod inspect;
pub mod pieces;
pub mod receipt;
pub mod receive;
pub mod scanning;
pub mod storage;
pub mod upload;
