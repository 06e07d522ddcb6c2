//! The versions a migration moves to, and the import paths whose module changed. Facts from the
//! sdk-go repository's tags: v1.0.2 is the release documented in shared/reference/restate-go-api.json;
//! `x/mocks` and `x/protoc-gen-go-restate` were tagged v0.26.0 together with v1.0.0 (and require
//! it); `testing` became a module of its own, tagged `testing/v1.0.0`; v1.0.x's go.mod says
//! `go 1.25.0`.

use crate::analysis::gomod::Version;
use crate::analysis::restate_api::SDK_PATH;

/// The sdk-go release a migration requires.
pub const SDK_VERSION: &str = "v1.0.2";

/// The first release with the 1.0 API.
pub const FIRST_NEW_API: Version = Version(0, 25, 0);

/// The `go` directive of sdk-go v1.0.x: a module requiring it must say at least this (as
/// `go get` would write).
pub const GO_VERSION: &str = "1.25.0";

pub const ENCODING_PATH: &str = "github.com/restatedev/sdk-go/encoding";
pub const OLD_MOCKS_PATH: &str = "github.com/restatedev/sdk-go/mocks";
pub const MOCKS_PATH: &str = "github.com/restatedev/sdk-go/x/mocks";

/// Import paths that moved, as (old path or prefix, new path or prefix). A prefix entry also
/// covers the packages below it.
pub const MOVED_IMPORTS: &[(&str, &str)] = &[
    (OLD_MOCKS_PATH, MOCKS_PATH),
    (
        "github.com/restatedev/sdk-go/rcontext",
        "github.com/restatedev/sdk-go/logging",
    ),
    (
        "github.com/restatedev/sdk-go/protoc-gen-go-restate",
        "github.com/restatedev/sdk-go/x/protoc-gen-go-restate",
    ),
    // The proto contract (`dev/restate/sdk/go.proto` options) that generated `.pb.go` files import.
    (
        "github.com/restatedev/sdk-go/generated/dev/restate/sdk",
        "github.com/restatedev/sdk-go/x/protoc-gen-go-restate/generated/dev/restate/sdk",
    ),
];

/// The new path of an import that moved, if it did.
pub fn moved(path: &str) -> Option<String> {
    MOVED_IMPORTS.iter().find_map(|(old, new)| {
        let rest = path.strip_prefix(old)?;
        (rest.is_empty() || rest.starts_with('/')).then(|| format!("{new}{rest}"))
    })
}

/// Packages of sdk-go that are modules of their own since 1.0: (module path, version). A module
/// importing one needs its own require line.
pub const SPLIT_MODULES: &[(&str, &str)] = &[
    (MOCKS_PATH, "v0.26.0"),
    (
        "github.com/restatedev/sdk-go/x/protoc-gen-go-restate",
        "v0.26.0",
    ),
    ("github.com/restatedev/sdk-go/testing", "v1.0.0"),
];

/// The module (of `SPLIT_MODULES`) an import path belongs to.
pub fn split_module(import: &str) -> Option<(&'static str, &'static str)> {
    SPLIT_MODULES.iter().copied().find(|(m, _)| {
        import
            .strip_prefix(m)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// Whether an import path is sdk-go or one of its packages.
pub fn is_sdk_import(path: &str) -> bool {
    path.strip_prefix(SDK_PATH)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moved_paths_and_split_modules() {
        assert_eq!(
            moved("github.com/restatedev/sdk-go/mocks").as_deref(),
            Some(MOCKS_PATH)
        );
        assert_eq!(moved("github.com/restatedev/sdk-go/mockster"), None);
        assert_eq!(
            moved("github.com/restatedev/sdk-go/generated/dev/restate/sdk").as_deref(),
            Some("github.com/restatedev/sdk-go/x/protoc-gen-go-restate/generated/dev/restate/sdk")
        );
        assert_eq!(split_module(MOCKS_PATH), Some((MOCKS_PATH, "v0.26.0")));
        assert_eq!(
            split_module("github.com/restatedev/sdk-go/testing").map(|m| m.1),
            Some("v1.0.0")
        );
        assert_eq!(split_module("github.com/restatedev/sdk-go/ingress"), None);
        assert!(is_sdk_import("github.com/restatedev/sdk-go"));
        assert!(!is_sdk_import("github.com/restatedev/sdk-gox"));
    }
}
