//! Reading and writing Pabulib `.pb` files (https://pabulib.org), the format PB researchers publish real
//! elections in and the format pb-bot exports anonymised ballots in: three sections (`META`,
//! `PROJECTS`, `VOTES`), each a title line, a `;`-separated header and `;`-separated rows with
//! `"`-quoting. Costs and the budget are read as exact decimals. Every problem is reported with
//! its line number.

use std::{collections::HashMap, str::FromStr};

use rust_decimal::Decimal;

/// How voters expressed their choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoteType {
    Approval,
    Choose1,
    Ordinal,
    Cumulative,
    Scoring,
}

impl VoteType {
    pub fn as_str(self) -> &'static str {
        match self {
            VoteType::Approval => "approval",
            VoteType::Choose1 => "choose-1",
            VoteType::Ordinal => "ordinal",
            VoteType::Cumulative => "cumulative",
            VoteType::Scoring => "scoring",
        }
    }

    fn parse(s: &str) -> Option<VoteType> {
        [VoteType::Approval, VoteType::Choose1, VoteType::Ordinal, VoteType::Cumulative, VoteType::Scoring]
            .into_iter()
            .find(|t| t.as_str() == s)
    }

    /// Whether ballots carry points per project.
    pub fn has_points(self) -> bool {
        matches!(self, VoteType::Cumulative | VoteType::Scoring)
    }
}

/// A project of an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PbProject {
    pub id: String,
    pub cost: Decimal,
    /// The row's other columns, by header name.
    pub extra: Vec<(String, String)>,
}

/// One voter's ballot: projects in the order given (for ordinal ballots, most preferred first)
/// and, for points ballots, the points of each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PbBallot {
    pub voter_id: String,
    pub projects: Vec<String>,
    pub points: Vec<Decimal>,
    /// The row's other columns (age, sex, district…), in the order of
    /// [`Instance::vote_columns`].
    pub extra: Vec<String>,
}

/// A whole `.pb` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// `META` keys and values, in file order.
    pub meta: Vec<(String, String)>,
    pub budget: Decimal,
    pub vote_type: VoteType,
    pub projects: Vec<PbProject>,
    /// The names of the `VOTES` columns besides `voter_id`, `vote` and `points`.
    pub vote_columns: Vec<String>,
    pub ballots: Vec<PbBallot>,
}

impl Instance {
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// A problem in a `.pb` file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct PbError {
    pub line: usize,
    pub problem: String,
}

fn fail<T>(line: usize, problem: impl Into<String>) -> Result<T, PbError> {
    Err(PbError { line, problem: problem.into() })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Meta,
    Projects,
    Votes,
}

