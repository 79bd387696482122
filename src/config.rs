//! The district file (TOML) and the environment, read and validated once at start.
//!
//! Every problem is reported as `file: key: what is wrong`, so an official editing the file can
//! fix it without reading code. Secrets never live in this file; they come from the environment.

use std::{
    collections::HashSet,
    path::{Path, PathBuf},
};

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::{
    domain::{Area, AreaKind, Course, Phase, Won, blend::Weights, meeting::parse_offset},
    i18n::Lang,
};

/// The validated district configuration the whole bot runs on.
#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    pub district_ko: String,
    pub district_en: String,
    pub default_language: Lang,
    pub annual_budget: Won,
    pub pb_share_percent: Decimal,
    /// The PB pot: `pb_share_percent` of the annual budget.
    pub pot: Won,
    /// Dongs first (in file order), then the district-wide area if any.
    pub areas: Vec<Area>,
    /// The budget year whose cycle a fresh database opens.
    pub cycle_year: i32,
    pub start_phase: Phase,
    pub proposals_per_day: u32,
    pub officials: Vec<Official>,
    pub verification: Verification,
    pub delivery: Delivery,
    pub meetings: Meetings,
    pub committee: Committee,
    pub ballots: Ballots,
    /// The day of the month after each quarter ends (January, April, July, October) on which
    /// every area's followers get one digest of its projects' execution cards; `None`: never.
    pub execution_digest_day: Option<u32>,
}

/// Ballots (DESIGN §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ballots {
    /// How long before a round closes the one reminder goes to those who have not voted.
    pub reminder_before_close: std::time::Duration,
    /// `mes-completed`: how much the Add1 loop adds to each voter's share of the pot at a time.
    /// The reference adds 1 unit of money, which in won would mean millions of rounds for a
    /// small dong; 1,000 won keeps the count quick and the shares fine-grained.
    pub add1_step: Won,
    /// Committee rounds: blend the residents' vote, the committee's and a survey with these
    /// weights (DESIGN §6; the normalisation is in `domain::blend`). `None`: the committee's
    /// round is counted on its own.
    pub blend: Option<Weights>,
    /// Officials may see the count of a round while it is open (`live_tally = "officials"`);
    /// by default nobody sees anything until it closes. Each look is audited.
    pub live_tally_for_officials: bool,
}

impl Default for Ballots {
    fn default() -> Self {
        Ballots {
            reminder_before_close: std::time::Duration::from_secs(24 * 3600),
            add1_step: Won::from_i64(1000).expect("a whole amount"),
            blend: None,
            live_tally_for_officials: false,
        }
    }
}

/// Meetings (DESIGN §7): when residents who said they are going are reminded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meetings {
    /// How long before the start each reminder goes out, longest first.
    pub reminders: Vec<std::time::Duration>,
}

impl Default for Meetings {
    fn default() -> Self {
        Meetings { reminders: vec![std::time::Duration::from_secs(24 * 3600), std::time::Duration::from_secs(3600)] }
    }
}

/// The residents' PB committee (DESIGN §2): the Budget School courses a member must have
/// finished, and how many members it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committee {
    pub required_courses: Vec<Course>,
    /// Meetings of the cycle a member must have been checked in at.
    pub min_meetings_attended: u32,
    pub min_members: u32,
    pub max_members: u32,
}

impl Committee {
    pub fn requirements(&self) -> crate::domain::committee::Requirements {
        crate::domain::committee::Requirements {
            courses: self.required_courses.clone(),
            meetings_attended: self.min_meetings_attended,
        }
    }
}

impl Default for Committee {
    fn default() -> Self {
        Committee {
            required_courses: vec![Course::Basic, Course::Committee],
            min_meetings_attended: 0,
            min_members: 40,
            max_members: 100,
        }
    }
}

/// How fast the bot may send (DESIGN §8). Telegram allows about 30 messages a second overall and
/// about one a second per chat; the delivery worker keeps one message a second free for replies.
/// With several replicas, each gets its share.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub messages_per_second: f64,
    /// The least time between two messages to one chat.
    pub per_chat_interval: std::time::Duration,
    /// Attempts (5xx, network errors) before a message is given up as failed.
    pub max_attempts: u32,
}

