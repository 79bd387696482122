//! Moving a live deployment to another database (`pb-bot admin migrate-to`): every table copied
//! in one transaction, identity sequences continued, then row counts and money totals compared.

use sqlx::{Row, any::AnyRow};

use super::{Backend, Store, StoreError, StoreResult, insert_audit};

#[derive(Clone, Copy)]
enum Kind {
    Int,
    Text,
    Real,
    Blob,
}

use Kind::{Blob, Int, Real, Text};

/// A table's columns and how to read each.
type Columns = &'static [(&'static str, Kind)];

/// Every table in foreign-key order, with its columns; `true` when it has an identity `id`.
const TABLES: &[(&str, bool, Columns)] = &[
    (
        "users",
        false,
        &[
            ("telegram_id", Int),
            ("chosen_language", Text),
            ("telegram_language", Text),
            ("first_seen", Int),
            ("last_seen", Int),
            ("language", Text),
            ("blocked_at", Int),
        ],
    ),
    (
        "areas",
        false,
        &[
            ("key", Text),
            ("kind", Text),
            ("name_ko", Text),
            ("name_en", Text),
            ("pot", Int),
            ("position", Int),
            ("active", Int),
        ],
    ),
    ("cycles", true, &[("id", Int), ("year", Int), ("phase", Text), ("phase_changed_at", Int), ("created_at", Int)]),
    (
        "officials",
        false,
        &[("telegram_id", Int), ("name", Text), ("source", Text), ("added_by", Int), ("added_at", Int)],
    ),
    (
        "proposals",
        true,
        &[
            ("id", Int),
            ("cycle_id", Int),
            ("area_key", Text),
            ("proposer_id", Int),
            ("title", Text),
            ("description", Text),
            ("estimated_cost", Int),
            ("reviewed_cost", Int),
            ("status", Text),
            ("ineligible_reason", Text),
            ("photo_file_id", Text),
            ("latitude", Real),
            ("longitude", Real),
            ("created_at", Int),
            ("updated_at", Int),
        ],
    ),
    (
        "proposal_history",
        true,
        &[("id", Int), ("proposal_id", Int), ("status", Text), ("note", Text), ("actor_id", Int), ("at", Int)],
    ),
    ("dialogues", false, &[("telegram_id", Int), ("state", Text), ("updated_at", Int)]),
    (
        "audit_log",
        true,
        &[("id", Int), ("at", Int), ("actor_id", Int), ("action", Text), ("subject", Text), ("detail", Text)],
    ),
    (
        "work_items",
        true,
        &[
            ("id", Int),
            ("kind", Text),
            ("payload", Text),
            ("state", Text),
            ("claimed_by", Text),
            ("lease_until", Int),
            ("attempts", Int),
            ("created_at", Int),
            ("updated_at", Int),
        ],
    ),
    ("job_runs", false, &[("job", Text), ("slot", Text), ("runner", Text), ("started_at", Int)]),
    (
        "roll_entries",
        true,
        &[
            ("id", Int),
            ("dong_key", Text),
            ("phone_hash", Text),
            ("birth_year", Int),
            ("external_ref", Text),
            ("imported_at", Int),
        ],
    ),
    (
        "verification_codes",
        true,
        &[
            ("id", Int),
            ("code_hash", Text),
            ("dong_key", Text),
            ("expires_at", Int),
            ("used_at", Int),
            ("issued_by", Int),
            ("created_at", Int),
        ],
    ),
    (
        "residents",
        false,
        &[
            ("telegram_id", Int),
            ("dong_key", Text),
            ("method", Text),
            ("roll_entry_id", Int),
            ("code_id", Int),
            ("verified_at", Int),
        ],
    ),
    ("code_attempts", false, &[("telegram_id", Int), ("failures", Int), ("locked_until", Int)]),
    ("subscriptions", false, &[("telegram_id", Int), ("kind", Text), ("target", Text), ("created_at", Int)]),
    ("media", true, &[("id", Int), ("name", Text), ("bytes", Blob), ("file_id", Text), ("created_at", Int)]),
    (
        "broadcasts",
        true,
        &[
            ("id", Int),
            ("kind", Text),
            ("subject", Text),
            ("text_ko", Text),
            ("text_en", Text),
            ("markup_ko", Text),
            ("markup_en", Text),
            ("recipients", Int),
            ("created_by", Int),
            ("created_at", Int),
            ("photo_ko", Int),
            ("photo_en", Int),
        ],
    ),
    (
        "outbox",
        true,
        &[
            ("id", Int),
            ("chat_id", Int),
            ("lane", Int),
            ("broadcast_id", Int),
            ("lang", Text),
            ("text", Text),
            ("markup", Text),
            ("state", Text),
            ("attempts", Int),
            ("next_at", Int),
            ("claimed_by", Text),
            ("lease_until", Int),
            ("last_error", Text),
            ("message_id", Int),
            ("created_at", Int),
            ("sent_at", Int),
        ],
    ),
    (
        "meetings",
        true,
        &[
            ("id", Int),
            ("cycle_id", Int),
            ("area_key", Text),
            ("stage", Text),
            ("starts_at", Int),
            ("ends_at", Int),
            ("venue_ko", Text),
            ("venue_en", Text),
            ("notes", Text),
            ("capacity", Int),
            ("sequence", Int),
            ("cancelled_at", Int),
            ("created_by", Int),
            ("created_at", Int),
            ("updated_at", Int),
        ],
    ),
    ("meeting_rsvps", false, &[("meeting_id", Int), ("telegram_id", Int), ("going", Int), ("answered_at", Int)]),
    (
        "meeting_reminders",
        false,
        &[("meeting_id", Int), ("telegram_id", Int), ("offset_minutes", Int), ("sequence", Int), ("queued_at", Int)],
    ),
    (
        "checkins",
        true,
        &[
            ("id", Int),
            ("meeting_id", Int),
            ("code", Text),
            ("opened_by", Int),
            ("opened_at", Int),
            ("closes_at", Int),
            ("closed_at", Int),
        ],
    ),
    ("attendance", false, &[("meeting_id", Int), ("telegram_id", Int), ("checkin_id", Int), ("checked_in_at", Int)]),
    ("facilitators", false, &[("telegram_id", Int), ("granted_by", Int), ("granted_at", Int)]),
    (
        "course_completions",
        false,
        &[("telegram_id", Int), ("course", Text), ("completed_on", Text), ("recorded_by", Int), ("recorded_at", Int)],
    ),
    (
        "committee_members",
        false,
        &[("cycle_id", Int), ("telegram_id", Int), ("appointed_by", Int), ("appointed_at", Int)],
    ),
    (
        "ballot_rounds",
        true,
        &[
            ("id", Int),
            ("cycle_id", Int),
            ("area_key", Text),
            ("stage", Text),
            ("kind", Text),
            ("min_picks", Int),
            ("max_picks", Int),
            ("points", Int),
            ("max_per_project", Int),
            ("rule", Text),
            ("pot", Int),
            ("opens_at", Int),
            ("closes_at", Int),
            ("opened_at", Int),
            ("closed_at", Int),
            ("void_reason", Text),
            ("created_by", Int),
            ("created_at", Int),
        ],
    ),
    ("round_projects", false, &[("round_id", Int), ("proposal_id", Int), ("cost", Int)]),
    (
        "ballots",
        false,
        &[
            ("round_id", Int),
            ("voter_key", Text),
            ("dong_key", Text),
            ("choices", Text),
            ("receipt", Text),
            ("source", Text),
        ],
    ),
    ("ballot_drafts", false, &[("round_id", Int), ("voter_key", Text), ("choices", Text), ("message_id", Int)]),
    ("ballot_reminders", false, &[("round_id", Int), ("voter_key", Text)]),
    ("ballot_reminder_opt_outs", false, &[("telegram_id", Int), ("opted_at", Int)]),
    (
        "round_exclusions",
        false,
        &[("round_id", Int), ("proposal_id", Int), ("reason", Text), ("excluded_by", Int), ("excluded_at", Int)],
    ),
    ("round_survey", false, &[("round_id", Int), ("proposal_id", Int), ("score", Int)]),
    (
        "round_publications",
        false,
        &[
            ("round_id", Int),
            ("funded", Text),
            ("used", Int),
            ("published_by", Int),
            ("published_at", Int),
            ("outcome", Text),
        ],
    ),
    (
        "execution_cards",
        false,
        &[
            ("proposal_id", Int),
            ("round_id", Int),
            ("department", Text),
            ("approved", Int),
            ("spent", Int),
            ("progress", Int),
            ("status", Text),
            ("note", Text),
            ("created_at", Int),
            ("updated_at", Int),
        ],
    ),
    (
        "execution_updates",
        true,
        &[
            ("id", Int),
            ("proposal_id", Int),
            ("status", Text),
            ("progress", Int),
            ("spent", Int),
            ("text_ko", Text),
            ("text_en", Text),
            ("reason", Text),
            ("photo_file_id", Text),
            ("posted_by", Int),
            ("posted_at", Int),
        ],
    ),
    (
        "execution_milestones",
        false,
        &[
            ("proposal_id", Int),
            ("seq", Int),
            ("title_ko", Text),
            ("title_en", Text),
            ("due_on", Text),
            ("done_on", Text),
        ],
    ),
    (
        "evaluations",
        true,
        &[
            ("id", Int),
            ("cycle_id", Int),
            ("area_key", Text),
            ("opened_by", Int),
            ("opened_at", Int),
            ("closes_at", Int),
        ],
    ),
    (
        "evaluation_answers",
        false,
        &[
            ("evaluation_id", Int),
            ("proposal_id", Int),
            ("resident_key", Text),
            ("rating", Int),
            ("comment", Text),
            ("answered_at", Int),
        ],
    ),
];
/// Money columns whose totals must match after the copy.
const MONEY: &[(&str, &str)] = &[
    ("areas", "pot"),
    ("proposals", "estimated_cost"),
    ("proposals", "reviewed_cost"),
    ("ballot_rounds", "pot"),
    ("round_projects", "cost"),
    ("round_publications", "used"),
    ("execution_cards", "approved"),
    ("execution_cards", "spent"),
    ("execution_updates", "spent"),
];

