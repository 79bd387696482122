//! Dong meetings (DESIGN §1, §7): their stages, the times officials type (read in Asia/Seoul),
//! when reminders fall due, and the calendar file (RFC 5545) residents get.

use std::{fmt, str::FromStr, time::Duration};

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Seoul;

/// Which meeting of the cycle it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// The first dong meeting: proposals are presented and discussed.
    First,
    /// The second dong meeting: the dong's priorities are voted.
    Second,
    /// The residents' PB committee, at district level.
    Committee,
    /// The yearly open public-private forum.
    Forum,
}

impl Stage {
    pub const ALL: [Stage; 4] = [Stage::First, Stage::Second, Stage::Committee, Stage::Forum];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::First => "first",
            Stage::Second => "second",
            Stage::Committee => "committee",
            Stage::Forum => "forum",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Stage {
    type Err = String;

    fn from_str(s: &str) -> Result<Stage, String> {
        Stage::ALL
            .into_iter()
            .find(|stage| stage.as_str() == s)
            .ok_or_else(|| format!("`{s}` is not a meeting stage (first, second, committee, forum)"))
    }
}

/// Why a typed time could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenError {
    /// None of the accepted forms (`2026-12-03 19:00`, `12/3 19:00`, `12월 3일 19시`).
    Unreadable,
    /// A form that was read, but names no such day or time (`2/30`, `25:00`).
    NoSuchTime,
}

/// Reads a meeting time as an official types it, in Seoul time: `2026-12-03 19:00`,
/// `12/3 19:00`, `12월 3일 19시`, `12월 3일 오후 7시 30분`, `12월 3일 19:30`. Without a year, the
/// date is taken in the year that puts it nearest ahead of `today`: a date up to two months
/// back is this year's (and the caller refuses it as past), anything earlier is next year's.
pub fn parse_seoul_time(text: &str, today: NaiveDate) -> Result<DateTime<Utc>, WhenError> {
    let local = parse_local(text, today)?;
    Seoul.from_local_datetime(&local).earliest().map(|t| t.with_timezone(&Utc)).ok_or(WhenError::NoSuchTime)
}

/// Reads the end of a meeting: a time alone (`21:00`, `21시`, `오후 9시`) on the start's day in
/// Seoul, or any form [`parse_seoul_time`] reads.
pub fn parse_end_time(text: &str, start: DateTime<Utc>) -> Result<DateTime<Utc>, WhenError> {
    let day = start.with_timezone(&Seoul).date_naive();
    match parse_clock(text.trim()) {
        Ok(Some(time)) => Seoul
            .from_local_datetime(&day.and_time(time))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or(WhenError::NoSuchTime),
        clock => match parse_seoul_time(text, day) {
            // `25:00` reads as a time of day that does not exist, not as nonsense.
            Err(WhenError::Unreadable) if clock == Err(WhenError::NoSuchTime) => Err(WhenError::NoSuchTime),
            other => other,
        },
    }
}

fn parse_local(text: &str, today: NaiveDate) -> Result<NaiveDateTime, WhenError> {
    let text = text.trim();
    // 2026-12-03 19:00 (or with a T)
    if let Some((date, time)) = text.split_once([' ', 'T'])
        && let Some(date) = iso_date(date)
    {
        let time = parse_clock(time.trim())?.ok_or(WhenError::Unreadable)?;
        return Ok(date?.and_time(time));
    }
    // 12/3 19:00
    if let Some((date, time)) = text.split_once(' ')
        && let Some((month, day)) = date.split_once('/')
    {
        let (month, day) = (number(month)?, number(day)?);
        let time = parse_clock(time.trim())?.ok_or(WhenError::Unreadable)?;
        return Ok(infer_year(month, day, today)?.and_time(time));
    }
    // 12월 3일 19시 / 12월 3일 오후 7시 30분 / 12월 3일 19:30
    if let Some((month, rest)) = text.split_once('월')
        && let Some((day, time)) = rest.split_once('일')
    {
        let (month, day) = (number(month.trim())?, number(day.trim())?);
        let time = parse_clock(time.trim())?.ok_or(WhenError::Unreadable)?;
        return Ok(infer_year(month, day, today)?.and_time(time));
    }
    Err(WhenError::Unreadable)
}