/// Parses a `.pb` file.
pub fn parse(text: &str) -> Result<Instance, PbError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut section: Option<Section> = None;
    let mut header: Option<Vec<String>> = None;
    let mut meta: Vec<(String, String)> = Vec::new();
    let mut projects: Vec<PbProject> = Vec::new();
    let mut project_index: HashMap<String, usize> = HashMap::new();
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    let mut votes_header: Option<Vec<String>> = None;
    let mut seen = [false; 3];
    for (index, raw) in text.split('\n').enumerate() {
        let line = index + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.trim().is_empty() {
            continue;
        }
        let trimmed = raw.trim();
        let title = [("META", Section::Meta), ("PROJECTS", Section::Projects), ("VOTES", Section::Votes)]
            .into_iter()
            .find(|(name, _)| trimmed.eq_ignore_ascii_case(name))
            .map(|(_, section)| section);
        if let Some(next) = title {
            let slot = next as usize;
            if seen[slot] {
                return fail(line, format!("section {} appears twice", raw.trim()));
            }
            seen[slot] = true;
            section = Some(next);
            header = None;
            continue;
        }
        let Some(current) = section else {
            return fail(line, "expected a section title (META, PROJECTS or VOTES)");
        };
        let fields = split_row(raw).map_err(|problem| PbError { line, problem })?;
        let Some(columns) = &header else {
            header = Some(fields.iter().map(|f| f.to_ascii_lowercase()).collect());
            let columns = header.as_ref().expect("just set");
            let required: &[&str] = match current {
                Section::Meta => &["key", "value"],
                Section::Projects => &["project_id", "cost"],
                Section::Votes => &["voter_id", "vote"],
            };
            for name in required {
                if !columns.iter().any(|c| c == name) {
                    return fail(line, format!("the header has no `{name}` column"));
                }
            }
            continue;
        };
        if fields.len() != columns.len() {
            return fail(line, format!("{} fields where the header has {}", fields.len(), columns.len()));
        }
        match current {
            Section::Meta => {
                let (key, value) = (column(columns, &fields, "key"), column(columns, &fields, "value"));
                meta.push((key.to_owned(), value.to_owned()));
            }
            Section::Projects => {
                let id = column(columns, &fields, "project_id").to_owned();
                if id.is_empty() {
                    return fail(line, "a project without an id");
                }
                let cost =
                    number(column(columns, &fields, "cost")).filter(|c| !c.is_sign_negative()).ok_or_else(|| {
                        PbError {
                            line,
                            problem: format!("cost `{}` is not a number", column(columns, &fields, "cost")),
                        }
                    })?;
                if project_index.insert(id.clone(), projects.len()).is_some() {
                    return fail(line, format!("project `{id}` appears twice"));
                }
                let extra = others(columns, &fields, &["project_id", "cost"]);
                projects.push(PbProject { id, cost, extra });
            }
            Section::Votes => {
                if votes_header.is_none() {
                    votes_header = Some(columns.clone());
                }
                rows.push((line, fields));
            }
        }
    }
    for (slot, name) in ["META", "PROJECTS", "VOTES"].iter().enumerate() {
        if !seen[slot] {
            return fail(text.split('\n').count(), format!("the {name} section is missing"));
        }
    }
    let find = |key: &str| meta.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let budget = find("budget")
        .and_then(number)
        .ok_or_else(|| PbError { line: 0, problem: "META has no valid budget".into() })?;
    let vote_type = find("vote_type").and_then(VoteType::parse).ok_or_else(|| PbError {
        line: 0,
        problem: format!("unknown vote_type `{}`", find("vote_type").unwrap_or("")),
    })?;

    let mut ballots = Vec::with_capacity(rows.len());
    let columns = votes_header.unwrap_or_default();
    const KNOWN: [&str; 3] = ["voter_id", "vote", "points"];
    let vote_columns: Vec<String> = columns.iter().filter(|c| !KNOWN.contains(&c.as_str())).cloned().collect();
    for (line, fields) in rows {
        ballots.push(ballot(line, &columns, fields, vote_type, &project_index)?);
    }
    Ok(Instance { meta, budget, vote_type, projects, vote_columns, ballots })
}

fn ballot(
    line: usize,
    columns: &[String],
    fields: Vec<String>,
    vote_type: VoteType,
    projects: &HashMap<String, usize>,
) -> Result<PbBallot, PbError> {
    let voter_id = column(columns, &fields, "voter_id").to_owned();
    let ids: Vec<&str> = column(columns, &fields, "vote").split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    let points_text = columns.iter().any(|c| c == "points").then(|| column(columns, &fields, "points"));
    let points: Vec<Decimal> = match (vote_type.has_points(), points_text) {
        (false, _) => Vec::new(),
        (true, None) => return fail(line, "a points ballot needs a `points` column"),
        (true, Some(text)) => {
            let values: Option<Vec<Decimal>> =
                text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(number).collect();
            let values = values.ok_or_else(|| PbError { line, problem: format!("points `{text}` are not numbers") })?;
            if values.len() != ids.len() {
                return fail(line, format!("{} projects but {} points", ids.len(), values.len()));
            }
            values
        }
    };
    if let Some(unknown) = ids.iter().find(|id| !projects.contains_key(**id)) {
        return fail(line, format!("the ballot names unknown project `{unknown}`"));
    }
    if vote_type == VoteType::Choose1 && ids.len() > 1 {
        return fail(line, "a choose-1 ballot names more than one project");
    }
    // A repeated id counts once: at its first position, or with its last points value.
    let mut unique: Vec<&str> = Vec::with_capacity(ids.len());
    let mut unique_points: Vec<Decimal> = Vec::with_capacity(points.len());
    for (i, id) in ids.iter().enumerate() {
        match unique.iter().position(|u| u == id) {
            Some(at) if vote_type.has_points() => unique_points[at] = points[i],
            Some(_) => {}
            None => {
                unique.push(*id);
                if vote_type.has_points() {
                    unique_points.push(points[i]);
                }
            }
        }
    }
    let unique: Vec<String> = unique.into_iter().map(str::to_owned).collect();
    let extra = columns
        .iter()
        .zip(fields)
        .filter(|(c, _)| !["voter_id", "vote", "points"].contains(&c.as_str()))
        .map(|(_, f)| f)
        .collect();
    Ok(PbBallot { voter_id, projects: unique, points: unique_points, extra })
}

