//! Which findings `check` reports (and fixes), in ruff's and golangci-lint's conventions:
//! `--select RS1,RS3004` keeps the rules whose ID starts with one of the prefixes (`ALL` for every
//! rule), `--ignore RS8` drops them again, `--min-severity warning` drops what is below.

use crate::analysis::findings::Severity;

#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub min_severity: Option<Severity>,
}

/// Prefixes from comma- or space-separated arguments, upper-cased (`rs1` is `RS1`).
pub fn prefixes(args: &[String]) -> Vec<String> {
    args.iter()
        .flat_map(|a| a.split([',', ' ']))
        .map(|p| p.trim().to_ascii_uppercase())
        .filter(|p| !p.is_empty())
        .collect()
}

/// A prefix that names no rule of the catalog (a typo would otherwise silently select nothing).
pub fn unknown_prefix(list: &[String]) -> Option<&str> {
    list.iter()
        .find(|p| {
            p.as_str() != "ALL"
                && !crate::analysis::rules::catalog::RULES
                    .iter()
                    .any(|r| r.id.starts_with(p.as_str()))
        })
        .map(String::as_str)
}

fn matches(list: &[String], code: &str) -> bool {
    list.iter()
        .any(|p| p == "ALL" || code.starts_with(p.as_str()))
}

impl Filter {
    pub fn keeps(&self, code: &str, severity: Severity) -> bool {
        (self.select.is_empty() || matches(&self.select, code))
            && !matches(&self.ignore, code)
            && self.min_severity.is_none_or(|m| severity >= m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_select_and_ignore() {
        let f = Filter {
            select: prefixes(&["rs1,RS3004".into()]),
            ignore: prefixes(&["RS100".into()]),
            min_severity: Some(Severity::Warning),
        };
        assert!(f.keeps("RS1010", Severity::Warning));
        assert!(f.keeps("RS3004", Severity::Error));
        assert!(!f.keeps("RS1001", Severity::Error), "ignored by prefix");
        assert!(!f.keeps("RS3005", Severity::Error), "not selected");
        assert!(!f.keeps("RS1010", Severity::Info), "below the minimum");
        assert_eq!(unknown_prefix(&prefixes(&["RS1,RSX".into()])), Some("RSX"));
        assert_eq!(unknown_prefix(&prefixes(&["ALL".into()])), None);
    }
}