/// `2026-12-03`: `None` when the text is not of that shape, `Some(Err)` for a shape without a day.
fn iso_date(text: &str) -> Option<Result<NaiveDate, WhenError>> {
    let parts: Vec<&str> = text.split('-').collect();
    let [year, month, day] = parts.as_slice() else { return None };
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let parsed = (|| {
        let year: i32 = year.parse().map_err(|_| WhenError::Unreadable)?;
        NaiveDate::from_ymd_opt(year, number(month)?, number(day)?).ok_or(WhenError::NoSuchTime)
    })();
    Some(parsed)
}

/// A time of day: `19:00`, `7:30`, `19시`, `19시 30분`, `오후 7시`, `오전 10시 30분`, `오후 7:30`.
/// `Ok(None)` when the text is not a time at all.
fn parse_clock(text: &str) -> Result<Option<NaiveTime>, WhenError> {
    let (afternoon, rest) = if let Some(rest) = text.strip_prefix("오후") {
        (Some(true), rest.trim())
    } else if let Some(rest) = text.strip_prefix("오전") {
        (Some(false), rest.trim())
    } else {
        (None, text)
    };
    let (hour, minute) = if let Some((h, m)) = rest.split_once(':') {
        (h, m)
    } else if let Some((h, m)) = rest.split_once('시') {
        (h, m.trim().strip_suffix('분').unwrap_or(m.trim()))
    } else {
        return Ok(None);
    };
    let hour = number(hour.trim()).map_err(|_| WhenError::Unreadable)?;
    let minute = if minute.trim().is_empty() { 0 } else { number(minute.trim()).map_err(|_| WhenError::Unreadable)? };
    let hour = match afternoon {
        Some(true) if (1..=11).contains(&hour) => hour + 12,
        Some(true) if hour == 12 => 12,
        Some(false) if hour == 12 => 0,
        Some(_) if hour > 12 => return Err(WhenError::NoSuchTime),
        _ => hour,
    };
    NaiveTime::from_hms_opt(hour, minute, 0).map(Some).ok_or(WhenError::NoSuchTime)
}

fn number(text: &str) -> Result<u32, WhenError> {
    if text.is_empty() || text.len() > 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(WhenError::Unreadable);
    }
    text.parse().map_err(|_| WhenError::Unreadable)
}

fn infer_year(month: u32, day: u32, today: NaiveDate) -> Result<NaiveDate, WhenError> {
    let this_year = NaiveDate::from_ymd_opt(today.year(), month, day);
    let next_year = NaiveDate::from_ymd_opt(today.year() + 1, month, day);
    match (this_year, next_year) {
        (Some(date), _) if date >= today - chrono::Days::new(61) => Ok(date),
        (_, Some(date)) => Ok(date),
        // 2월 29일 outside a leap year
        (Some(date), None) => Ok(date),
        (None, None) => Err(WhenError::NoSuchTime),
    }
}

/// The reminders of a meeting starting at `start` that fall due at `now` for a resident who
/// answered "going" at `answered`: those whose moment (`start - offset`) has come, but came after
/// the answer (a resident who says yes two hours ahead is not "reminded" of the day-before
/// reminder at once). None is due once the meeting has begun.
pub fn due_reminders(
    start: DateTime<Utc>,
    offsets: &[Duration],
    answered: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<Duration> {
    if now >= start {
        return Vec::new();
    }
    offsets
        .iter()
        .copied()
        .filter(|offset| {
            let Ok(offset) = chrono::Duration::from_std(*offset) else { return false };
            let moment = start - offset;
            moment <= now && moment > answered
        })
        .collect()
}

/// The longest a reminder may come before a meeting.
pub const MAX_REMINDER: Duration = Duration::from_secs(14 * 86_400);

/// A reminder offset as the district file gives it, in whole minutes: `24h`, `90m`, `2d`.
pub fn parse_offset(text: &str) -> Option<Duration> {
    let text = text.trim();
    let unit = text.chars().last()?;
    let seconds = match unit {
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return None,
    };
    let number = &text[..text.len() - 1];
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) || number.len() > 6 {
        return None;
    }
    let offset = Duration::from_secs(number.parse::<u64>().ok()? * seconds);
    (!offset.is_zero() && offset <= MAX_REMINDER).then_some(offset)
}

