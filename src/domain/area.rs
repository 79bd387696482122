//! Areas: the parts the PB pot is split into, one per dong plus an optional district-wide one.

use super::money::Won;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaKind {
    Dong,
    District,
}

impl AreaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AreaKind::Dong => "dong",
            AreaKind::District => "district",
        }
    }

    pub fn parse(s: &str) -> Option<AreaKind> {
        match s {
            "dong" => Some(AreaKind::Dong),
            "district" => Some(AreaKind::District),
            _ => None,
        }
    }
}

/// One area of the PB pot, with its names in Korean and English and its own amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    /// Short ASCII key used in the database and in button payloads (`sinchon`, `district`).
    pub key: String,
    pub kind: AreaKind,
    pub name_ko: String,
    pub name_en: String,
    pub pot: Won,
}

impl Area {
    /// Whether `typed` names this area: its key, Korean or English name, with or without
    /// `동` / `-dong`, spaces and case ignored (`신촌`, `신촌동`, `Sinchon-dong`, `sinchon`).
    pub fn is_named(&self, typed: &str) -> bool {
        let wanted = normalise_name(typed);
        !wanted.is_empty()
            && [&self.key, &self.name_ko, &self.name_en].iter().any(|name| normalise_name(name) == wanted)
    }
}

/// The area `typed` names, among `areas`.
pub fn find_area<'a>(areas: &'a [Area], typed: &str) -> Option<&'a Area> {
    areas.iter().find(|a| a.is_named(typed))
}

/// Looks areas up by any of their names, normalised once (for files with many lines).
pub struct AreaNames<'a>(std::collections::HashMap<String, &'a Area>);

impl<'a> AreaNames<'a> {
    pub fn new(areas: impl IntoIterator<Item = &'a Area>) -> AreaNames<'a> {
        let mut names = std::collections::HashMap::new();
        for area in areas {
            for name in [&area.key, &area.name_ko, &area.name_en] {
                names.entry(normalise_name(name)).or_insert(area);
            }
        }
        AreaNames(names)
    }

    pub fn find(&self, typed: &str) -> Option<&'a Area> {
        self.0.get(&normalise_name(typed)).copied()
    }
}

fn normalise_name(s: &str) -> String {
    let s: String = s.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_lowercase();
    s.strip_suffix("dong").or_else(|| s.strip_suffix('동')).map(str::to_owned).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_are_found_by_any_of_their_names() {
        let hongje = Area {
            key: "hongje1".into(),
            kind: AreaKind::Dong,
            name_ko: "홍제1동".into(),
            name_en: "Hongje 1-dong".into(),
            pot: Won::ZERO,
        };
        for typed in ["홍제1동", "홍제1", " 홍제 1동", "Hongje 1-dong", "hongje1", "HONGJE 1"] {
            assert!(hongje.is_named(typed), "{typed}");
        }
        for typed in ["홍제2동", "", "동", "hongje"] {
            assert!(!hongje.is_named(typed), "{typed}");
        }
    }
}