impl Default for Delivery {
    fn default() -> Self {
        Delivery { messages_per_second: 29.0, per_chat_interval: std::time::Duration::from_secs(1), max_attempts: 8 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Official {
    pub telegram_id: i64,
    pub name: String,
}

/// Which verification methods the district uses (DESIGN §4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub phone: bool,
    pub codes: bool,
    pub min_age: Option<u32>,
    /// Wrong codes before an account is locked out of code verification.
    pub max_code_failures: u32,
    pub lockout_minutes: u32,
    /// How long issued codes stay valid when no expiry date is given.
    pub code_valid_days: u32,
}

/// A configuration problem, naming where it is.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: cannot read the district file: {source}")]
    Read { file: String, source: std::io::Error },
    #[error("{file}: {message}")]
    Syntax { file: String, message: String },
    #[error("{file}: {key}: {problem}")]
    Invalid { file: String, key: String, problem: String },
    #[error("PB_OFFICIALS: `{0}` is not a Telegram user id (expected comma-separated numbers)")]
    OfficialsEnv(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    district: DistrictSection,
    budget: BudgetSection,
    #[serde(default)]
    cycle: CycleSection,
    #[serde(default)]
    proposals: ProposalsSection,
    dongs: Vec<AreaSection>,
    district_area: Option<AreaSection>,
    #[serde(default)]
    officials: Vec<OfficialSection>,
    #[serde(default)]
    verification: VerificationSection,
    #[serde(default)]
    delivery: DeliverySection,
    #[serde(default)]
    meetings: MeetingsSection,
    #[serde(default)]
    committee: CommitteeSection,
    #[serde(default)]
    ballots: BallotsSection,
    #[serde(default)]
    execution: ExecutionSection,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ExecutionSection {
    digest_day: Option<u32>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct BallotsSection {
    reminder_before_close: Option<String>,
    add1_step: Option<i64>,
    blend: Option<BlendSection>,
    live_tally: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BlendSection {
    resident: u32,
    committee: u32,
    #[serde(default)]
    survey: u32,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct MeetingsSection {
    reminders: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CommitteeSection {
    required_courses: Option<Vec<String>>,
    min_meetings_attended: Option<u32>,
    min_members: Option<u32>,
    max_members: Option<u32>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct DeliverySection {
    messages_per_second: Option<f64>,
    per_chat_seconds: Option<f64>,
    max_attempts: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DistrictSection {
    name_ko: String,
    name_en: String,
    #[serde(default = "default_language")]
    default_language: String,
}

fn default_language() -> String {
    "ko".to_owned()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BudgetSection {
    annual: i64,
    pb_share_percent: toml::Value,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CycleSection {
    year: Option<i32>,
    start_phase: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProposalsSection {
    #[serde(default = "default_per_day")]
    per_resident_per_day: u32,
}

impl Default for ProposalsSection {
    fn default() -> Self {
        Self { per_resident_per_day: default_per_day() }
    }
}

fn default_per_day() -> u32 {
    3
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AreaSection {
    key: Option<String>,
    ko: String,
    en: String,
    pot: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OfficialSection {
    name: String,
    telegram_id: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VerificationSection {
    #[serde(default = "yes")]
    phone: bool,
    #[serde(default = "yes")]
    codes: bool,
    min_age: Option<u32>,
    #[serde(default = "default_failures")]
    max_code_failures: u32,
    #[serde(default = "default_lockout")]
    lockout_minutes: u32,
    #[serde(default = "default_code_days")]
    code_valid_days: u32,
}

impl Default for VerificationSection {
    fn default() -> Self {
        Self {
            phone: true,
            codes: true,
            min_age: None,
            max_code_failures: default_failures(),
            lockout_minutes: default_lockout(),
            code_valid_days: default_code_days(),
        }
    }
}

fn default_failures() -> u32 {
    5
}

fn default_lockout() -> u32 {
    60
}

fn default_code_days() -> u32 {
    90
}

fn yes() -> bool {
    true
}

impl Config {
    /// Reads and validates a district file. `this_year` is the current year in the district's
    /// time zone, used when the file names no cycle year.
    pub fn load(path: &Path, this_year: i32) -> Result<Config, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { file: file.clone(), source })?;
        Config::parse(&text, path, this_year)
    }

    pub fn parse(text: &str, path: &Path, this_year: i32) -> Result<Config, ConfigError> {
        let file = path.display().to_string();
        let raw: File = toml::from_str(text)
            .map_err(|e| ConfigError::Syntax { file: file.clone(), message: one_line(&e.to_string()) })?;
        let invalid =
            |key: &str, problem: String| ConfigError::Invalid { file: file.clone(), key: key.to_owned(), problem };

        for (key, value) in [("district.name_ko", &raw.district.name_ko), ("district.name_en", &raw.district.name_en)] {
            if value.trim().is_empty() {
                return Err(invalid(key, "must not be empty".into()));
            }
        }
        let default_language = Lang::from_code(&raw.district.default_language).ok_or_else(|| {
            invalid("district.default_language", format!("`{}` is not `ko` or `en`", raw.district.default_language))
        })?;

        let annual_budget = Won::from_i64(raw.budget.annual).filter(|w| !w.is_zero()).ok_or_else(|| {
            invalid("budget.annual", format!("{} is not a positive number of won", raw.budget.annual))
        })?;
        let share = match &raw.budget.pb_share_percent {
            toml::Value::Integer(i) => Some(Decimal::from(*i)),
            toml::Value::Float(f) => Decimal::try_from(*f).ok(),
            toml::Value::String(s) => s.trim().trim_end_matches('%').trim().parse().ok(),
            _ => None,
        }
        .filter(|d: &Decimal| *d > Decimal::ZERO && *d <= Decimal::from(100))
        .ok_or_else(|| {
            invalid("budget.pb_share_percent", "must be a percentage above 0 and at most 100, e.g. 1 or \"1.5\"".into())
        })?;
        let pot = annual_budget
            .percent(share)
            .ok_or_else(|| invalid("budget.pb_share_percent", "gives no whole-won pot".into()))?;

        if raw.dongs.is_empty() {
            return Err(invalid("dongs", "at least one dong is needed".into()));
        }
        let mut areas = Vec::new();
        let mut keys = HashSet::new();
        let mut total = Won::ZERO;
        let district = raw.district_area.iter().map(|a| (a, AreaKind::District, "district_area".to_owned()));
        let dongs = raw.dongs.iter().enumerate().map(|(i, a)| (a, AreaKind::Dong, format!("dongs[{i}]")));
        for (section, kind, where_) in dongs.chain(district) {
            let key = match (&section.key, kind) {
                (Some(k), _) => k.clone(),
                (None, AreaKind::District) => "district".to_owned(),
                (None, AreaKind::Dong) => return Err(invalid(&format!("{where_}.key"), "is missing".into())),
            };
            if !is_area_key(&key) {
                return Err(invalid(
                    &format!("{where_}.key"),
                    format!("`{key}` must be 1-24 characters of a-z, 0-9 and -"),
                ));
            }
            if !keys.insert(key.clone()) {
                return Err(invalid(&format!("{where_}.key"), format!("`{key}` is used twice")));
            }
            if section.ko.trim().is_empty() || section.en.trim().is_empty() {
                return Err(invalid(&format!("{where_}.ko/en"), "names must not be empty".into()));
            }
            let area_pot = Won::from_i64(section.pot).filter(|w| !w.is_zero()).ok_or_else(|| {
                invalid(&format!("{where_}.pot"), format!("{} is not a positive number of won", section.pot))
            })?;
            total = total.checked_add(area_pot).ok_or_else(|| invalid(&format!("{where_}.pot"), "too large".into()))?;
            areas.push(Area {
                key,
                kind,
                name_ko: section.ko.trim().to_owned(),
                name_en: section.en.trim().to_owned(),
                pot: area_pot,
            });
        }
        if total > pot {
            return Err(invalid(
                "dongs/district_area",
                format!(
                    "the areas' pots add up to {} won, more than the PB pot of {} won ({}% of {})",
                    total.to_i64(),
                    pot.to_i64(),
                    share,
                    annual_budget.to_i64()
                ),
            ));
        }

        let cycle_year = raw.cycle.year.unwrap_or(this_year);
        if !(2000..=2100).contains(&cycle_year) {
            return Err(invalid("cycle.year", format!("{cycle_year} is not a plausible budget year")));
        }
        let start_phase = match &raw.cycle.start_phase {
            None => Phase::Proposals,
            Some(p) => p
                .parse()
                .map_err(|e: crate::domain::phase::UnknownPhase| invalid("cycle.start_phase", e.to_string()))?,
        };
        if raw.proposals.per_resident_per_day == 0 {
            return Err(invalid("proposals.per_resident_per_day", "must be at least 1".into()));
        }

        let mut officials = Vec::new();
        for (i, o) in raw.officials.iter().enumerate() {
            if o.telegram_id < 0 {
                return Err(invalid(
                    &format!("officials[{i}].telegram_id"),
                    "must be a Telegram user id (0 = not assigned yet)".into(),
                ));
            }
            // 0 marks a placeholder seat the district has not filled in yet.
            if o.telegram_id > 0 {
                officials.push(Official { telegram_id: o.telegram_id, name: o.name.clone() });
            }
        }
        if raw.verification.min_age.is_some_and(|age| age > 120) {
            return Err(invalid("verification.min_age", "must be at most 120".into()));
        }
        for (key, value) in [
            ("verification.max_code_failures", raw.verification.max_code_failures),
            ("verification.lockout_minutes", raw.verification.lockout_minutes),
            ("verification.code_valid_days", raw.verification.code_valid_days),
        ] {
            if value == 0 {
                return Err(invalid(key, "must be at least 1".into()));
            }
        }

        let defaults = Delivery::default();
        let messages_per_second = raw.delivery.messages_per_second.unwrap_or(defaults.messages_per_second);
        if !(0.1..=1000.0).contains(&messages_per_second) {
            return Err(invalid("delivery.messages_per_second", "must be between 0.1 and 1000".into()));
        }
        let per_chat_seconds = raw.delivery.per_chat_seconds.unwrap_or(defaults.per_chat_interval.as_secs_f64());
        if !(0.0..=60.0).contains(&per_chat_seconds) {
            return Err(invalid("delivery.per_chat_seconds", "must be between 0 and 60".into()));
        }
        let max_attempts = raw.delivery.max_attempts.unwrap_or(defaults.max_attempts);
        if !(1..=100).contains(&max_attempts) {
            return Err(invalid("delivery.max_attempts", "must be between 1 and 100".into()));
        }
        let delivery = Delivery {
            messages_per_second,
            per_chat_interval: std::time::Duration::from_secs_f64(per_chat_seconds),
            max_attempts,
        };

        let mut meetings = Meetings::default();
        if let Some(reminders) = &raw.meetings.reminders {
            let mut offsets = Vec::new();
            for (i, text) in reminders.iter().enumerate() {
                let offset = parse_offset(text).ok_or_else(|| {
                    invalid(
                        &format!("meetings.reminders[{i}]"),
                        format!("`{text}` is not a time before the start such as \"24h\", \"90m\" or \"2d\" (whole minutes, at most 14 days)"),
                    )
                })?;
                if offsets.contains(&offset) {
                    return Err(invalid(&format!("meetings.reminders[{i}]"), format!("`{text}` is given twice")));
                }
                offsets.push(offset);
            }
            offsets.sort_by(|a, b| b.cmp(a));
            meetings.reminders = offsets;
        }

        let mut committee = Committee::default();
        if let Some(courses) = &raw.committee.required_courses {
            committee.required_courses = Vec::new();
            for (i, name) in courses.iter().enumerate() {
                let course: Course =
                    name.parse().map_err(|e: String| invalid(&format!("committee.required_courses[{i}]"), e))?;
                if !committee.required_courses.contains(&course) {
                    committee.required_courses.push(course);
                }
            }
        }
        committee.min_meetings_attended = raw.committee.min_meetings_attended.unwrap_or(0);
        if committee.min_meetings_attended > 100 {
            return Err(invalid("committee.min_meetings_attended", "must be at most 100".into()));
        }
        committee.min_members = raw.committee.min_members.unwrap_or(committee.min_members);
        committee.max_members = raw.committee.max_members.unwrap_or(committee.max_members);
        if committee.min_members == 0 || committee.min_members > committee.max_members || committee.max_members > 10_000
        {
            return Err(invalid(
                "committee.min_members/max_members",
                format!(
                    "{}–{} is not a committee size: at least 1, the minimum not above the maximum, at most 10000",
                    committee.min_members, committee.max_members
                ),
            ));
        }

        let mut ballots = Ballots::default();
        if let Some(text) = &raw.ballots.reminder_before_close {
            ballots.reminder_before_close = parse_offset(text).ok_or_else(|| {
                invalid(
                    "ballots.reminder_before_close",
                    format!("`{text}` is not a time before closing such as \"24h\" or \"90m\" (at most 14 days)"),
                )
            })?;
        }
        if let Some(step) = raw.ballots.add1_step {
            ballots.add1_step = Won::from_i64(step)
                .filter(|w| !w.is_zero())
                .ok_or_else(|| invalid("ballots.add1_step", format!("`{step}` is not a positive amount of won")))?;
        }
        match raw.ballots.live_tally.as_deref() {
            None | Some("hidden") => {}
            Some("officials") => ballots.live_tally_for_officials = true,
            Some(other) => {
                return Err(invalid(
                    "ballots.live_tally",
                    format!("`{other}` is neither \"hidden\" nor \"officials\""),
                ));
            }
        }
        if let Some(b) = &raw.ballots.blend {
            ballots.blend =
                Some(Weights::new(b.resident, b.committee, b.survey).map_err(|e| invalid("ballots.blend", e))?);
        }

        let execution_digest_day = match raw.execution.digest_day {
            None => Some(5),
            Some(0) => None,
            Some(day @ 1..=28) => Some(day),
            Some(day) => {
                return Err(invalid(
                    "execution.digest_day",
                    format!("`{day}` is not a day from 1 to 28 (0 turns the digest off)"),
                ));
            }
        };

        Ok(Config {
            execution_digest_day,
            ballots,
            meetings,
            committee,
            delivery,
            path: path.to_owned(),
            district_ko: raw.district.name_ko,
            district_en: raw.district.name_en,
            default_language,
            annual_budget,
            pb_share_percent: share,
            pot,
            areas,
            cycle_year,
            start_phase,
            proposals_per_day: raw.proposals.per_resident_per_day,
            officials,
            verification: Verification {
                phone: raw.verification.phone,
                codes: raw.verification.codes,
                min_age: raw.verification.min_age,
                max_code_failures: raw.verification.max_code_failures,
                lockout_minutes: raw.verification.lockout_minutes,
                code_valid_days: raw.verification.code_valid_days,
            },
        })
    }

    /// Adds the officials named in `PB_OFFICIALS` (comma-separated Telegram user ids).
    pub fn add_officials_from_env(&mut self, value: &str) -> Result<(), ConfigError> {
        for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let id: i64 =
                part.parse().ok().filter(|id| *id > 0).ok_or_else(|| ConfigError::OfficialsEnv(part.to_owned()))?;
            if !self.officials.iter().any(|o| o.telegram_id == id) {
                self.officials.push(Official { telegram_id: id, name: "PB_OFFICIALS".into() });
            }
        }
        Ok(())
    }

    pub fn area(&self, key: &str) -> Option<&Area> {
        self.areas.iter().find(|a| a.key == key)
    }

    /// An area's name in `lang`; an unknown key is shown as it is.
    pub fn area_name(&self, key: &str, lang: Lang) -> String {
        match self.area(key) {
            Some(area) => match lang {
                Lang::Ko => area.name_ko.clone(),
                Lang::En => area.name_en.clone(),
            },
            None => key.to_owned(),
        }
    }

    pub fn district_name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ko => &self.district_ko,
            Lang::En => &self.district_en,
        }
    }
}

fn is_area_key(key: &str) -> bool {
    (1..=24).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
        [district]
        name_ko = "서대문구"
        name_en = "Seodaemun-gu"
        [budget]
        annual = 1000000000
        pb_share_percent = 1
        [[dongs]]
        key = "sinchon"
        ko = "신촌동"
        en = "Sinchon-dong"
        pot = 6000000
        [district_area]
        ko = "구 전체"
        en = "District-wide"
        pot = 4000000
    "#;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("d.toml"), 2027)
    }

    #[test]
    fn minimal_file_gets_defaults() {
        let c = parse(MINIMAL).unwrap();
        assert_eq!(c.pot, Won::from_i64(10_000_000).unwrap());
        assert_eq!(c.areas.len(), 2);
        assert_eq!(c.areas[1].key, "district");
        assert_eq!(c.areas[1].kind, AreaKind::District);
        assert_eq!(c.cycle_year, 2027);
        assert_eq!(c.start_phase, Phase::Proposals);
        assert_eq!(c.proposals_per_day, 3);
        assert_eq!(c.default_language, Lang::Ko);
        assert_eq!(c.meetings, Meetings::default());
        assert_eq!(c.committee.required_courses, vec![Course::Basic, Course::Committee]);
        assert_eq!((c.committee.min_members, c.committee.max_members), (40, 100));
    }

    #[test]
    fn reminders_and_committee_are_read_and_checked() {
        let with = format!(
            "{MINIMAL}\n[meetings]\nreminders = [\"1h\", \"2d\", \"30m\"]\n[committee]\nrequired_courses = [\"basic\"]\nmin_members = 5\nmax_members = 9\n"
        );
        let c = parse(&with).unwrap();
        let secs: Vec<u64> = c.meetings.reminders.iter().map(|d| d.as_secs()).collect();
        assert_eq!(secs, vec![2 * 86_400, 3600, 1800]);
        assert_eq!(c.committee.required_courses, vec![Course::Basic]);
        assert_eq!((c.committee.min_members, c.committee.max_members), (5, 9));

        let bad = format!("{MINIMAL}\n[meetings]\nreminders = [\"soon\"]\n");
        let e = parse(&bad).unwrap_err().to_string();
        assert!(e.starts_with("d.toml: meetings.reminders[0]: `soon`"), "{e}");
        let twice = format!("{MINIMAL}\n[meetings]\nreminders = [\"60m\", \"1h\"]\n");
        assert!(parse(&twice).unwrap_err().to_string().contains("given twice"));
        let ballots = format!("{MINIMAL}\n[ballots]\nreminder_before_close = \"6h\"\n");
        assert_eq!(parse(&ballots).unwrap().ballots.reminder_before_close.as_secs(), 6 * 3600);
        let ballots = format!("{MINIMAL}\n[ballots]\nadd1_step = 0\n");
        assert!(parse(&ballots).unwrap_err().to_string().contains("ballots.add1_step"));
        let ballots = format!("{MINIMAL}\n[ballots]\nadd1_step = 500\n");
        assert_eq!(parse(&ballots).unwrap().ballots.add1_step, Won::from_i64(500).unwrap());
        let blend = format!("{MINIMAL}\n[ballots]\nblend = {{ resident = 45, committee = 45, survey = 10 }}\n");
        assert_eq!(parse(&blend).unwrap().ballots.blend, Some(Weights::new(45, 45, 10).unwrap()));
        let blend = format!("{MINIMAL}\n[ballots]\nblend = {{ resident = 45, committee = 45 }}\n");
        assert!(parse(&blend).unwrap_err().to_string().contains("must add up to 100"));
        assert!(!parse(MINIMAL).unwrap().ballots.live_tally_for_officials);
        assert_eq!(parse(MINIMAL).unwrap().execution_digest_day, Some(5));
        let digest = format!("{MINIMAL}\n[execution]\ndigest_day = 0\n");
        assert_eq!(parse(&digest).unwrap().execution_digest_day, None);
        let digest = format!("{MINIMAL}\n[execution]\ndigest_day = 31\n");
        assert!(parse(&digest).unwrap_err().to_string().contains("execution.digest_day"));
        let live = format!("{MINIMAL}\n[ballots]\nlive_tally = \"officials\"\n");
        assert!(parse(&live).unwrap().ballots.live_tally_for_officials);
        let live = format!("{MINIMAL}\n[ballots]\nlive_tally = \"everyone\"\n");
        assert!(parse(&live).unwrap_err().to_string().contains("ballots.live_tally"));
        let ballots = format!("{MINIMAL}\n[ballots]\nreminder_before_close = \"soon\"\n");
        assert!(parse(&ballots).unwrap_err().to_string().contains("ballots.reminder_before_close"));
        let course = format!("{MINIMAL}\n[committee]\nrequired_courses = [\"yoga\"]\n");
        assert!(parse(&course).unwrap_err().to_string().starts_with("d.toml: committee.required_courses[0]:"));
        let size = format!("{MINIMAL}\n[committee]\nmin_members = 50\nmax_members = 10\n");
        assert!(parse(&size).unwrap_err().to_string().contains("committee.min_members/max_members"));
    }

    #[test]
    fn errors_name_file_key_and_problem() {
        let over = MINIMAL.replace("pot = 6000000", "pot = 6000001");
        let e = parse(&over).unwrap_err().to_string();
        assert!(e.starts_with("d.toml: dongs/district_area: the areas' pots add up to 10000001"), "{e}");

        let bad_key = MINIMAL.replace("key = \"sinchon\"", "key = \"Sinchon Dong\"");
        let e = parse(&bad_key).unwrap_err().to_string();
        assert!(e.starts_with("d.toml: dongs[0].key: `Sinchon Dong`"), "{e}");

        let bad_phase = format!("{MINIMAL}\n[cycle]\nstart_phase = \"voting\"\n");
        let e = parse(&bad_phase).unwrap_err().to_string();
        assert!(e.starts_with("d.toml: cycle.start_phase: unknown phase `voting`"), "{e}");

        let unknown = format!("{MINIMAL}\n[extra]\nx = 1\n");
        let e = parse(&unknown).unwrap_err().to_string();
        assert!(e.starts_with("d.toml: ") && e.contains("extra"), "{e}");
        assert!(!e.contains('\n'));

        let share = MINIMAL.replace("pb_share_percent = 1", "pb_share_percent = 0");
        let e = parse(&share).unwrap_err().to_string();
        assert!(e.starts_with("d.toml: budget.pb_share_percent:"), "{e}");
    }

    #[test]
    fn officials_from_env_are_added_once_and_placeholders_skipped() {
        let with_placeholder = format!(
            "{MINIMAL}\n[[officials]]\nname = \"x\"\ntelegram_id = 0\n[[officials]]\nname = \"y\"\ntelegram_id = 42\n"
        );
        let mut c = parse(&with_placeholder).unwrap();
        assert_eq!(c.officials, vec![Official { telegram_id: 42, name: "y".into() }]);
        c.add_officials_from_env(" 42, 7 ,").unwrap();
        assert_eq!(c.officials.iter().map(|o| o.telegram_id).collect::<Vec<_>>(), vec![42, 7]);
        assert!(c.add_officials_from_env("7,abc").unwrap_err().to_string().contains("`abc`"));
    }

    #[test]
    fn shipped_seodaemun_file_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/seodaemun.toml");
        let c = Config::load(&path, 2027).unwrap();
        assert_eq!(c.areas.iter().filter(|a| a.kind == AreaKind::Dong).count(), 14);
        assert_eq!(c.areas.iter().filter(|a| a.kind == AreaKind::District).count(), 1);
        assert_eq!(c.pot, c.annual_budget.percent(Decimal::ONE).unwrap());
    }
}
