//! The residents' PB committee (DESIGN §2): Budget School courses, who may be appointed, and how
//! large the committee may grow.

use std::{fmt, str::FromStr};

/// A Budget School course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Course {
    /// The basic course every participant may take.
    Basic,
    /// The PB instructor course facilitators take.
    Instructor,
    /// The course for committee members.
    Committee,
}

impl Course {
    pub const ALL: [Course; 3] = [Course::Basic, Course::Instructor, Course::Committee];

    pub fn as_str(self) -> &'static str {
        match self {
            Course::Basic => "basic",
            Course::Instructor => "instructor",
            Course::Committee => "committee",
        }
    }
}

impl fmt::Display for Course {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Course {
    type Err = String;

    /// The English name, or the Korean one officials write on Budget School sheets.
    fn from_str(s: &str) -> Result<Course, String> {
        let s = s.trim();
        let korean = [("기본", Course::Basic), ("강사", Course::Instructor), ("위원", Course::Committee)];
        Course::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s))
            .or_else(|| korean.iter().find(|(word, _)| s.contains(word)).map(|(_, c)| *c))
            .ok_or_else(|| format!("`{s}` is not a Budget School course (basic, instructor, committee)"))
    }
}

/// Why a resident may not sit on the committee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ineligible {
    NotVerified,
    /// The required courses they have not finished.
    MissingCourses(Vec<Course>),
    /// Checked in at fewer meetings of the cycle than required.
    TooFewMeetings {
        attended: u32,
        needed: u32,
    },
}

impl fmt::Display for Ineligible {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ineligible::NotVerified => f.write_str("not a verified resident"),
            Ineligible::MissingCourses(missing) => {
                let names: Vec<&str> = missing.iter().map(|c| c.as_str()).collect();
                write!(f, "has not finished the {} course(s)", names.join(", "))
            }
            Ineligible::TooFewMeetings { attended, needed } => {
                write!(f, "attended {attended} meeting(s) of the cycle, {needed} needed")
            }
        }
    }
}

/// What the district requires of a committee member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirements {
    pub courses: Vec<Course>,
    /// Meetings of the cycle they must have been checked in at (0: none required).
    pub meetings_attended: u32,
}

/// Committee eligibility: a verified resident who finished every required course and attended
/// the required meetings of the cycle.
pub fn eligibility(
    verified: bool,
    completed: &[Course],
    attended: u32,
    required: &Requirements,
) -> Result<(), Ineligible> {
    if !verified {
        return Err(Ineligible::NotVerified);
    }
    let missing: Vec<Course> = required.courses.iter().copied().filter(|c| !completed.contains(c)).collect();
    if !missing.is_empty() {
        return Err(Ineligible::MissingCourses(missing));
    }
    if attended < required.meetings_attended {
        return Err(Ineligible::TooFewMeetings { attended, needed: required.meetings_attended });
    }
    Ok(())
}

/// The committee would grow past its maximum.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the committee would have {would_have} members, more than the {max} allowed")]
pub struct TooLarge {
    pub would_have: usize,
    pub max: u32,
}

/// The committee's size once `adding` new members join `current`: an error past `max`, and
/// how many are still missing to reach `min` (0 once it is complete).
pub fn size_after(current: usize, adding: usize, min: u32, max: u32) -> Result<usize, TooLarge> {
    let would_have = current + adding;
    if would_have > max as usize {
        return Err(TooLarge { would_have, max });
    }
    Ok((min as usize).saturating_sub(would_have))
}

/// Who a line of an officials' file names: a Telegram user id or a phone number on the roll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    Telegram(i64),
    Phone(crate::domain::verification::Phone),
}

/// One line of a Budget School completion file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionLine {
    pub line: usize,
    pub who: Who,
    pub course: Course,
    pub completed_on: chrono::NaiveDate,
}

