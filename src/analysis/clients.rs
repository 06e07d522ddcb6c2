//! The curated table of client packages that do I/O without taking a context (`clients.toml`),
//! matched against import paths and receiver types.

use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
struct Table {
    #[serde(default)]
    package: Vec<Entry>,
}

#[derive(Debug, Default, Deserialize)]
struct Entry {
    path: String,
    #[serde(default)]
    functions: Vec<String>,
    #[serde(default)]
    types: Vec<String>,
    #[serde(default)]
    except: Vec<String>,
    #[serde(default)]
    except_suffix: Vec<String>,
}

fn table() -> &'static Table {
    static T: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
    // The table is compiled in; a unit test parses it, so a broken entry fails the build's tests.
    T.get_or_init(|| toml::from_str(include_str!("clients.toml")).unwrap_or_default())
}

/// `github.com/stripe/stripe-go/v*/*` against `github.com/stripe/stripe-go/v82/customer`.
fn path_matches(pattern: &str, path: &str) -> bool {
    let (p, q): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    p.len() == q.len()
        && p.iter().zip(&q).all(|(a, b)| match *a {
            "*" => true,
            "v*" => b.len() > 1 && b.starts_with('v') && b[1..].chars().all(|c| c.is_ascii_digit()),
            _ => a == b,
        })
}

/// Whether package function `path.name` does I/O.
pub fn function_does_io(path: &str, name: &str) -> bool {
    table().package.iter().any(|e| {
        path_matches(&e.path, path)
            && e.functions
                .iter()
                .any(|f| f == name || (f == "*" && crate::analysis::go::is_exported(name)))
    })
}

/// Whether method `name` on a value of the normalised type `ty` (`*net/smtp.Client`) does I/O.
pub fn method_does_io(ty: &str, name: &str) -> bool {
    let bare = ty.trim_start_matches('*');
    let Some((path, tname)) = bare.rsplit_once('.') else {
        return false;
    };
    table().package.iter().any(|e| {
        path_matches(&e.path, path)
            && e.types.iter().any(|t| t == tname || t == "*")
            && crate::analysis::go::is_exported(name)
            && !e.except.iter().any(|x| x == name)
            && !e.except_suffix.iter().any(|s| name.ends_with(s.as_str()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_matches_versions_and_wildcards() {
        let raw: Table = toml::from_str(include_str!("clients.toml")).expect("clients.toml");
        assert!(raw.package.len() >= 8);
        assert!(function_does_io(
            "github.com/stripe/stripe-go/v82/customer",
            "New"
        ));
        assert!(function_does_io(
            "github.com/stripe/stripe-go/v76/paymentintent",
            "Confirm"
        ));
        assert!(!function_does_io(
            "github.com/stripe/stripe-go/v82/customer",
            "Params"
        ));
        assert!(method_does_io(
            "*github.com/aws/aws-sdk-go/service/s3.S3",
            "PutObject"
        ));
        assert!(!method_does_io(
            "*github.com/aws/aws-sdk-go/service/s3.S3",
            "PutObjectRequest"
        ));
        assert!(method_does_io("*gorm.io/gorm.DB", "Create"));
        assert!(!method_does_io("*gorm.io/gorm.DB", "Where"));
        assert!(
            !method_does_io("*net/http.Client", "Do"),
            "net/http is in effects.rs"
        );
    }
}
