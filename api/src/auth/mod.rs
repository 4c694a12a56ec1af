//! Authentication: password hashing, one-time tokens, access JWTs, refresh sessions,
//! throttling, and the extractors that guard routes.

pub mod device;
pub mod extractor;
pub mod integration;
pub mod jwt;
pub mod password;
pub mod reauth;
pub mod sealed;
pub mod throttle;
pub mod tokens;
pub mod totp;