/// The longest meeting an official may schedule; anything longer is a typing mistake.
pub const MAX_MEETING_HOURS: i64 = 12;

/// Why a meeting's start and end cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanError {
    /// The start could not be read.
    Start(WhenError),
    /// The end could not be read (or is missing).
    End(WhenError),
    Past,
    EndsBeforeStart,
    TooLong,
}

/// Reads "start ~ end" as an official types it in chat: `2026-12-03 19:00 ~ 21:00`,
/// `12/3 19:00 ~ 21:00`, `12월 3일 19시 ~ 21시`; `~`, `–` and `부터 … 까지` all separate the two.
pub fn parse_span(text: &str, now: DateTime<Utc>) -> Result<(DateTime<Utc>, DateTime<Utc>), SpanError> {
    let text = text.trim().trim_end_matches("까지").trim();
    let today = now.with_timezone(&Seoul).date_naive();
    let Some((start, end)) = text.split_once('~').or_else(|| text.split_once('–')).or_else(|| text.split_once("부터"))
    else {
        // Only one time: say what is missing, the end, once the start reads.
        parse_seoul_time(text, today).map_err(SpanError::Start)?;
        return Err(SpanError::End(WhenError::Unreadable));
    };
    let starts_at = parse_seoul_time(start, today).map_err(SpanError::Start)?;
    let ends_at = parse_end_time(end, starts_at).map_err(SpanError::End)?;
    check_span(starts_at, ends_at, now)?;
    Ok((starts_at, ends_at))
}

/// A meeting must start ahead of `now`, end after it starts, and last at most
/// [`MAX_MEETING_HOURS`].
pub fn check_span(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), SpanError> {
    if starts_at <= now {
        return Err(SpanError::Past);
    }
    if ends_at <= starts_at {
        return Err(SpanError::EndsBeforeStart);
    }
    if ends_at - starts_at > chrono::Duration::hours(MAX_MEETING_HOURS) {
        return Err(SpanError::TooLong);
    }
    Ok(())
}

/// Check-in opens at most this long before a meeting starts…
pub const CHECKIN_OPENS_BEFORE: chrono::Duration = chrono::Duration::hours(2);
/// …and closes this long after it ends, unless a facilitator closes it earlier.
pub const CHECKIN_CLOSES_AFTER: chrono::Duration = chrono::Duration::minutes(30);
/// The length of a check-in code; it uses the verification codes' unambiguous letters.
pub const CHECKIN_CODE_LENGTH: usize = 6;

/// Why check-in cannot open now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckinWindow {
    /// More than [`CHECKIN_OPENS_BEFORE`] ahead of the start.
    TooEarly,
    /// The meeting is over.
    Over,
}

/// When a check-in opened at `now` closes: [`CHECKIN_CLOSES_AFTER`] the meeting's end.
pub fn checkin_closes_at(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, CheckinWindow> {
    if now < starts_at - CHECKIN_OPENS_BEFORE {
        return Err(CheckinWindow::TooEarly);
    }
    if now >= ends_at {
        return Err(CheckinWindow::Over);
    }
    Ok(ends_at + CHECKIN_CLOSES_AFTER)
}

/// A fresh check-in code.
pub fn checkin_code() -> String {
    use crate::domain::verification::CODE_ALPHABET;
    use rand::Rng;
    let mut rng = rand::rng();
    (0..CHECKIN_CODE_LENGTH).map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char).collect()
}

