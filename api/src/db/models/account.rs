//! Accounts: families, and the town's staff (agents, administrators) with their second
//! factor.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::accounts;

/// Account states stored in `accounts.state`.
pub mod state {
    pub const PENDING_ACTIVATION: &str = "pending_activation";
    pub const ACTIVE: &str = "active";
    pub const CLOSED: &str = "closed";
}

/// Roles stored in `accounts.role`.
pub mod role {
    pub const FAMILLE: &str = "famille";
    pub const AGENT: &str = "agent";
    pub const ADMINISTRATEUR: &str = "administrateur";

    /// Whether `role` is a town agent's or an administrator's.
    pub fn is_staff(role: &str) -> bool {
        role != FAMILLE
    }
}

/// A row of `accounts`.
#[derive(Queryable, Selectable, Identifiable, Clone, Debug)]
#[diesel(table_name = accounts)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub username_normalized: String,
    pub email: String,
    pub email_normalized: String,
    pub password_hash: Option<String>,
    pub state: String,
    pub new_household: bool,
    pub pending_email: Option<String>,
    pub created_at: NaiveDateTime,
    pub activated_at: Option<NaiveDateTime>,
    pub password_changed_at: Option<NaiveDateTime>,
    pub role: String,
    pub totp_secret: Option<String>,
    pub totp_enabled_at: Option<NaiveDateTime>,
    pub totp_last_step: Option<i64>,
}

/// A new account, pending activation.
#[derive(Insertable, Debug)]
#[diesel(table_name = accounts)]
pub struct NewAccount<'a> {
    pub id: &'a str,
    pub username: &'a str,
    pub username_normalized: &'a str,
    pub email: &'a str,
    pub email_normalized: &'a str,
    pub password_hash: Option<&'a str>,
    pub state: &'a str,
    pub new_household: bool,
    pub created_at: NaiveDateTime,
}

impl NewAccount<'_> {
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<usize> {
        diesel::insert_into(accounts::table)
            .values(self)
            .execute(conn)
    }
}

impl Account {
    /// Whether this is a town agent or administrator (who sign in with a second factor
    /// and never use the family routes).
    pub fn is_staff(&self) -> bool {
        role::is_staff(&self.role)
    }

    /// Gives an active account a staff role (the first administrator, from the command line).
    pub fn set_role(conn: &mut DbConn, id: &str, new_role: &str) -> QueryResult<usize> {
        diesel::update(accounts::table.find(id))
            .set(accounts::role.eq(new_role))
            .execute(conn)
    }

    /// Stores a new TOTP secret for an account that has none in use yet (enrolment).
    pub fn set_pending_totp_secret(
        conn: &mut DbConn,
        id: &str,
        secret: &str,
    ) -> QueryResult<usize> {
        diesel::update(
            accounts::table
                .find(id)
                .filter(accounts::totp_enabled_at.is_null()),
        )
        .set(accounts::totp_secret.eq(secret))
        .execute(conn)
    }

    /// Accepts TOTP time step `step` once: false when it (or a later one) was already
    /// used, so a code cannot be replayed. The first accepted code completes enrolment.
    pub fn accept_totp_step(
        conn: &mut DbConn,
        id: &str,
        step: i64,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        let updated = diesel::update(
            accounts::table.find(id).filter(
                accounts::totp_last_step
                    .is_null()
                    .or(accounts::totp_last_step.lt(step)),
            ),
        )
        .set(accounts::totp_last_step.eq(step))
        .execute(conn)?;
        if updated == 1 {
            diesel::update(
                accounts::table
                    .find(id)
                    .filter(accounts::totp_enabled_at.is_null()),
            )
            .set(accounts::totp_enabled_at.eq(now))
            .execute(conn)?;
        }
        Ok(updated == 1)
    }

    /// Forgets a staff member's authenticator (lost phone): they enrol again at their next
    /// login, after their password.
    /// A staff member's role and state (`active` or `closed`).
    pub fn set_staff(conn: &mut DbConn, id: &str, role: &str, state: &str) -> QueryResult<usize> {
        diesel::update(
            accounts::table
                .find(id)
                .filter(accounts::role.ne(role::FAMILLE)),
        )
        .set((accounts::role.eq(role), accounts::state.eq(state)))
        .execute(conn)
    }

    pub fn reset_totp(conn: &mut DbConn, id: &str) -> QueryResult<usize> {
        diesel::update(
            accounts::table
                .find(id)
                .filter(accounts::role.ne(role::FAMILLE)),
        )
        .set((
            accounts::totp_secret.eq(None::<String>),
            accounts::totp_enabled_at.eq(None::<NaiveDateTime>),
            // Steps were counted for the old secret; the new one starts afresh.
            accounts::totp_last_step.eq(None::<i64>),
        ))
        .execute(conn)
    }

    /// The staff, by username.
    pub fn staff(conn: &mut DbConn) -> QueryResult<Vec<Account>> {
        accounts::table
            .filter(accounts::role.ne(role::FAMILLE))
            .order(accounts::username_normalized)
            .select(Account::as_select())
            .load(conn)
    }

    pub fn is_active(&self) -> bool {
        self.state == state::ACTIVE
    }

    pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Account> {
        accounts::table
            .find(id)
            .select(Account::as_select())
            .first(conn)
    }

    /// The account whose username or email key is `key`.
    pub fn find_by_login(conn: &mut DbConn, key: &str) -> QueryResult<Option<Account>> {
        accounts::table
            .filter(
                accounts::username_normalized
                    .eq(key)
                    .or(accounts::email_normalized.eq(key)),
            )
            .select(Account::as_select())
            .first(conn)
            .optional()
    }

