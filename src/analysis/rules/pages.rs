//! The rule pages (docs/rules/RSxxxx.md), embedded: `explain` prints them and the hover over a
//! diagnostic shows their first paragraph.

macro_rules! pages {
    ($($id:literal),* $(,)?) => {
        /// (rule ID, page text) for every rule of the catalog.
        pub const PAGES: &[(&str, &str)] = &[
            $(($id, include_str!(concat!("../../../docs/rules/", $id, ".md"))),)*
        ];
    };
}

pages!(
    "RS0001", "RS0002", "RS1001", "RS1002", "RS1003", "RS1004", "RS1005", "RS1006", "RS1007",
    "RS1008", "RS1009", "RS1010", "RS2001", "RS2002", "RS3001", "RS3002", "RS3003", "RS3004",
    "RS3005", "RS3006", "RS3007", "RS4001", "RS4002", "RS5001", "RS5002", "RS5003", "RS5004",
    "RS5005", "RS5006", "RS5007", "RS5008", "RS6001", "RS7001", "RS7002", "RS7003", "RS8001",
    "RS8002", "RS8003", "RS9001", "RS9002",
);

pub fn page(id: &str) -> Option<&'static str> {
    PAGES
        .iter()
        .find(|(i, _)| i.eq_ignore_ascii_case(id))
        .map(|(_, p)| *p)
}

/// The first paragraph after the title: the rule's one-paragraph summary.
pub fn first_paragraph(id: &str) -> Option<String> {
    let page = page(id)?;
    let mut lines = page
        .lines()
        .skip_while(|l| l.starts_with('#') || l.trim().is_empty());
    let mut para = vec![];
    for l in lines.by_ref() {
        if l.trim().is_empty() {
            break;
        }
        para.push(l.trim());
    }
    (!para.is_empty()).then(|| para.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::catalog::RULES;

    #[test]
    fn every_rule_has_a_page_with_its_title_and_summary() {
        assert_eq!(PAGES.len(), RULES.len());
        for r in RULES {
            let p = page(r.id).unwrap_or_else(|| panic!("no page for {}", r.id));
            let title = format!("# {} {}", r.id, r.name);
            assert!(
                p.starts_with(&title),
                "{} page must start with `{title}`",
                r.id
            );
            let para = first_paragraph(r.id).unwrap_or_default();
            assert!(para.len() > 40, "{} needs a real first paragraph", r.id);
            for section in [
                "## Why this matters under Restate",
                "## Example",
                "## Fix",
                "## Suppression",
            ] {
                assert!(p.contains(section), "{} page lacks `{section}`", r.id);
            }
        }
    }
}