/// A check-in code as a resident sends it (`/checkin ab3-xyz`, `checkin-AB3XYZ` from the link):
/// upper-cased, spaces and dashes dropped; `None` when it cannot be a code.
pub fn parse_checkin_code(text: &str) -> Option<String> {
    use crate::domain::verification::CODE_ALPHABET;
    let text = text.trim();
    let text = text.strip_prefix("checkin-").unwrap_or(text);
    let code: String =
        text.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
    (code.len() == CHECKIN_CODE_LENGTH && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

/// One meeting as a calendar file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEvent<'a> {
    /// Stable across moves and cancellation, so calendars update the event they hold.
    pub uid: &'a str,
    /// Raised at every move or cancellation.
    pub sequence: u32,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: &'a str,
    pub location: &'a str,
    pub description: &'a str,
    pub cancelled: bool,
    /// When the file was made.
    pub stamp: DateTime<Utc>,
}

/// RFC 5545: CRLF line ends, lines folded at 75 octets, text escaped, times in UTC.
pub fn calendar(event: &CalendarEvent<'_>) -> String {
    let utc = |t: DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    let lines = [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//pb-bot//Participatory budgeting//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        format!("METHOD:{}", if event.cancelled { "CANCEL" } else { "PUBLISH" }),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", escape(event.uid)),
        format!("SEQUENCE:{}", event.sequence),
        format!("DTSTAMP:{}", utc(event.stamp)),
        format!("DTSTART:{}", utc(event.start)),
        format!("DTEND:{}", utc(event.end)),
        format!("SUMMARY:{}", escape(event.summary)),
        format!("LOCATION:{}", escape(event.location)),
        format!("DESCRIPTION:{}", escape(event.description)),
        format!("STATUS:{}", if event.cancelled { "CANCELLED" } else { "CONFIRMED" }),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ];
    lines.iter().map(|l| fold(l)).collect::<Vec<_>>().join("")
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line into pieces of at most 75 octets (never inside a character), each
/// continuation starting with a space, and ends it with CRLF.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

/// One valid line of a meeting schedule file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledMeeting {
    pub line: usize,
    pub area_key: String,
    pub stage: Stage,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub venue_ko: String,
    pub venue_en: Option<String>,
    pub notes: Option<String>,
    pub capacity: Option<u32>,
}

/// Longest venue and notes an official may give.
pub const VENUE_MAX_CHARS: usize = 200;
pub const NOTES_MAX_CHARS: usize = 1000;

/// A problem on one line of a schedule file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("the file holds no meeting")]
    Empty,
    #[error("line {line}: cannot read it as CSV: {reason}")]
    Unreadable { line: usize, reason: String },
    #[error("line {line}: expected dong, stage, start, end, venue (Korean)[, venue (English)[, notes[, capacity]]]")]
    Columns { line: usize },
    #[error("line {line}: unknown area `{area}`")]
    UnknownArea { line: usize, area: String },
    #[error("line {line}: `{stage}` is not a stage (first, second, committee, forum)")]
    BadStage { line: usize, stage: String },
    #[error("line {line}: a {stage} meeting is held in a dong, not district-wide")]
    NotADong { line: usize, stage: Stage },
    #[error("line {line}: cannot read the time `{time}`; write 2026-12-03 19:00, 12/3 19:00 or 12월 3일 19시")]
    BadTime { line: usize, time: String },
    #[error("line {line}: `{time}` names no such day or time")]
    NoSuchTime { line: usize, time: String },
    #[error("line {line}: the meeting starts in the past")]
    Past { line: usize },
    #[error("line {line}: the meeting ends before it starts")]
    EndsBeforeStart { line: usize },
    #[error("line {line}: the meeting lasts more than {MAX_MEETING_HOURS} hours")]
    TooLong { line: usize },
    #[error("line {line}: the venue is empty or longer than {VENUE_MAX_CHARS} characters")]
    BadVenue { line: usize },
    #[error("line {line}: the notes are longer than {NOTES_MAX_CHARS} characters")]
    LongNotes { line: usize },
    #[error("line {line}: capacity `{capacity}` is not a number of people above 0")]
    BadCapacity { line: usize, capacity: String },
}