    pub fn find_by_email(conn: &mut DbConn, email_key: &str) -> QueryResult<Option<Account>> {
        accounts::table
            .filter(accounts::email_normalized.eq(email_key))
            .select(Account::as_select())
            .first(conn)
            .optional()
    }

    pub fn username_taken(conn: &mut DbConn, username_key: &str) -> QueryResult<bool> {
        diesel::select(diesel::dsl::exists(
            accounts::table.filter(accounts::username_normalized.eq(username_key)),
        ))
        .get_result(conn)
    }

    /// Activates a pending account; 0 rows when it was not pending.
    pub fn activate(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
        diesel::update(
            accounts::table
                .find(id)
                .filter(accounts::state.eq(state::PENDING_ACTIVATION)),
        )
        .set((
            accounts::state.eq(state::ACTIVE),
            accounts::activated_at.eq(now),
        ))
        .execute(conn)
    }

    pub fn set_password_hash(
        conn: &mut DbConn,
        id: &str,
        hash: &str,
        now: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(accounts::table.find(id))
            .set((
                accounts::password_hash.eq(hash),
                accounts::password_changed_at.eq(now),
            ))
            .execute(conn)
    }

    /// Replaces the hash only if it is still `old`: a rehash on login never overwrites a
    /// password changed in the meantime.
    pub fn upgrade_password_hash(
        conn: &mut DbConn,
        id: &str,
        old: &str,
        new: &str,
    ) -> QueryResult<usize> {
        diesel::update(
            accounts::table
                .find(id)
                .filter(accounts::password_hash.eq(old)),
        )
        .set(accounts::password_hash.eq(new))
        .execute(conn)
    }

    pub fn set_pending_email(
        conn: &mut DbConn,
        id: &str,
        email: Option<&str>,
    ) -> QueryResult<usize> {
        diesel::update(accounts::table.find(id))
            .set(accounts::pending_email.eq(email))
            .execute(conn)
    }

    /// Makes `email` the account's address (its uniqueness is enforced by the database).
    pub fn set_email(
        conn: &mut DbConn,
        id: &str,
        email: &str,
        email_key: &str,
    ) -> QueryResult<usize> {
        diesel::update(accounts::table.find(id))
            .set((
                accounts::email.eq(email),
                accounts::email_normalized.eq(email_key),
                accounts::pending_email.eq(None::<String>),
            ))
            .execute(conn)
    }
}

/// Deletes accounts never activated and created before `before` (SECURITY.md G-03: data
/// of people who never used the portal is not kept).
pub fn purge_unactivated(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        accounts::table
            .filter(accounts::state.eq(state::PENDING_ACTIVATION))
            .filter(accounts::created_at.lt(before)),
    )
    .execute(conn)
}

/// Records that the account signed in or refreshed its session at `now`: inactivity is
/// counted from here, and a warning of closure for inactivity no longer holds. Written at
/// most once an hour per account (inactivity is counted in months), so that refreshing
/// sessions on the opening morning writes no row.
pub fn seen(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        accounts::table.find(id).filter(
            accounts::last_seen_at
                .is_null()
                .or(accounts::last_seen_at.lt(now - chrono::Duration::hours(1)))
                .or(accounts::inactivity_warned_at.is_not_null()),
        ),
    )
    .set((
        accounts::last_seen_at.eq(now),
        accounts::inactivity_warned_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
}

/// Last seen before `before`; an account that never signed in since it was recorded counts
/// from its creation.
#[diesel::dsl::auto_type]
fn seen_before(before: NaiveDateTime) -> _ {
    accounts::last_seen_at.lt(before).or(accounts::last_seen_at
        .is_null()
        .and(accounts::created_at.lt(before)))
}

/// Family accounts last seen before `before` and not warned yet: (id, email, username).
pub fn inactive_unwarned(
    conn: &mut DbConn,
    before: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<(String, String, String)>> {
    accounts::table
        .filter(accounts::role.eq(role::FAMILLE))
        .filter(accounts::state.eq(state::ACTIVE))
        .filter(seen_before(before))
        .filter(accounts::inactivity_warned_at.is_null())
        .order(accounts::last_seen_at.asc())
        .select((accounts::id, accounts::email, accounts::username))
        .limit(limit)
        .load(conn)
}

/// Marks the inactivity warning sent, unless the account was seen since it was chosen.
pub fn warn_inactive(
    conn: &mut DbConn,
    id: &str,
    before: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        accounts::table
            .find(id)
            .filter(seen_before(before))
            .filter(accounts::inactivity_warned_at.is_null()),
    )
    .set(accounts::inactivity_warned_at.eq(now))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Family accounts warned before `warned_before` and not seen since: due for closure.
pub fn warned_before(
    conn: &mut DbConn,
    warned_before: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<String>> {
    accounts::table
        .filter(accounts::role.eq(role::FAMILLE))
        .filter(accounts::state.eq(state::ACTIVE))
        .filter(accounts::inactivity_warned_at.lt(warned_before))
        .order(accounts::inactivity_warned_at.asc())
        .select(accounts::id)
        .limit(limit)
        .load(conn)
}

/// Whether family account `id` is still warned since before `warned_before` (not seen
/// since: signing in clears the warning).
pub fn due_for_closure(
    conn: &mut DbConn,
    id: &str,
    warned_before: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        accounts::table
            .find(id)
            .filter(accounts::role.eq(role::FAMILLE))
            .filter(accounts::state.eq(state::ACTIVE))
            .filter(accounts::inactivity_warned_at.lt(warned_before)),
    ))
    .get_result(conn)
}

/// Deletes the account row: its sessions, tokens, connection history, consents, links
/// to a dossier and pending rattachements go with it (foreign keys `ON DELETE CASCADE`).
pub fn delete(conn: &mut DbConn, id: &str) -> QueryResult<usize> {
    diesel::delete(accounts::table.find(id)).execute(conn)
}
