//! The table of library result types (stdlib.toml), parsed once.

use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("stdlib.toml");

#[derive(serde::Deserialize)]
struct File {
    functions: HashMap<String, Vec<String>>,
}

fn table() -> &'static HashMap<String, Vec<String>> {
    static T: OnceLock<HashMap<String, Vec<String>>> = OnceLock::new();
    // The table is compiled in and covered by a test, so a parse error cannot reach users; an empty
    // table would only make every type unknown.
    T.get_or_init(|| {
        toml::from_str::<File>(TABLE)
            .map(|f| f.functions)
            .unwrap_or_default()
    })
}

/// Results of `path.Func`.
pub fn function(path: &str, name: &str) -> Option<&'static [String]> {
    table().get(&format!("{path}.{name}")).map(Vec::as_slice)
}

/// Results of a method on a receiver type written with its import path (`*net/http.Client`). A
/// pointer receiver's methods are also found from the value type and the other way round, as Go
/// allows on addressable values.
pub fn method(recv: &str, name: &str) -> Option<&'static [String]> {
    let base = recv.trim_start_matches('*');
    [format!("(*{base}).{name}"), format!("({base}).{name}")]
        .iter()
        .find_map(|k| table().get(k))
        .map(Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_answers() {
        assert!(table().len() > 100, "{}", table().len());
        assert_eq!(
            function("net/http", "Get").map(<[String]>::to_vec),
            Some(vec!["*net/http.Response".to_string(), "error".to_string()])
        );
        assert_eq!(
            method("net/http.Client", "Do").map(<[String]>::len),
            Some(2)
        );
        assert_eq!(
            method("*database/sql.DB", "Ping").map(<[String]>::len),
            Some(1)
        );
        assert!(function("net/http", "Serve").is_none());
        // Every type is written with import paths (no bare package names like `http.`).
        for (k, v) in table() {
            for t in v {
                for short in ["http.", "sql.", "json.", "exec."] {
                    assert!(
                        !t.trim_start_matches(['*', '[', ']']).starts_with(short),
                        "{k}: {t}"
                    );
                }
            }
        }
    }
}
