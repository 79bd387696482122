//! Proposals: submission (rate-limited, exactly once), browsing, review and export.

use sqlx::{Row, any::AnyRow};

use super::{
    Store, StoreError, StoreResult, insert_audit,
    outbox::{Pushes, queue_pushes_tx},
};
use crate::domain::{HistoryEntry, Location, NewProposal, Proposal, ProposalStatus, ReviewDecision, Won};

/// What became of a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitOutcome {
    Submitted {
        id: i64,
    },
    /// The resident already submitted `limit` proposals today; the draft is kept.
    DailyLimitReached {
        limit: u32,
    },
    /// The dialogue that produced this submission was already submitted or replaced (a double
    /// tap, or a second device); nothing was stored.
    AlreadyHandled,
}

/// How many proposals a resident may submit per day, and when their day began (UTC seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DailyLimit {
    pub day_start: i64,
    pub max: u32,
}

/// What became of a review decision.
#[derive(Debug, Clone, PartialEq)]
pub enum ReviewOutcome {
    Reviewed(Box<Proposal>),
    /// Another official reviewed it first; its current status is given.
    NotPending(ProposalStatus),
    NotFound,
}

const COLUMNS: &str = "id, cycle_id, area_key, proposer_id, title, description, estimated_cost, reviewed_cost,
    status, ineligible_reason, photo_file_id, latitude, longitude, created_at";

impl Store {
    /// Stores a proposal as `submitted` unless the proposer has reached today's limit, and ends
    /// the dialogue it came from, all in one transaction. `dialogue_state` must be the exact
    /// stored state the submission was confirmed from, so a second tap stores nothing.
    pub async fn submit_proposal(
        &self,
        cycle_id: i64,
        proposer: i64,
        proposal: &NewProposal,
        dialogue_state: &str,
        limit: DailyLimit,
        now: i64,
    ) -> StoreResult<SubmitOutcome> {
        let mut tx = self.write_tx().await?;
        let ended = sqlx::query("DELETE FROM dialogues WHERE telegram_id = $1 AND state = $2")
            .bind(proposer)
            .bind(dialogue_state)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if ended != 1 {
            return Ok(SubmitOutcome::AlreadyHandled);
        }
        let today: i64 = sqlx::query("SELECT COUNT(*) AS n FROM proposals WHERE proposer_id = $1 AND created_at >= $2")
            .bind(proposer)
            .bind(limit.day_start)
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
        if today >= i64::from(limit.max) {
            // Rolling back keeps the draft, so the resident can submit it on another day.
            tx.rollback().await?;
            return Ok(SubmitOutcome::DailyLimitReached { limit: limit.max });
        }
        let id: i64 = sqlx::query(
            "INSERT INTO proposals (cycle_id, area_key, proposer_id, title, description, estimated_cost,
               status, photo_file_id, latitude, longitude, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'submitted', $7, $8, $9, $10, $10) RETURNING id",
        )
        .bind(cycle_id)
        .bind(&proposal.area_key)
        .bind(proposer)
        .bind(proposal.title.as_str())
        .bind(proposal.description.as_str())
        .bind(proposal.estimated_cost.to_i64())
        .bind(proposal.photo_file_id.as_deref())
        .bind(proposal.location.map(|l| l.latitude))
        .bind(proposal.location.map(|l| l.longitude))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        insert_history(&mut tx, id, ProposalStatus::Submitted, None, Some(proposer), now).await?;
        // The proposer follows their project: its later news (execution updates) reaches them.
        super::verification::subscribe_tx(&mut tx, proposer, "project", &id.to_string(), now).await?;
        tx.commit().await?;
        Ok(SubmitOutcome::Submitted { id })
    }

    /// How many proposals this resident submitted since `day_start`.
    pub async fn proposals_since(&self, proposer: i64, day_start: i64) -> StoreResult<u32> {
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM proposals WHERE proposer_id = $1 AND created_at >= $2")
            .bind(proposer)
            .bind(day_start)
            .fetch_one(&mut *self.conn().await?)
            .await?
            .try_get("n")?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    pub async fn proposal(&self, id: i64) -> StoreResult<Option<Proposal>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM proposals WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        row.map(|r| proposal_from_row(&r)).transpose()
    }

    pub async fn proposal_history(&self, id: i64) -> StoreResult<Vec<HistoryEntry>> {
        let rows = sqlx::query("SELECT status, note, at FROM proposal_history WHERE proposal_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&mut *self.conn().await?)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(HistoryEntry {
                    status: parse_status(&r.try_get::<String, _>("status")?)?,
                    note: r.try_get("note")?,
                    at: r.try_get("at")?,
                })
            })
            .collect()
    }

    /// One page of an area's proposals in a cycle, oldest first, and how many there are in all.
    pub async fn proposals_in_area(
        &self,
        cycle_id: i64,
        area_key: &str,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<Proposal>, i64)> {
        let total: i64 = sqlx::query("SELECT COUNT(*) AS n FROM proposals WHERE cycle_id = $1 AND area_key = $2")
            .bind(cycle_id)
            .bind(area_key)
            .fetch_one(&mut *self.conn().await?)
            .await?
            .try_get("n")?;
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM proposals WHERE cycle_id = $1 AND area_key = $2 ORDER BY id LIMIT $3 OFFSET $4"
        ))
        .bind(cycle_id)
        .bind(area_key)
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok((rows.iter().map(proposal_from_row).collect::<StoreResult<_>>()?, total))
    }

    /// The proposals a resident submitted, newest first.
    pub async fn proposals_by(&self, proposer: i64, limit: i64) -> StoreResult<Vec<Proposal>> {
        let rows =
            sqlx::query(&format!("SELECT {COLUMNS} FROM proposals WHERE proposer_id = $1 ORDER BY id DESC LIMIT $2"))
                .bind(proposer)
                .bind(limit)
                .fetch_all(&mut *self.conn().await?)
                .await?;
        rows.iter().map(proposal_from_row).collect()
    }

    /// The next proposal waiting for review after `after_id`, wrapping around to the oldest, and
    /// how many are waiting.
    pub async fn next_for_review(&self, cycle_id: i64, after_id: i64) -> StoreResult<(Option<Proposal>, i64)> {
        let waiting: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM proposals WHERE cycle_id = $1 AND status = 'submitted'")
                .bind(cycle_id)
                .fetch_one(&mut *self.conn().await?)
                .await?
                .try_get("n")?;
        let query = format!(
            "SELECT {COLUMNS} FROM proposals WHERE cycle_id = $1 AND status = 'submitted'
             ORDER BY CASE WHEN id > $2 THEN 0 ELSE 1 END, id LIMIT 1"
        );
        let row = sqlx::query(&query).bind(cycle_id).bind(after_id).fetch_optional(&mut *self.conn().await?).await?;
        Ok((row.map(|r| proposal_from_row(&r)).transpose()?, waiting))
    }

    /// Records a department's decision on a submitted proposal, with its history and audit
    /// entries, ends the official's dialogue and queues what it pushes, in one transaction.
    pub async fn review_proposal(
        &self,
        id: i64,
        decision: &ReviewDecision,
        official: i64,
        pushes: &Pushes,
        now: i64,
    ) -> StoreResult<ReviewOutcome> {
        let mut tx = self.write_tx().await?;
        let (reviewed_cost, reason) = match decision {
            ReviewDecision::Eligible { reviewed_cost } => (Some(reviewed_cost.to_i64()), None),
            ReviewDecision::Ineligible { reason } => (None, Some(reason.as_str())),
        };
        let status = decision.status();
        let updated = sqlx::query(
            "UPDATE proposals SET status = $1, reviewed_cost = $2, ineligible_reason = $3, updated_at = $4
             WHERE id = $5 AND status = 'submitted'",
        )
        .bind(status.as_str())
        .bind(reviewed_cost)
        .bind(reason)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            let current =
                sqlx::query("SELECT status FROM proposals WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
            return match current {
                None => Ok(ReviewOutcome::NotFound),
                Some(row) => Ok(ReviewOutcome::NotPending(parse_status(&row.try_get::<String, _>("status")?)?)),
            };
        }
        insert_history(&mut tx, id, status, reason, Some(official), now).await?;
        let detail = serde_json::json!({ "status": status.as_str(), "reviewed_cost": reviewed_cost, "reason": reason })
            .to_string();
        insert_audit(&mut tx, now, Some(official), "proposal.review", Some(&id.to_string()), Some(&detail)).await?;
        sqlx::query("DELETE FROM dialogues WHERE telegram_id = $1").bind(official).execute(&mut *tx).await?;
        queue_pushes_tx(&mut tx, pushes, now).await?;
        let row =
            sqlx::query(&format!("SELECT {COLUMNS} FROM proposals WHERE id = $1")).bind(id).fetch_one(&mut *tx).await?;
        let proposal = proposal_from_row(&row)?;
        tx.commit().await?;
        Ok(ReviewOutcome::Reviewed(Box::new(proposal)))
    }

    /// Every proposal of a cycle in id order, for export.
    pub async fn all_proposals(&self, cycle_id: i64) -> StoreResult<Vec<Proposal>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM proposals WHERE cycle_id = $1 ORDER BY id"))
            .bind(cycle_id)
            .fetch_all(&mut *self.conn().await?)
            .await?;
        rows.iter().map(proposal_from_row).collect()
    }
}

