//! Round outcomes: projects excluded from a closed round for a legal reason, and the official
//! confirmation that publishes the outcome (once), both audited; publishing queues its notices
//! in the same transaction.

use std::collections::HashMap;

use rust_decimal::Decimal;
use sqlx::Row;

use super::{
    Store, StoreError, StoreResult, insert_audit,
    outbox::{Pushes, queue_pushes_tx},
};
use crate::domain::{Won, outcome::Outcome};

/// The longest public reason for an exclusion.
pub const MAX_REASON_CHARS: usize = 500;

/// What excluding (or re-admitting) a project did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExclusionOutcome {
    Done,
    /// The round is not closed yet, or was void.
    NotClosed,
    /// The outcome is already published: it stands.
    Published,
    /// The project is not on the round's ballot.
    NotOnBallot,
    /// An empty reason, or longer than [`MAX_REASON_CHARS`].
    BadReason,
}

/// A published outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    pub funded: Vec<i64>,
    pub used: Won,
    /// The official who confirmed it (`None`: the command line).
    pub published_by: Option<i64>,
    pub published_at: i64,
    /// The outcome as published (`None` only for rounds published before it was kept).
    pub outcome: Option<Outcome>,
}

/// What importing a survey did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SurveyOutcome {
    /// The round's survey now holds these many projects' scores.
    Imported(usize),
    /// Only committee rounds are blended with a survey.
    NotCommittee,
    /// The outcome is already published: it stands.
    Published,
    /// This project is not on the round's ballot.
    NotOnBallot(i64),
}

/// What publishing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishOutcome {
    Published,
    AlreadyPublished,
    NotClosed,
}

impl Store {
    /// Excludes a project of a closed, unpublished round for a legal reason (shown to everyone),
    /// or with `reason: None` takes the exclusion back.
    pub async fn exclude_project(
        &self,
        round: i64,
        proposal: i64,
        reason: Option<&str>,
        by: Option<i64>,
        now: i64,
    ) -> StoreResult<ExclusionOutcome> {
        let reason = reason.map(str::trim);
        if reason.is_some_and(|r| r.is_empty() || r.chars().count() > MAX_REASON_CHARS) {
            return Ok(ExclusionOutcome::BadReason);
        }
        let mut tx = self.write_tx().await?;
        let state = sqlx::query(
            "SELECT r.closed_at, r.void_reason,
                    (SELECT COUNT(*) FROM round_publications p WHERE p.round_id = r.id) AS published,
                    (SELECT COUNT(*) FROM round_projects rp WHERE rp.round_id = r.id AND rp.proposal_id = $2) AS listed
             FROM ballot_rounds r WHERE r.id = $1",
        )
        .bind(round)
        .bind(proposal)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(state) = state else { return Ok(ExclusionOutcome::NotClosed) };
        let closed: Option<i64> = state.try_get("closed_at")?;
        let void: Option<String> = state.try_get("void_reason")?;
        if closed.is_none() || void.is_some() {
            return Ok(ExclusionOutcome::NotClosed);
        }
        if state.try_get::<i64, _>("published")? > 0 {
            return Ok(ExclusionOutcome::Published);
        }
        if state.try_get::<i64, _>("listed")? == 0 {
            return Ok(ExclusionOutcome::NotOnBallot);
        }
        sqlx::query("DELETE FROM round_exclusions WHERE round_id = $1 AND proposal_id = $2")
            .bind(round)
            .bind(proposal)
            .execute(&mut *tx)
            .await?;
        if let Some(reason) = reason {
            sqlx::query(
                "INSERT INTO round_exclusions (round_id, proposal_id, reason, excluded_by, excluded_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(round)
            .bind(proposal)
            .bind(reason)
            .bind(by)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let detail = serde_json::json!({ "proposal": proposal, "reason": reason }).to_string();
        let action = if reason.is_some() { "round.exclude" } else { "round.readmit" };
        insert_audit(&mut tx, now, by, action, Some(&round.to_string()), Some(&detail)).await?;
        tx.commit().await?;
        Ok(ExclusionOutcome::Done)
    }

    /// A round's exclusions: (proposal, public reason), by proposal.
    pub async fn exclusions(&self, round: i64) -> StoreResult<Vec<(i64, String)>> {
        let rows =
            sqlx::query("SELECT proposal_id, reason FROM round_exclusions WHERE round_id = $1 ORDER BY proposal_id")
                .bind(round)
                .fetch_all(&mut *self.conn().await?)
                .await?;
        rows.iter().map(|r| Ok((r.try_get("proposal_id")?, r.try_get("reason")?))).collect()
    }

    /// Publishes a closed round's outcome once, as an official confirmed it, queuing `pushes`;
    /// with `open_cards` (the area's final outcome), each funded project gets its execution card.
    pub async fn publish_round(
        &self,
        round: i64,
        outcome: &Outcome,
        open_cards: bool,
        by: Option<i64>,
        pushes: &Pushes,
        now: i64,
    ) -> StoreResult<PublishOutcome> {
        let mut tx = self.write_tx().await?;
        let closed = sqlx::query("SELECT closed_at, void_reason FROM ballot_rounds WHERE id = $1")
            .bind(round)
            .fetch_optional(&mut *tx)
            .await?;
        let closed = match closed {
            Some(row) => {
                row.try_get::<Option<i64>, _>("closed_at")?.is_some()
                    && row.try_get::<Option<String>, _>("void_reason")?.is_none()
            }
            None => false,
        };
        if !closed {
            return Ok(PublishOutcome::NotClosed);
        }
        let funded: Vec<i64> = outcome.projects.iter().filter(|p| p.funded).map(|p| p.id).collect();
        let used = outcome.used;
        let list = funded.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let inserted = sqlx::query(
            "INSERT INTO round_publications (round_id, funded, used, published_by, published_at, outcome)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (round_id) DO NOTHING",
        )
        .bind(round)
        .bind(&list)
        .bind(used.to_i64())
        .bind(by)
        .bind(now)
        .bind(outcome.to_json())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Ok(PublishOutcome::AlreadyPublished);
        }
        let detail = serde_json::json!({ "funded": funded, "used": used.to_i64() }).to_string();
        insert_audit(&mut tx, now, by, "round.publish", Some(&round.to_string()), Some(&detail)).await?;
        if open_cards {
            super::execution::open_cards_tx(&mut tx, round, outcome, now).await?;
        }
        queue_pushes_tx(&mut tx, pushes, now).await?;
        tx.commit().await?;
        Ok(PublishOutcome::Published)
    }

    /// Replaces the survey scores of a committee round (not yet published), audited.
    pub async fn import_survey(
        &self,
        round: i64,
        scores: &[(i64, i64)],
        by: Option<i64>,
        now: i64,
    ) -> StoreResult<SurveyOutcome> {
        let mut tx = self.write_tx().await?;
        let state = sqlx::query(
            "SELECT r.stage, (SELECT COUNT(*) FROM round_publications p WHERE p.round_id = r.id) AS published
             FROM ballot_rounds r WHERE r.id = $1",
        )
        .bind(round)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(state) = state else { return Ok(SurveyOutcome::NotCommittee) };
        if state.try_get::<String, _>("stage")? != "committee" {
            return Ok(SurveyOutcome::NotCommittee);
        }
        if state.try_get::<i64, _>("published")? > 0 {
            return Ok(SurveyOutcome::Published);
        }
        let listed: Vec<i64> = sqlx::query("SELECT proposal_id FROM round_projects WHERE round_id = $1")
            .bind(round)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get("proposal_id"))
            .collect::<Result<_, _>>()?;
        if let Some((id, _)) = scores.iter().find(|(id, _)| !listed.contains(id)) {
            return Ok(SurveyOutcome::NotOnBallot(*id));
        }
        sqlx::query("DELETE FROM round_survey WHERE round_id = $1").bind(round).execute(&mut *tx).await?;
        for (proposal, score) in scores {
            sqlx::query("INSERT INTO round_survey (round_id, proposal_id, score) VALUES ($1, $2, $3)")
                .bind(round)
                .bind(proposal)
                .bind(score)
                .execute(&mut *tx)
                .await?;
        }
        let detail = serde_json::json!({ "scores": scores }).to_string();
        insert_audit(&mut tx, now, by, "round.survey", Some(&round.to_string()), Some(&detail)).await?;
        tx.commit().await?;
        Ok(SurveyOutcome::Imported(scores.len()))
    }

