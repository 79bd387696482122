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
