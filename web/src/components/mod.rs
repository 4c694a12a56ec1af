//! Reusable building blocks of the pages.

pub mod choice;
pub mod field;
pub mod guard;
pub mod layout;
pub mod login_box;
pub mod modal;
pub mod page_title;
pub mod rich_text;
pub mod session_dialog;
pub mod status;
pub mod stepper;