/// Reads a whole schedule file (CSV, with or without a header row, a BOM, CRLF; quoted fields
/// may hold commas). Either every line is valid or every problem is returned.
pub fn parse_schedule(
    text: &str,
    areas: &[crate::domain::Area],
    now: DateTime<Utc>,
) -> Result<Vec<ScheduledMeeting>, Vec<ScheduleError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let names = crate::domain::area::AreaNames::new(areas.iter());
    let today = now.with_timezone(&Seoul).date_naive();
    let mut meetings = Vec::new();
    let mut errors = Vec::new();
    // A schedule holds no multi-line field, so each physical line is one record and its number
    // is exactly what an official sees in their editor.
    for (index, raw) in text.split('\n').enumerate() {
        let line = index + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(raw.as_bytes());
        let record = match reader.records().next() {
            None => continue,
            Some(Ok(record)) => record,
            Some(Err(e)) => {
                errors.push(ScheduleError::Unreadable { line, reason: e.to_string() });
                continue;
            }
        };
        let fields: Vec<&str> = record.iter().collect();
        if fields.iter().all(|f| f.is_empty()) {
            continue;
        }
        if index == 0 && ["dong", "동", "area", "지역"].contains(&fields[0].to_lowercase().as_str()) {
            continue;
        }
        match schedule_line(line, &fields, &names, today, now) {
            Ok(meeting) => meetings.push(meeting),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() && meetings.is_empty() {
        errors.push(ScheduleError::Empty);
    }
    if errors.is_empty() { Ok(meetings) } else { Err(errors) }
}

fn schedule_line(
    line: usize,
    fields: &[&str],
    names: &crate::domain::area::AreaNames<'_>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<ScheduledMeeting, ScheduleError> {
    if !(5..=8).contains(&fields.len()) {
        return Err(ScheduleError::Columns { line });
    }
    let area = names.find(fields[0]).ok_or_else(|| ScheduleError::UnknownArea { line, area: fields[0].to_owned() })?;
    let stage: Stage =
        fields[1].to_lowercase().parse().map_err(|_| ScheduleError::BadStage { line, stage: fields[1].to_owned() })?;
    if matches!(stage, Stage::First | Stage::Second) && area.kind != crate::domain::AreaKind::Dong {
        return Err(ScheduleError::NotADong { line, stage });
    }
    let time_error = |time: &str, e: WhenError| match e {
        WhenError::Unreadable => ScheduleError::BadTime { line, time: time.to_owned() },
        WhenError::NoSuchTime => ScheduleError::NoSuchTime { line, time: time.to_owned() },
    };
    let starts_at = parse_seoul_time(fields[2], today).map_err(|e| time_error(fields[2], e))?;
    let ends_at = parse_end_time(fields[3], starts_at).map_err(|e| time_error(fields[3], e))?;
    match check_span(starts_at, ends_at, now) {
        Ok(()) => {}
        Err(SpanError::Past) => return Err(ScheduleError::Past { line }),
        Err(SpanError::TooLong) => return Err(ScheduleError::TooLong { line }),
        Err(_) => return Err(ScheduleError::EndsBeforeStart { line }),
    }
    let optional = |i: usize| fields.get(i).filter(|f| !f.is_empty()).map(|f| (*f).to_owned());
    let venue_ok = |v: &str| !v.is_empty() && v.chars().count() <= VENUE_MAX_CHARS;
    let venue_en = optional(5);
    if !venue_ok(fields[4]) || venue_en.as_deref().is_some_and(|v| !venue_ok(v)) {
        return Err(ScheduleError::BadVenue { line });
    }
    let notes = optional(6);
    if notes.as_deref().is_some_and(|n| n.chars().count() > NOTES_MAX_CHARS) {
        return Err(ScheduleError::LongNotes { line });
    }
    let capacity = match optional(7) {
        None => None,
        Some(c) => Some(
            c.parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| ScheduleError::BadCapacity { line, capacity: c.clone() })?,
        ),
    };
    Ok(ScheduledMeeting {
        line,
        area_key: area.key.clone(),
        stage,
        starts_at,
        ends_at,
        venue_ko: fields[4].to_owned(),
        venue_en,
        notes,
        capacity,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    fn seoul(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Seoul.with_ymd_and_hms(y, m, d, h, min, 0).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_forms_officials_type_are_read_in_seoul_time() {
        let expected = seoul(2026, 12, 3, 19, 0);
        for text in [
            "2026-12-03 19:00",
            "2026-12-03T19:00",
            "12/3 19:00",
            "12월 3일 19시",
            "12월 3일 오후 7시",
            " 12월3일 19:00 ",
        ] {
            assert_eq!(parse_seoul_time(text, today()), Ok(expected), "{text}");
        }
        assert_eq!(parse_seoul_time("12월 3일 오후 7시 30분", today()), Ok(seoul(2026, 12, 3, 19, 30)));
        assert_eq!(parse_seoul_time("12월 3일 오전 10시", today()), Ok(seoul(2026, 12, 3, 10, 0)));
        assert_eq!(parse_seoul_time("12월 3일 오후 12시", today()), Ok(seoul(2026, 12, 3, 12, 0)));
        // 19:00 in Seoul is 10:00 UTC.
        assert_eq!(expected.to_rfc3339(), "2026-12-03T10:00:00+00:00");
    }

    #[test]
    fn a_date_without_a_year_is_the_nearest_ahead() {
        assert_eq!(parse_seoul_time("1/10 14:00", today()), Ok(seoul(2027, 1, 10, 14, 0)));
        // A few days back stays this year, for the caller to refuse as past.
        assert_eq!(parse_seoul_time("11/20 14:00", today()), Ok(seoul(2026, 11, 20, 14, 0)));
        assert_eq!(parse_seoul_time("3월 2일 10시", today()), Ok(seoul(2027, 3, 2, 10, 0)));
    }

    #[test]
    fn what_cannot_be_read_is_refused_and_impossible_days_are_named() {
        for text in
            ["", "tomorrow", "next friday 7pm", "12/3", "2026-12-03", "3 December 19:00", "12월 3일", "12/3 7pm"]
        {
            assert_eq!(parse_seoul_time(text, today()), Err(WhenError::Unreadable), "{text:?}");
        }
        for text in ["2/30 10:00", "2026-13-01 10:00", "12/3 25:00", "12/3 19:61", "12월 3일 오후 13시"] {
            assert_eq!(parse_seoul_time(text, today()), Err(WhenError::NoSuchTime), "{text:?}");
        }
    }

    #[test]
    fn an_end_may_be_a_time_on_the_same_day() {
        let start = seoul(2026, 12, 3, 19, 0);
        assert_eq!(parse_end_time("21:00", start), Ok(seoul(2026, 12, 3, 21, 0)));
        assert_eq!(parse_end_time("오후 9시 30분", start), Ok(seoul(2026, 12, 3, 21, 30)));
        assert_eq!(parse_end_time("2026-12-04 01:00", start), Ok(seoul(2026, 12, 4, 1, 0)));
        assert_eq!(parse_end_time("soon", start), Err(WhenError::Unreadable));
        assert_eq!(parse_end_time("25:00", start), Err(WhenError::NoSuchTime));
    }

    #[test]
    fn reminders_fall_due_before_the_start_and_never_after() {
        let start = seoul(2026, 12, 3, 19, 0);
        let offsets = [Duration::from_secs(24 * 3600), Duration::from_secs(3600)];
        let early = seoul(2026, 11, 20, 9, 0);
        assert!(due_reminders(start, &offsets, early, seoul(2026, 12, 2, 18, 59)).is_empty());
        assert_eq!(due_reminders(start, &offsets, early, seoul(2026, 12, 2, 19, 0)), [offsets[0]]);
        assert_eq!(due_reminders(start, &offsets, early, seoul(2026, 12, 3, 18, 30)), offsets);
        assert!(due_reminders(start, &offsets, early, start).is_empty(), "not once it has begun");
        // Answered two hours ahead: the day-before moment had passed, the hour-before one is due.
        let late = seoul(2026, 12, 3, 17, 0);
        assert!(due_reminders(start, &offsets, late, seoul(2026, 12, 3, 17, 30)).is_empty());
        assert_eq!(due_reminders(start, &offsets, late, seoul(2026, 12, 3, 18, 0)), [offsets[1]]);
    }

    #[test]
    fn reminder_offsets_read_with_units() {
        assert_eq!(parse_offset("24h"), Some(Duration::from_secs(86_400)));
        assert_eq!(parse_offset(" 90m "), Some(Duration::from_secs(5400)));
        assert_eq!(parse_offset("2d"), Some(Duration::from_secs(172_800)));
        for bad in ["", "h", "0h", "15d", "1.5h", "-1h", "1w", "45s", "soon"] {
            assert_eq!(parse_offset(bad), None, "{bad}");
        }
    }

    #[test]
    fn spans_typed_in_chat() {
        let now = seoul(2026, 11, 28, 10, 0);
        let (start, end) = parse_span("2026-12-03 19:00 ~ 21:00", now).unwrap();
        assert_eq!((start, end), (seoul(2026, 12, 3, 19, 0), seoul(2026, 12, 3, 21, 0)));
        assert_eq!(parse_span("12/3 19:00~21:00", now), Ok((start, end)));
        assert_eq!(parse_span("12월 3일 19시부터 21시까지", now), Ok((start, end)));
        assert_eq!(parse_span("12월 3일 오후 7시 – 오후 9시", now), Ok((start, end)));
        assert_eq!(parse_span("12월 3일 19시", now), Err(SpanError::End(WhenError::Unreadable)));
        assert_eq!(parse_span("next thursday ~ 21:00", now), Err(SpanError::Start(WhenError::Unreadable)));
        assert_eq!(parse_span("다음 주 목요일 저녁", now), Err(SpanError::Start(WhenError::Unreadable)));
        assert_eq!(parse_span("2/30 19:00 ~ 21:00", now), Err(SpanError::Start(WhenError::NoSuchTime)));
        assert_eq!(parse_span("12/3 19:00 ~ 25:00", now), Err(SpanError::End(WhenError::NoSuchTime)));
        assert_eq!(parse_span("2026-11-27 19:00 ~ 21:00", now), Err(SpanError::Past));
        assert_eq!(parse_span("12/3 19:00 ~ 18:00", now), Err(SpanError::EndsBeforeStart));
        assert_eq!(parse_span("12/3 19:00 ~ 12/4 19:00", now), Err(SpanError::TooLong));
    }

    #[test]
    fn checkin_opens_near_the_meeting_and_codes_read_loosely() {
        let (start, end) = (seoul(2026, 12, 3, 19, 0), seoul(2026, 12, 3, 21, 0));
        assert_eq!(checkin_closes_at(start, end, seoul(2026, 12, 3, 16, 59)), Err(CheckinWindow::TooEarly));
        assert_eq!(checkin_closes_at(start, end, seoul(2026, 12, 3, 17, 0)), Ok(seoul(2026, 12, 3, 21, 30)));
        assert_eq!(checkin_closes_at(start, end, end), Err(CheckinWindow::Over));
        let code = checkin_code();
        assert_eq!(parse_checkin_code(&code), Some(code.clone()));
        assert_eq!(parse_checkin_code(&format!("checkin-{code}")), Some(code.clone()));
        assert_eq!(parse_checkin_code("ab3-xyz"), Some("AB3XYZ".into()));
        assert_eq!(parse_checkin_code("AB0XYZ"), None, "0 is not in the alphabet");
        assert_eq!(parse_checkin_code("ABCDEFG"), None);
    }

    fn areas() -> Vec<crate::domain::Area> {
        use crate::domain::{Area, AreaKind, Won};
        let area = |key: &str, ko: &str, en: &str, kind| Area {
            key: key.into(),
            kind,
            name_ko: ko.into(),
            name_en: en.into(),
            pot: Won::from_i64(1).unwrap(),
        };
        vec![
            area("sinchon", "신촌동", "Sinchon-dong", AreaKind::Dong),
            area("district", "구 전체", "District-wide", AreaKind::District),
        ]
    }

    #[test]
    fn a_schedule_file_is_read_whole_or_not_at_all() {
        let now = seoul(2026, 11, 28, 9, 0);
        let text = "\u{feff}dong,stage,start,end,venue_ko,venue_en,notes,capacity\r\n\
                    신촌동,first,2026-12-03 19:00,21:00,\"신촌동 주민센터 3층, 대회의실\",Community centre,,80\r\n\
                    Sinchon-dong,second,1/14 19:00,1/14 21:00,신촌동 주민센터\r\n\
                    구 전체,committee,12월 10일 오후 2시,오후 5시,서대문구청 대회의실,,위원 대상\r\n";
        let meetings = parse_schedule(text, &areas(), now).unwrap();
        assert_eq!(meetings.len(), 3);
        assert_eq!(meetings[0].line, 2);
        assert_eq!(meetings[0].venue_ko, "신촌동 주민센터 3층, 대회의실");
        assert_eq!(
            (meetings[0].starts_at, meetings[0].ends_at),
            (seoul(2026, 12, 3, 19, 0), seoul(2026, 12, 3, 21, 0))
        );
        assert_eq!(meetings[0].capacity, Some(80));
        assert_eq!(meetings[1].starts_at, seoul(2027, 1, 14, 19, 0));
        assert_eq!((meetings[2].area_key.as_str(), meetings[2].stage), ("district", Stage::Committee));
        assert_eq!(meetings[2].ends_at, seoul(2026, 12, 10, 17, 0));

        let bad = "신촌동,first,2026-12-03 19:00,18:00,주민센터\n\
                   홍대동,first,2026-12-03 19:00,21:00,주민센터\n\
                   신촌동,third,2026-12-03 19:00,21:00,주민센터\n\
                   구 전체,first,2026-12-03 19:00,21:00,구청\n\
                   신촌동,first,tomorrow,21:00,주민센터\n\
                   신촌동,first,11/20 19:00,21:00,주민센터\n\
                   신촌동,first,2/30 19:00,21:00,주민센터\n\
                   신촌동,first,2026-12-03 19:00,21:00,,\n\
                   신촌동,first,2026-12-03 19:00,21:00,주민센터,,,0\n\
                   신촌동,first\n";
        let errors: Vec<String> =
            parse_schedule(bad, &areas(), now).unwrap_err().iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            [
                "line 1: the meeting ends before it starts",
                "line 2: unknown area `홍대동`",
                "line 3: `third` is not a stage (first, second, committee, forum)",
                "line 4: a first meeting is held in a dong, not district-wide",
                "line 5: cannot read the time `tomorrow`; write 2026-12-03 19:00, 12/3 19:00 or 12월 3일 19시",
                "line 6: the meeting starts in the past",
                "line 7: `2/30 19:00` names no such day or time",
                "line 8: the venue is empty or longer than 200 characters",
                "line 9: capacity `0` is not a number of people above 0",
                "line 10: expected dong, stage, start, end, venue (Korean)[, venue (English)[, notes[, capacity]]]",
            ]
        );
        assert_eq!(parse_schedule("dong,stage\n", &areas(), now).unwrap_err(), [ScheduleError::Empty]);
    }

    #[test]
    fn the_calendar_file_follows_rfc_5545() {
        let description = "1차 동 회의: 제안 사업 설명, 질의응답; 투표 안내\n누구나 참석할 수 있어요.";
        let event = CalendarEvent {
            uid: "meeting-7@pb-bot",
            sequence: 2,
            start: seoul(2026, 12, 3, 19, 0),
            end: seoul(2026, 12, 3, 21, 0),
            summary: "신촌동 1차 주민참여예산 동 회의",
            location: "신촌동 주민센터 3층 대회의실, 서울 서대문구 연세로 1",
            description,
            cancelled: false,
            stamp: seoul(2026, 11, 28, 9, 0),
        };
        let ics = calendar(&event);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
        assert!(ics.contains("\r\nDTSTART:20261203T100000Z\r\n"), "19:00 in Seoul is 10:00 UTC");
        assert!(ics.contains("\r\nDTEND:20261203T120000Z\r\n"));
        assert!(ics.split("\r\n").all(|line| line.len() <= 75), "lines are folded at 75 octets");
        assert!(!ics.replace("\r\n", "").contains('\n'), "no bare line feeds");
        // Unfolded, the escaped text reads back as written.
        let unfolded = ics.replace("\r\n ", "");
        let line = unfolded.lines().find(|l| l.starts_with("DESCRIPTION:")).unwrap();
        let read = line["DESCRIPTION:".len()..].replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";");
        assert_eq!(read, description);
        assert!(unfolded.contains("LOCATION:신촌동 주민센터 3층 대회의실\\, 서울 서대문구 연세로 1"));
        let cancelled = calendar(&CalendarEvent { cancelled: true, sequence: 3, ..event });
        assert!(cancelled.contains("\r\nMETHOD:CANCEL\r\n") && cancelled.contains("\r\nSTATUS:CANCELLED\r\n"));
    }
}
