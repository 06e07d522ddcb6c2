//! How rewrites are quoted in messages: whole, never cut off. An argument too long for a one-line
//! message (or written over several lines) is shown by the name of its parameter (`<err>`), so the
//! part of the replacement that matters, the new function and its options, is always visible.

use tree_sitter::Node;

use crate::analysis::go::text;

/// Arguments up to this many characters are quoted as written.
const MAX_ARG: usize = 24;

/// An argument as it appears in a message: its text, or `<placeholder>`.
pub(crate) fn arg(node: Node<'_>, src: &str, placeholder: &str) -> String {
    arg_text(text(node, src), placeholder)
}

pub(crate) fn arg_text(t: &str, placeholder: &str) -> String {
    if t.contains('\n') || t.chars().count() > MAX_ARG {
        format!("<{placeholder}>")
    } else {
        t.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_or_multi_line_arguments_become_placeholders() {
        assert_eq!(arg_text("err", "err"), "err");
        assert_eq!(arg_text("409", "code"), "409");
        assert_eq!(
            arg_text("fmt.Errorf(\"order %s is gone\", id)", "err"),
            "<err>"
        );
        assert_eq!(arg_text("errors.New(\n\t\"x\")", "err"), "<err>");
    }
}