fn column<'a>(columns: &[String], fields: &'a [String], name: &str) -> &'a str {
    columns.iter().position(|c| c == name).map_or("", |i| fields[i].as_str())
}

fn others(columns: &[String], fields: &[String], skip: &[&str]) -> Vec<(String, String)> {
    columns
        .iter()
        .zip(fields)
        .filter(|(c, _)| !skip.contains(&c.as_str()))
        .map(|(c, f)| (c.clone(), f.clone()))
        .collect()
}

/// A decimal as Pabulib writes it; like the reference implementation, `,` reads as `.`.
fn number(text: &str) -> Option<Decimal> {
    let text = text.trim().replace(',', ".");
    Decimal::from_str(&text).ok().or_else(|| Decimal::from_scientific(&text).ok())
}

/// Splits one `;`-separated row with `"`-quoting (`""` is a quote); cells are trimmed and a
/// cell reading `None` is empty.
fn split_row(raw: &str) -> Result<Vec<String>, String> {
    let cell = |f: &str| if f.trim() == "None" { String::new() } else { f.trim().to_owned() };
    if !raw.contains('"') {
        return Ok(raw.split(';').map(cell).collect());
    }
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut chars = raw.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', false) if current.trim().is_empty() => {
                current.clear();
                quoted = true;
            }
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                current.push('"');
            }
            ('"', true) => quoted = false,
            (';', false) => fields.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    if quoted {
        return Err("a quoted field is not closed".into());
    }
    fields.push(current);
    Ok(fields.iter().map(|f| cell(f)).collect())
}

/// Writes an instance as a `.pb` file that [`parse`] reads back to the same instance: `\n`
/// line ends, fields quoted when they hold `;` or `"` (a line break inside a field becomes a
/// space, since a row is one line). Extra columns are written in the order they first appear.
pub fn write(instance: &Instance) -> String {
    let mut out = String::new();
    let mut row = |fields: &[&str]| {
        let cells: Vec<String> = fields.iter().map(|f| cell(f)).collect();
        out.push_str(&cells.join(";"));
        out.push('\n');
    };
    row(&["META"]);
    row(&["key", "value"]);
    for (key, value) in &instance.meta {
        row(&[key, value]);
    }
    let columns = |rows: &mut dyn Iterator<Item = &Vec<(String, String)>>| {
        let mut names: Vec<String> = Vec::new();
        for extra in rows {
            for (name, _) in extra {
                if !names.contains(name) {
                    names.push(name.clone());
                }
            }
        }
        names
    };
    let value_of = |extra: &[(String, String)], name: &str| {
        extra.iter().find(|(n, _)| n == name).map_or(String::new(), |(_, v)| v.clone())
    };
    row(&["PROJECTS"]);
    let project_columns = columns(&mut instance.projects.iter().map(|p| &p.extra));
    let mut header = vec!["project_id", "cost"];
    header.extend(project_columns.iter().map(String::as_str));
    row(&header);
    for project in &instance.projects {
        let cost = project.cost.to_string();
        let extra: Vec<String> = project_columns.iter().map(|c| value_of(&project.extra, c)).collect();
        let mut fields = vec![project.id.as_str(), cost.as_str()];
        fields.extend(extra.iter().map(String::as_str));
        row(&fields);
    }
    row(&["VOTES"]);
    let points = instance.vote_type.has_points();
    let mut header = vec!["voter_id", "vote"];
    if points {
        header.push("points");
    }
    header.extend(instance.vote_columns.iter().map(String::as_str));
    row(&header);
    for ballot in &instance.ballots {
        let vote = ballot.projects.join(",");
        let given = ballot.points.iter().map(Decimal::to_string).collect::<Vec<_>>().join(",");
        let extra: Vec<&str> =
            (0..instance.vote_columns.len()).map(|i| ballot.extra.get(i).map_or("", String::as_str)).collect();
        let mut fields = vec![ballot.voter_id.as_str(), vote.as_str()];
        if points {
            fields.push(given.as_str());
        }
        fields.extend(extra);
        row(&fields);
    }
    out
}