    /// A round's survey scores by project; `None` when none were imported.
    pub async fn survey(&self, round: i64) -> StoreResult<Option<HashMap<i64, Decimal>>> {
        let rows = sqlx::query("SELECT proposal_id, score FROM round_survey WHERE round_id = $1")
            .bind(round)
            .fetch_all(&mut *self.conn().await?)
            .await?;
        if rows.is_empty() {
            return Ok(None);
        }
        rows.iter()
            .map(|r| Ok((r.try_get("proposal_id")?, Decimal::from(r.try_get::<i64, _>("score")?))))
            .collect::<StoreResult<_>>()
            .map(Some)
    }

    /// The published outcome of the residents' vote (a dong or district round, not the
    /// committee's) of an area in a cycle: the latest one, if any.
    pub async fn residents_outcome(&self, cycle: i64, area: &str) -> StoreResult<Option<Outcome>> {
        let row = sqlx::query(
            "SELECT p.round_id FROM round_publications p JOIN ballot_rounds r ON r.id = p.round_id
             WHERE r.cycle_id = $1 AND r.area_key = $2 AND r.stage <> 'committee'
             ORDER BY p.published_at DESC, r.id DESC LIMIT 1",
        )
        .bind(cycle)
        .bind(area)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(self.publication(row.try_get("round_id")?).await?.and_then(|p| p.outcome))
    }

    /// Records that an official looked at the count of a round still open.
    pub async fn audit_live_tally(&self, round: i64, by: i64, now: i64) -> StoreResult<()> {
        let mut conn = self.write_conn().await?;
        insert_audit(&mut conn, now, Some(by), "round.live_tally", Some(&round.to_string()), None).await
    }

    /// A round's published outcome, if it is published.
    pub async fn publication(&self, round: i64) -> StoreResult<Option<Publication>> {
        let row = sqlx::query(
            "SELECT funded, used, published_by, published_at, outcome FROM round_publications WHERE round_id = $1",
        )
        .bind(round)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let funded: String = row.try_get("funded")?;
        let outcome = match row.try_get::<Option<String>, _>("outcome")? {
            Some(text) => {
                Some(Outcome::from_json(&text).map_err(|e| StoreError::Corrupt(format!("round {round}: {e}")))?)
            }
            None => None,
        };
        Ok(Some(Publication {
            funded: funded.split(',').filter(|s| !s.is_empty()).filter_map(|s| s.parse().ok()).collect(),
            used: super::proposals::won("used", row.try_get("used")?)?,
            published_by: row.try_get("published_by")?,
            published_at: row.try_get("published_at")?,
            outcome,
        }))
    }
}
