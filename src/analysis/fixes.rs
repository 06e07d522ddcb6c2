//! Building blocks for fixes: edits as byte ranges plus text, kept gofmt-shaped (tabs, the
//! enclosing indentation, imports in sorted position within their group).

use tree_sitter::Tree;

use crate::analysis::findings::Edit;
use crate::analysis::go::{self, field, named_children, string_value};
use crate::analysis::model::FileModel;

/// An edit adding `import "path"` unless the file already imports it.
pub fn add_import(src: &str, tree: &Tree, model: &FileModel, path: &str) -> Option<Edit> {
    if model.imports.iter().any(|i| i.path == path) {
        return None;
    }
    let root = tree.root_node();
    let decls: Vec<_> = named_children(root)
        .into_iter()
        .filter(|n| n.kind() == "import_declaration")
        .collect();
    let quoted = format!("\"{path}\"");
    if let Some(list) = decls
        .iter()
        .flat_map(|d| named_children(*d))
        .find(|c| c.kind() == "import_spec_list")
    {
        // Insert into the first group (consecutive lines) at its sorted position.
        let specs: Vec<_> = named_children(list)
            .into_iter()
            .filter(|s| s.kind() == "import_spec")
            .collect();
        let first_group_end = specs
            .windows(2)
            .position(|w| {
                src.get(w[0].end_byte()..w[1].start_byte())
                    .is_some_and(|gap| gap.matches('\n').count() > 1)
            })
            .map(|i| i + 1)
            .unwrap_or(specs.len());
        let group = &specs[..first_group_end];
        let std_group = group.iter().all(|s| {
            field(*s, "path")
                .and_then(|p| string_value(p, src))
                .is_some_and(|p| !p.split('/').next().unwrap_or("").contains('.'))
        });
        let is_std = !path.split('/').next().unwrap_or("").contains('.');
        if std_group == is_std || group.is_empty() {
            let before = group.iter().find(|s| {
                field(**s, "path")
                    .and_then(|p| string_value(p, src))
                    .is_some_and(|p| p.as_str() > path)
            });
            let indent = group
                .first()
                .map(|s| go::line_indent(src, s.start_byte()).to_string())
                .unwrap_or_else(|| "\t".into());
            return Some(match before {
                Some(b) => Edit::insert(
                    go::line_start(src, b.start_byte()),
                    format!("{indent}{quoted}\n"),
                ),
                None => {
                    let last = group
                        .last()
                        .map(|s| s.end_byte())
                        .unwrap_or(list.start_byte() + 1);
                    let eol = src[last..].find('\n').map(|i| last + i + 1).unwrap_or(last);
                    Edit::insert(eol, format!("{indent}{quoted}\n"))
                }
            });
        }
        // A third-party import into a block that starts with the standard library: new group at the end.
        let close = list.end_byte().saturating_sub(1);
        return Some(Edit::insert(
            go::line_start(src, close),
            format!("\n\t{quoted}\n"),
        ));
    }
    if let Some(last) = decls.last() {
        return Some(Edit::insert(last.end_byte(), format!("\nimport {quoted}")));
    }
    let pkg = named_children(root)
        .into_iter()
        .find(|n| n.kind() == "package_clause")?;
    Some(Edit::insert(pkg.end_byte(), format!("\n\nimport {quoted}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::findings::apply_edits;
    use crate::analysis::go::parse_str;
    use crate::analysis::model::extract;

    fn with_import(src: &str, path: &str) -> String {
        let tree = parse_str(src);
        let m = extract(src, &tree);
        match add_import(src, &tree, &m, path) {
            Some(e) => apply_edits(src, &[e]).unwrap_or_default(),
            None => src.to_string(),
        }
    }

    #[test]
    fn imports_land_in_sorted_position() {
        let src = "package p\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\n\trestate \"github.com/restatedev/sdk-go\"\n)\n";
        assert_eq!(
            with_import(src, "time"),
            "package p\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"time\"\n\n\trestate \"github.com/restatedev/sdk-go\"\n)\n"
        );
        assert_eq!(
            with_import(src, "maps"),
            "package p\n\nimport (\n\t\"fmt\"\n\t\"maps\"\n\t\"os\"\n\n\trestate \"github.com/restatedev/sdk-go\"\n)\n"
        );
        assert_eq!(with_import(src, "fmt"), src);
        let single = "package p\n\nimport \"fmt\"\n";
        assert_eq!(
            with_import(single, "time"),
            "package p\n\nimport \"fmt\"\nimport \"time\"\n"
        );
        let none = "package p\n\nfunc f() {}\n";
        assert_eq!(
            with_import(none, "time"),
            "package p\n\nimport \"time\"\n\nfunc f() {}\n"
        );
    }
}