/// Reads `telegram_id, phone, course, completed_on` lines (one of the first two filled; the date
/// `YYYY-MM-DD`, not after `today`). A header row, BOM and CRLF are fine. All lines or every
/// problem, by line number.
pub fn parse_completions(text: &str, today: chrono::NaiveDate) -> Result<Vec<CompletionLine>, Vec<String>> {
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for (line, fields) in csv_lines(text, "telegram_id", &mut errors) {
        if fields.len() != 4 {
            errors.push(format!("line {line}: expected telegram_id, phone, course, completed_on"));
            continue;
        }
        let who = match who(&fields[0], &fields[1]) {
            Ok(who) => who,
            Err(e) => {
                errors.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let course = match fields[2].parse::<Course>() {
            Ok(course) => course,
            Err(e) => {
                errors.push(format!("line {line}: {e}"));
                continue;
            }
        };
        match chrono::NaiveDate::parse_from_str(&fields[3], "%Y-%m-%d") {
            Ok(date) if date <= today => lines.push(CompletionLine { line, who, course, completed_on: date }),
            Ok(_) => errors.push(format!("line {line}: {} is in the future", fields[3])),
            Err(_) => errors.push(format!("line {line}: `{}` is not a date like 2026-05-30", fields[3])),
        }
    }
    if errors.is_empty() && lines.is_empty() {
        errors.push("the file holds no line".into());
    }
    if errors.is_empty() { Ok(lines) } else { Err(errors) }
}

/// Reads a list of residents, `telegram_id, phone` per line (one filled), as for an appointment.
pub fn parse_people(text: &str) -> Result<Vec<(usize, Who)>, Vec<String>> {
    let mut people = Vec::new();
    let mut errors = Vec::new();
    for (line, fields) in csv_lines(text, "telegram_id", &mut errors) {
        let phone = fields.get(1).map(String::as_str).unwrap_or("");
        match (fields.len() <= 2).then(|| who(&fields[0], phone)) {
            Some(Ok(who)) => people.push((line, who)),
            Some(Err(e)) => errors.push(format!("line {line}: {e}")),
            None => errors.push(format!("line {line}: expected telegram_id, phone")),
        }
    }
    if errors.is_empty() && people.is_empty() {
        errors.push("the file holds no line".into());
    }
    if errors.is_empty() { Ok(people) } else { Err(errors) }
}

fn who(telegram_id: &str, phone: &str) -> Result<Who, String> {
    match (telegram_id.trim(), phone.trim()) {
        (id, "") if !id.is_empty() => id
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(Who::Telegram)
            .ok_or(format!("`{id}` is not a Telegram user id")),
        ("", phone) if !phone.is_empty() => {
            crate::domain::verification::Phone::parse(phone).map(Who::Phone).map_err(|e| format!("`{phone}`: {e}"))
        }
        ("", "") => Err("give a telegram_id or a phone".into()),
        _ => Err("give a telegram_id or a phone, not both".into()),
    }
}

/// The records of a small CSV file, with their line numbers; a first row starting with
/// `header` is skipped, blank lines too.
fn csv_lines(text: &str, header: &str, errors: &mut Vec<String>) -> Vec<(usize, Vec<String>)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    for (index, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(raw.as_bytes());
        match reader.records().next() {
            None => {}
            Some(Err(e)) => errors.push(format!("line {}: cannot read it as CSV: {e}", index + 1)),
            Some(Ok(record)) => {
                let fields: Vec<String> = record.iter().map(str::to_owned).collect();
                if fields.iter().all(String::is_empty) || (index == 0 && fields[0].eq_ignore_ascii_case(header)) {
                    continue;
                }
                out.push((index + 1, fields));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_files_are_read_whole_or_not_at_all() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let ok = "\u{feff}telegram_id,phone,course,completed_on\r\n42,,basic,2026-05-30\r\n,010-1234-5678,위원 과정,2026-06-02\r\n";
        let lines = parse_completions(ok, today).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!((lines[0].line, &lines[0].who, lines[0].course), (2, &Who::Telegram(42), Course::Basic));
        assert!(matches!(lines[1].who, Who::Phone(_)));
        assert_eq!(lines[1].course, Course::Committee);

        let bad = "42,010-1234-5678,basic,2026-05-30\n,,basic,2026-05-30\n42,,yoga,2026-05-30\n42,,basic,30/5/2026\n42,,basic,2027-01-01\n-3,,basic,2026-05-30\n";
        let errors = parse_completions(bad, today).unwrap_err();
        assert_eq!(errors.len(), 6, "{errors:?}");
        assert!(errors[0].starts_with("line 1: ") && errors[0].contains("not both"));
        assert!(errors[2].contains("yoga") && errors[3].contains("30/5/2026") && errors[4].contains("future"));
        assert_eq!(parse_completions("telegram_id,phone,course,completed_on\n", today).unwrap_err().len(), 1);
    }

    #[test]
    fn people_lists_take_ids_or_phones() {
        let people = parse_people("telegram_id,phone\n7\n,01012345678\n").unwrap();
        assert_eq!(people[0], (2, Who::Telegram(7)));
        assert!(matches!(people[1], (3, Who::Phone(_))));
        assert!(parse_people("abc\n").unwrap_err()[0].contains("`abc`"));
    }

    #[test]
    fn courses_read_in_english_and_korean() {
        assert_eq!("Basic".parse::<Course>(), Ok(Course::Basic));
        assert_eq!("기본과정".parse::<Course>(), Ok(Course::Basic));
        assert_eq!("주민참여예산 강사 과정".parse::<Course>(), Ok(Course::Instructor));
        assert_eq!("위원 과정".parse::<Course>(), Ok(Course::Committee));
        assert!("yoga".parse::<Course>().unwrap_err().contains("basic, instructor, committee"));
    }

    #[test]
    fn eligibility_needs_verification_and_every_required_course() {
        let required = Requirements { courses: vec![Course::Basic, Course::Committee], meetings_attended: 0 };
        let both = [Course::Basic, Course::Committee];
        assert_eq!(eligibility(false, &both, 0, &required), Err(Ineligible::NotVerified));
        assert_eq!(
            eligibility(true, &[Course::Basic, Course::Instructor], 0, &required),
            Err(Ineligible::MissingCourses(vec![Course::Committee]))
        );
        assert_eq!(eligibility(true, &[Course::Committee, Course::Basic], 0, &required), Ok(()));
        let none = Requirements { courses: vec![], meetings_attended: 0 };
        assert_eq!(eligibility(true, &[], 0, &none), Ok(()));
        let two_meetings = Requirements { meetings_attended: 2, ..required };
        assert_eq!(
            eligibility(true, &both, 1, &two_meetings),
            Err(Ineligible::TooFewMeetings { attended: 1, needed: 2 })
        );
        assert_eq!(eligibility(true, &both, 2, &two_meetings), Ok(()));
    }

    #[test]
    fn committee_size_is_bounded() {
        assert_eq!(size_after(0, 30, 40, 100), Ok(10));
        assert_eq!(size_after(30, 10, 40, 100), Ok(0));
        assert_eq!(size_after(90, 11, 40, 100), Err(TooLarge { would_have: 101, max: 100 }));
    }
}
