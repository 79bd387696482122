//! Reading the resident roll file officials import: `dong, phone[, birth year[, reference]]`,
//! with or without a header row, a BOM, CRLF line ends. Every problem is reported with its line
//! number, so nothing is imported half-way.

use std::collections::HashMap;

use super::{
    area::{Area, AreaKind, AreaNames},
    verification::{Phone, PhoneError},
};

/// One valid line of the roll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollLine {
    pub line: usize,
    pub dong_key: String,
    pub phone: Phone,
    pub birth_year: Option<i32>,
    pub external_ref: Option<String>,
}

/// A problem on one line of the roll file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RollError {
    #[error("the file is empty")]
    Empty,
    #[error("line {line}: cannot read it as CSV: {reason}")]
    Unreadable { line: usize, reason: String },
    #[error("line {line}: expected dong, phone[, birth year[, reference]]")]
    Columns { line: usize },
    #[error("line {line}: unknown dong `{dong}`")]
    UnknownDong { line: usize, dong: String },
    #[error("line {line}: `{phone}` is not a Korean phone number")]
    BadPhone { line: usize, phone: String },
    #[error("line {line}: birth year `{year}` is not a year between 1900 and {this_year}")]
    BadBirthYear { line: usize, year: String, this_year: i32 },
    #[error("line {line}: the same phone number as line {first}")]
    Duplicate { line: usize, first: usize },
}

/// Parses a whole roll file; either every line is valid or every problem is returned.
pub fn parse_roll(text: &str, areas: &[Area], this_year: i32) -> Result<Vec<RollLine>, Vec<RollError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let dongs = AreaNames::new(areas.iter().filter(|a| a.kind == AreaKind::Dong));
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    // Roll files hold no multi-line fields, so each physical line is one record and its number
    // is exactly what an official sees in their editor.
    for (index, raw) in text.split('\n').enumerate() {
        let line = index + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        // Most lines hold no quotes and are split directly; quoted ones go through the CSV reader.
        let record;
        let fields: Vec<&str> = if raw.contains('"') {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .trim(csv::Trim::All)
                .from_reader(raw.as_bytes());
            record = match reader.records().next() {
                None => continue,
                Some(Ok(record)) => record,
                Some(Err(e)) => {
                    errors.push(RollError::Unreadable { line, reason: e.to_string() });
                    continue;
                }
            };
            record.iter().collect()
        } else {
            raw.split(',').map(str::trim).collect()
        };
        if fields.iter().all(|f| f.is_empty()) {
            continue;
        }
        let is_header = lines.is_empty()
            && errors.is_empty()
            && seen.is_empty()
            && ["dong", "동", "행정동"].contains(&fields[0].to_lowercase().as_str());
        if is_header {
            continue;
        }
        if !(2..=4).contains(&fields.len()) {
            errors.push(RollError::Columns { line });
            continue;
        }
        let Some(dong) = dongs.find(fields[0]) else {
            errors.push(RollError::UnknownDong { line, dong: fields[0].to_owned() });
            continue;
        };
        let phone = match Phone::parse(fields[1]) {
            Ok(p) => p,
            Err(PhoneError::NotANumber | PhoneError::NotKorean) => {
                errors.push(RollError::BadPhone { line, phone: fields[1].to_owned() });
                continue;
            }
        };
        let birth_year = match fields.get(2).filter(|y| !y.is_empty()) {
            None => None,
            Some(y) => match y.parse::<i32>() {
                Ok(year) if (1900..=this_year).contains(&year) => Some(year),
                _ => {
                    errors.push(RollError::BadBirthYear { line, year: (*y).to_owned(), this_year });
                    continue;
                }
            },
        };
        if let Some(first) = seen.insert(phone.as_str().to_owned(), line) {
            errors.push(RollError::Duplicate { line, first });
            continue;
        }
        let external_ref = fields.get(3).filter(|r| !r.is_empty()).map(|r| (*r).to_owned());
        lines.push(RollLine { line, dong_key: dong.key.clone(), phone, birth_year, external_ref });
    }
    if lines.is_empty() && errors.is_empty() {
        errors.push(RollError::Empty);
    }
    if errors.is_empty() { Ok(lines) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Won;

    fn areas() -> Vec<Area> {
        let area = |key: &str, ko: &str, en: &str, kind| Area {
            key: key.into(),
            kind,
            name_ko: ko.into(),
            name_en: en.into(),
            pot: Won::ZERO,
        };
        vec![
            area("sinchon", "신촌동", "Sinchon-dong", AreaKind::Dong),
            area("hongje1", "홍제1동", "Hongje 1-dong", AreaKind::Dong),
            area("district", "서대문구 전체", "District-wide", AreaKind::District),
        ]
    }

    #[test]
    fn reads_bom_crlf_header_and_every_dong_spelling() {
        let text = "\u{feff}dong,phone,birth_year,ref\r\n신촌동,010-1234-5678,1980,A-1\r\n홍제1,+82 10 2222 3333\r\nSinchon-dong,01033334444,,\r\n\r\n";
        let lines = parse_roll(text, &areas(), 2027).unwrap();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            (lines[0].line, lines[0].dong_key.as_str(), lines[0].phone.as_str()),
            (2, "sinchon", "+821012345678")
        );
        assert_eq!((lines[0].birth_year, lines[0].external_ref.as_deref()), (Some(1980), Some("A-1")));
        assert_eq!((lines[1].dong_key.as_str(), lines[1].birth_year), ("hongje1", None));
        assert_eq!(lines[2].line, 4);
    }

    #[test]
    fn every_bad_line_is_reported_with_its_number() {
        let text = "신촌동,010-1234-5678\n강남동,010-1111-2222\n신촌동,+1 415 555 2671\n신촌동,010-3333-4444,3000\n신촌동,01012345678\n서대문구 전체,010-5555-6666\n신촌동\n";
        let errors = parse_roll(text, &areas(), 2027).unwrap_err();
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "line 2: unknown dong `강남동`",
                "line 3: `+1 415 555 2671` is not a Korean phone number",
                "line 4: birth year `3000` is not a year between 1900 and 2027",
                "line 5: the same phone number as line 1",
                "line 6: unknown dong `서대문구 전체`",
                "line 7: expected dong, phone[, birth year[, reference]]",
            ]
        );
    }

    #[test]
    fn quoted_fields_are_read_as_csv() {
        let lines = parse_roll("\"신촌동\",\"010-1234-5678\",1980,\"A, 1\"\n", &areas(), 2027).unwrap();
        assert_eq!((lines[0].dong_key.as_str(), lines[0].external_ref.as_deref()), ("sinchon", Some("A, 1")));
    }

    #[test]
    fn an_empty_file_is_refused() {
        assert_eq!(parse_roll("", &areas(), 2027), Err(vec![RollError::Empty]));
        assert_eq!(parse_roll("\u{feff}dong,phone\r\n", &areas(), 2027), Err(vec![RollError::Empty]));
    }
}