/// One field, quoted when it must be.
fn cell(field: &str) -> String {
    let field = field.replace(['\r', '\n'], " ");
    if field.contains([';', '"']) { format!("\"{}\"", field.replace('"', "\"\"")) } else { field }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "META\r\nkey;value\r\nbudget;300\r\nvote_type;cumulative\r\nnum_projects;3\r\nPROJECTS\r\nproject_id;cost;name\r\n9;100;\"Park; \"\"green\"\"\"\r\n10;1,5;None\r\nA;200;x\r\nVOTES\r\nvoter_id;vote;points;age\r\n1;9,10,9;2,1,3;40\r\n2;;;\r\n";

    #[test]
    fn reads_sections_quotes_decimals_and_repeats() {
        let instance = parse(SMALL).unwrap();
        assert_eq!(instance.budget, Decimal::from(300));
        assert_eq!(instance.vote_type, VoteType::Cumulative);
        assert_eq!(instance.projects[0].extra, [("name".to_owned(), "Park; \"green\"".to_owned())]);
        assert_eq!(instance.projects[1].cost, Decimal::new(15, 1));
        assert_eq!(instance.projects[1].extra[0].1, "");
        let first = &instance.ballots[0];
        assert_eq!(first.projects, ["9", "10"]);
        assert_eq!(first.points, [Decimal::from(3), Decimal::from(1)], "the last points of a repeated id win");
        assert_eq!(
            (instance.vote_columns.as_slice(), first.extra.as_slice()),
            (["age".to_owned()].as_slice(), ["40".to_owned()].as_slice())
        );
        assert!(instance.ballots[1].projects.is_empty(), "empty ballots are kept");
    }

    #[test]
    fn what_is_written_reads_back_the_same() {
        let mut instance = parse(SMALL).unwrap();
        instance.projects[2].extra[0].1 = "two\nlines; \"quoted\"".into();
        let written = write(&instance);
        assert!(written.contains("A;200;\"two lines; \"\"quoted\"\"\"\n"), "{written}");
        let mut expected = instance.clone();
        expected.projects[2].extra[0].1 = "two lines; \"quoted\"".into();
        assert_eq!(parse(&written).unwrap(), expected);
    }

    #[test]
    fn problems_are_reported_with_their_line() {
        let unknown = SMALL.replace("1;9,10,9;2,1,3;40", "1;9,11;2,1;40");
        assert_eq!(parse(&unknown).unwrap_err().to_string(), "line 13: the ballot names unknown project `11`");
        let bad_cost = SMALL.replace("A;200;x", "A;lots;x");
        assert_eq!(parse(&bad_cost).unwrap_err().to_string(), "line 10: cost `lots` is not a number");
        let short = SMALL.replace("A;200;x", "A;200");
        assert_eq!(parse(&short).unwrap_err().to_string(), "line 10: 2 fields where the header has 3");
        let no_votes = &SMALL[..SMALL.find("VOTES").unwrap()];
        assert!(parse(no_votes).unwrap_err().to_string().contains("the VOTES section is missing"));
        let points = SMALL.replace("2,1,3;40", "2,1;40");
        assert_eq!(parse(&points).unwrap_err().to_string(), "line 13: 3 projects but 2 points");
        assert!(parse("\"open;x\n").is_err());
    }
}