async fn insert_history(
    conn: &mut sqlx::AnyConnection,
    proposal_id: i64,
    status: ProposalStatus,
    note: Option<&str>,
    actor: Option<i64>,
    now: i64,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO proposal_history (proposal_id, status, note, actor_id, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(proposal_id)
        .bind(status.as_str())
        .bind(note)
        .bind(actor)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

fn parse_status(s: &str) -> StoreResult<ProposalStatus> {
    s.parse().map_err(StoreError::Corrupt)
}

pub(crate) fn won(column: &str, value: i64) -> StoreResult<Won> {
    Won::from_i64(value).ok_or_else(|| StoreError::Corrupt(format!("{column} = {value}")))
}

fn proposal_from_row(row: &AnyRow) -> StoreResult<Proposal> {
    let latitude: Option<f64> = row.try_get("latitude")?;
    let longitude: Option<f64> = row.try_get("longitude")?;
    let reviewed: Option<i64> = row.try_get("reviewed_cost")?;
    Ok(Proposal {
        id: row.try_get("id")?,
        cycle_id: row.try_get("cycle_id")?,
        area_key: row.try_get("area_key")?,
        proposer_id: row.try_get("proposer_id")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        estimated_cost: won("estimated_cost", row.try_get("estimated_cost")?)?,
        reviewed_cost: reviewed.map(|v| won("reviewed_cost", v)).transpose()?,
        status: parse_status(&row.try_get::<String, _>("status")?)?,
        ineligible_reason: row.try_get("ineligible_reason")?,
        photo_file_id: row.try_get("photo_file_id")?,
        location: latitude.zip(longitude).map(|(latitude, longitude)| Location { latitude, longitude }),
        created_at: row.try_get("created_at")?,
    })
}
