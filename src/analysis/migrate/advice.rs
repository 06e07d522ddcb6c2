//! Other rules' messages and fixes in the API of the version the module pins: the same advice is
//! spelled differently on 0.x (before v0.25.0) and on 1.x.

use crate::analysis::gomod::GoMod;
use crate::analysis::migrate::old_api;

/// How to read an error's code: `restate.ErrorCode(err)` on 0.x, `AsTerminalError` on 1.x.
pub fn read_code(gomod: Option<&GoMod>, p: &str) -> String {
    if old_api(gomod) {
        format!("{p}ErrorCode(err)")
    } else {
        format!("{p}AsTerminalError(err).Code()")
    }
}

/// A terminal error with a code around the expression `err`.
pub fn terminal_with_code(gomod: Option<&GoMod>, p: &str, err: &str, code: &str) -> String {
    if old_api(gomod) {
        format!("{p}TerminalError({err}, {code})")
    } else {
        format!("{p}ToTerminalError({err}, {p}WithErrorCode({code}))")
    }
}

/// RS4002 on `restate.TerminalErrorf` with `%w`.
pub fn terminalf_wrap(gomod: Option<&GoMod>) -> &'static str {
    if old_api(gomod) {
        "restate.TerminalErrorf wraps with `%w` on sdk-go 0.x, but only the message and code survive the journal (a replay or another handler sees no cause), and 1.0's TerminalErrorf does not wrap at all; use `%v`"
    } else {
        "restate.TerminalErrorf does not wrap: `%w` prints `%!w(...)` and errors.Is/As cannot reach the cause; use `%v`"
    }
}

/// Methods of the generator `restate.Rand(ctx)` returns: 0.x's custom interface has only these
/// of math/rand/v2's (1.x returns the standard `*rand.Rand`).
pub fn rand_has_method(gomod: Option<&GoMod>, method: &str) -> bool {
    !old_api(gomod) || matches!(method, "Float64" | "Uint64")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::gomod::parse;

    #[test]
    fn spelled_for_the_pinned_version() {
        let old = parse("module m\nrequire github.com/restatedev/sdk-go v0.24.0\n");
        let new = parse("module m\nrequire github.com/restatedev/sdk-go v1.0.2\n");
        assert_eq!(read_code(Some(&old), "restate."), "restate.ErrorCode(err)");
        assert_eq!(
            read_code(Some(&new), "restate."),
            "restate.AsTerminalError(err).Code()"
        );
        assert_eq!(read_code(None, ""), "AsTerminalError(err).Code()");
        assert_eq!(
            terminal_with_code(Some(&old), "restate.", "e", "400"),
            "restate.TerminalError(e, 400)"
        );
        assert!(!rand_has_method(Some(&old), "IntN"));
        assert!(rand_has_method(Some(&new), "IntN"));
    }
}
