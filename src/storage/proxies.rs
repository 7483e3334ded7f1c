//! Family proxies: invitations, grants, the codes a proxy fetched and the
//! wrong invitations tried. Each write that counts before it inserts does
//! both under the writer lock, so two requests at once cannot both pass
//! the count.

use super::rows::StoredRow;
use super::{Store, StoreError, unix};
use crate::citizen_handle::CitizenNumber;
use crate::domain::proxies::{self, GrantDays, InvitationDigits, Side};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyGrant {
    pub grant_id: String,
    pub grantor: CitizenNumber,
    pub grantor_id: String,
    pub proxy: CitizenNumber,
    pub proxy_id: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub ended_at: Option<OffsetDateTime>,
    pub ended_by: Option<Side>,
}

impl ProxyGrant {
    /// Neither ended by either side nor past its expiry.
    pub fn active_at(&self, now: OffsetDateTime) -> bool {
        self.ended_at.is_none() && now < self.expires_at
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvitationOutcome {
    /// The six digits to say to the family member, and until when they work.
    Created { digits: InvitationDigits, expires_at: OffsetDateTime },
    /// The citizen has this many running grants to others already.
    TooMany(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AcceptOutcome {
    Accepted(ProxyGrant),
    /// Too many wrong tries: no acceptance until then, right or wrong.
    Locked {
        until: OffsetDateTime,
    },
    /// No live invitation has these digits (recorded as a wrong try); this
    /// many more wrong tries lock accepting.
    Wrong {
        tries_left: usize,
    },
    /// The citizen's own invitation: a grant needs two people.
    Own,
    /// The grantor has [`proxies::MAX_GRANTS_TO_OTHERS`] running grants.
    TooMany,
    /// A running grant between these two exists already.
    Exists(String),
}

pub(super) const GRANT_COLUMNS: &str = "SELECT g.grant_id, g.grantor_number, a.citizen_id AS grantor_id, \
     g.proxy_number, b.citizen_id AS proxy_id, g.created_at, g.expires_at, g.ended_at, g.ended_by \
     FROM proxy_grants g JOIN citizens a ON a.number = g.grantor_number JOIN citizens b ON b.number = g.proxy_number";

pub(super) fn grant(row: &impl StoredRow) -> Result<ProxyGrant, StoreError> {
    let ended_by = match row.opt_text("ended_by")? {
        None => None,
        Some(side) => Some(Side::parse(&side).ok_or_else(|| StoreError::Corrupt(format!("ended_by {side:?}")))?),
    };
    Ok(ProxyGrant {
        grant_id: row.text("grant_id")?,
        grantor: super::rows::citizen_number(row, "grantor_number")?,
        grantor_id: row.text("grantor_id")?,
        proxy: super::rows::citizen_number(row, "proxy_number")?,
        proxy_id: row.text("proxy_id")?,
        created_at: row.time("created_at")?,
        expires_at: row.time("expires_at")?,
        ended_at: row.opt_time("ended_at")?,
        ended_by,
    })
}

type Tx = sqlx::Transaction<'static, sqlx::Any>;

async fn running_grants_given(tx: &mut Tx, grantor: i64, now: OffsetDateTime) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM proxy_grants WHERE grantor_number = $1 AND ended_at IS NULL AND expires_at > $2",
    )
    .bind(grantor)
    .bind(unix(now))
    .fetch_one(&mut **tx)
    .await?)
}

/// The citizen's wrong invitations of the last two lock-outs: all that can
/// bear on whether they are locked now.
async fn wrong_tries(tx: &mut Tx, citizen: i64, now: OffsetDateTime) -> Result<Vec<OffsetDateTime>, StoreError> {
    let tries: Vec<i64> =
        sqlx::query_scalar("SELECT failed_at FROM proxy_accept_failures WHERE citizen_number = $1 AND failed_at > $2")
            .bind(citizen)
            .bind(unix(now - proxies::LOCKOUT * 2))
            .fetch_all(&mut **tx)
            .await?;
    tries.into_iter().map(super::from_unix).collect()
}

/// Records a wrong try and commits it. The try that makes five locks at
/// once: no sixth guess first.
async fn record_wrong_try(
    mut tx: Tx,
    citizen: i64,
    mut tries: Vec<OffsetDateTime>,
    now: OffsetDateTime,
) -> Result<AcceptOutcome, StoreError> {
    sqlx::query("INSERT INTO proxy_accept_failures (citizen_number, failed_at) VALUES ($1, $2)")
        .bind(citizen)
        .bind(unix(now))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tries.push(now);
    if let Some(until) = proxies::locked_until(&tries, now) {
        return Ok(AcceptOutcome::Locked { until });
    }
    Ok(AcceptOutcome::Wrong { tries_left: proxies::tries_left(&tries, now) })
}

async fn running_grant_between(
    tx: &mut Tx,
    grantor: i64,
    proxy: i64,
    now: OffsetDateTime,
) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT grant_id FROM proxy_grants WHERE grantor_number = $1 AND proxy_number = $2 \
         AND ended_at IS NULL AND expires_at > $3",
    )
    .bind(grantor)
    .bind(proxy)
    .bind(unix(now))
    .fetch_optional(&mut **tx)
    .await?)
}

