//! Business rules that need no database: pure functions, unit-tested inline.

pub mod calendar;
pub mod normalize;
pub mod password_policy;