/// What was copied and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    /// `(table, rows)` in copy order; the same in source and target.
    pub rows: Vec<(String, i64)>,
    /// `(table.column, total won)`; the same in source and target.
    pub money: Vec<(String, i64)>,
}

impl Store {
    /// Copies this whole deployment into `target`, which must be freshly migrated and empty,
    /// then checks that every table has as many rows and every money column the same total.
    pub async fn copy_into(&self, target: &Store, now: i64) -> StoreResult<MigrationReport> {
        for (table, _, _) in TABLES {
            if count(target, table).await? > 0 {
                return Err(StoreError::Corrupt(format!("the target database is not empty (table {table} has rows)")));
            }
        }
        let mut tx = target.write_tx().await?;
        for (table, has_id, columns) in TABLES {
            let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
            let rows = sqlx::query(&format!("SELECT {} FROM {table}", names.join(", ")))
                .fetch_all(&mut *self.conn().await?)
                .await?;
            // PostgreSQL allows 65,535 parameters per statement; pictures go a few at a time.
            let per_statement =
                if columns.iter().any(|(_, kind)| matches!(kind, Blob)) { 16 } else { 30_000 / columns.len() };
            for chunk in rows.chunks(per_statement) {
                let mut placeholders = Vec::with_capacity(chunk.len());
                for r in 0..chunk.len() {
                    let row: Vec<String> = (1..=columns.len()).map(|c| format!("${}", r * columns.len() + c)).collect();
                    placeholders.push(format!("({})", row.join(", ")));
                }
                let sql = format!("INSERT INTO {table} ({}) VALUES {}", names.join(", "), placeholders.join(", "));
                let mut insert = sqlx::query(&sql);
                for row in chunk {
                    for (name, kind) in *columns {
                        insert = bind_column(insert, row, name, *kind)?;
                    }
                }
                insert.execute(&mut *tx).await?;
            }
            if *has_id && target.backend() == Backend::Postgres {
                sqlx::query(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                ))
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;

        let mut report = MigrationReport { rows: Vec::new(), money: Vec::new() };
        for (table, _, _) in TABLES {
            let (source, copied) = (count(self, table).await?, count(target, table).await?);
            if source != copied {
                return Err(StoreError::Corrupt(format!("{table}: {source} rows in the source but {copied} copied")));
            }
            report.rows.push(((*table).to_owned(), copied));
        }
        for (table, column) in MONEY {
            let (source, copied) = (total(self, table, column).await?, total(target, table, column).await?);
            if source != copied {
                return Err(StoreError::Corrupt(format!(
                    "{table}.{column}: {source} won in the source but {copied} copied"
                )));
            }
            report.money.push((format!("{table}.{column}"), copied));
        }
        let detail = serde_json::json!({ "rows": report.rows, "money": report.money }).to_string();
        let mut conn = target.write_conn().await?;
        insert_audit(&mut conn, now, None, "database.migrate", None, Some(&detail)).await?;
        Ok(report)
    }
}

fn bind_column<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    row: &AnyRow,
    name: &str,
    kind: Kind,
) -> StoreResult<sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>> {
    Ok(match kind {
        Int => query.bind(row.try_get::<Option<i64>, _>(name)?),
        Text => query.bind(row.try_get::<Option<String>, _>(name)?),
        Real => query.bind(row.try_get::<Option<f64>, _>(name)?),
        Blob => query.bind(row.try_get::<Option<Vec<u8>>, _>(name)?),
    })
}

async fn count(store: &Store, table: &str) -> StoreResult<i64> {
    Ok(sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
        .fetch_one(&mut *store.conn().await?)
        .await?
        .try_get("n")?)
}

async fn total(store: &Store, table: &str, column: &str) -> StoreResult<i64> {
    let sql = format!("SELECT CAST(COALESCE(SUM({column}), 0) AS BIGINT) AS total FROM {table}");
    Ok(sqlx::query(&sql).fetch_one(&mut *store.conn().await?).await?.try_get("total")?)
}