impl Store {
    /// An invitation with fresh digits no other live invitation has, unless
    /// the grantor has given the most grants allowed.
    pub async fn create_proxy_invitation(
        &self,
        grantor: CitizenNumber,
        days: GrantDays,
        now: OffsetDateTime,
    ) -> Result<InvitationOutcome, StoreError> {
        let mut tx = self.begin_write().await?;
        let given = running_grants_given(&mut tx, grantor.0 as i64, now).await?;
        if given >= proxies::MAX_GRANTS_TO_OTHERS {
            return Ok(InvitationOutcome::TooMany(given));
        }
        // Live invitations are few (10 minutes each), so a clash is rare; a
        // clash would make one set of digits open two grantors' invitations.
        let digits = loop {
            let digits = InvitationDigits::random();
            let clash: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM proxy_invitations WHERE digits = $1 AND expires_at > $2 AND accepted_at IS NULL",
            )
            .bind(digits.as_str())
            .bind(unix(now))
            .fetch_one(&mut *tx)
            .await?;
            if clash == 0 {
                break digits;
            }
        };
        let expires_at = now + proxies::INVITATION_LIFETIME;
        sqlx::query(
            "INSERT INTO proxy_invitations (invitation_id, digits, grantor_number, days, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(crate::ids::new_id("inv"))
        .bind(digits.as_str())
        .bind(grantor.0 as i64)
        .bind(i64::from(days.get()))
        .bind(unix(now))
        .bind(unix(expires_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(InvitationOutcome::Created { digits, expires_at })
    }

    /// `proxy` accepts the invitation `digits`: the lock-out, the digits,
    /// the limits and the new grant, in one write transaction.
    pub async fn accept_proxy_invitation(
        &self,
        proxy: CitizenNumber,
        digits: &InvitationDigits,
        now: OffsetDateTime,
    ) -> Result<AcceptOutcome, StoreError> {
        let mut tx = self.begin_write().await?;
        let number = proxy.0 as i64;
        let tries = wrong_tries(&mut tx, number, now).await?;
        if let Some(until) = proxies::locked_until(&tries, now) {
            return Ok(AcceptOutcome::Locked { until });
        }
        let invitation = sqlx::query(
            "SELECT invitation_id, grantor_number, days FROM proxy_invitations \
             WHERE digits = $1 AND expires_at > $2 AND accepted_at IS NULL",
        )
        .bind(digits.as_str())
        .bind(unix(now))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(invitation) = invitation else {
            return record_wrong_try(tx, number, tries, now).await;
        };
        let grantor = invitation.int("grantor_number")?;
        let days = GrantDays::parse(invitation.int("days")?).map_err(StoreError::Corrupt)?;
        if grantor == number {
            return Ok(AcceptOutcome::Own);
        }
        if running_grants_given(&mut tx, grantor, now).await? >= proxies::MAX_GRANTS_TO_OTHERS {
            return Ok(AcceptOutcome::TooMany);
        }
        if let Some(grant_id) = running_grant_between(&mut tx, grantor, number, now).await? {
            return Ok(AcceptOutcome::Exists(grant_id));
        }
        let grant_id = crate::ids::new_id("grant");
        sqlx::query(
            "INSERT INTO proxy_grants (grant_id, grantor_number, proxy_number, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&grant_id)
        .bind(grantor)
        .bind(number)
        .bind(unix(now))
        .bind(unix(now + days.duration()))
        .execute(&mut *tx)
        .await?;
        let used = sqlx::query(
            "UPDATE proxy_invitations SET accepted_at = $1, grant_id = $2 WHERE invitation_id = $3 AND accepted_at IS NULL",
        )
        .bind(unix(now))
        .bind(&grant_id)
        .bind(invitation.text("invitation_id")?)
        .execute(&mut *tx)
        .await?;
        assert_eq!(used.rows_affected(), 1, "the invitation was read unused under the writer lock");
        tx.commit().await?;
        let made = self.proxy_grant(&grant_id).await?;
        Ok(AcceptOutcome::Accepted(made.ok_or_else(|| StoreError::Corrupt(format!("grant {grant_id} vanished")))?))
    }

    pub async fn proxy_grant(&self, grant_id: &str) -> Result<Option<ProxyGrant>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{GRANT_COLUMNS} WHERE g.grant_id = $1")))
            .bind(grant_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(grant).transpose()
    }

    /// Records that the grant's proxy fetched the code `code_id`.
    pub async fn record_proxy_code(
        &self,
        grant_id: &str,
        code_id: &str,
        issued_at: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO proxy_codes (code_id, grant_id, issued_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(code_id)
            .bind(grant_id)
            .bind(unix(issued_at))
            .bind(unix(expires_at))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends the grant `grant_id` if `citizen` is either side of it; one
    /// ended already keeps its first ending. `None`: no such grant of theirs.
    pub async fn end_proxy_grant(
        &self,
        citizen: CitizenNumber,
        grant_id: &str,
        now: OffsetDateTime,
    ) -> Result<Option<ProxyGrant>, StoreError> {
        let Some(found) = self.proxy_grant(grant_id).await? else { return Ok(None) };
        let side = if found.grantor == citizen {
            Side::Grantor
        } else if found.proxy == citizen {
            Side::Proxy
        } else {
            return Ok(None);
        };
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE proxy_grants SET ended_at = $1, ended_by = $2 WHERE grant_id = $3 AND ended_at IS NULL")
            .bind(unix(now))
            .bind(side.as_str())
            .bind(grant_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.proxy_grant(grant_id).await
    }
}
