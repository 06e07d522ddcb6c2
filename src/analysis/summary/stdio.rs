//! Which calls into the standard library are I/O, for deciding whether a dependency's function
//! reaches I/O. The rules' catalog (`effects`) answers first; this adds what a library's insides
//! use and handler code rarely calls directly (connections, files read through `*os.File`,
//! `syscall`, transports).

use crate::analysis::effects::{self, Catalog, Effect};

/// A standard-library package function that does I/O, by import path and name.
pub fn function(path: &str, name: &str) -> bool {
    if effects::package_function(path, name) == Some(Effect::SideEffect) {
        return true;
    }
    match path {
        "syscall" | "golang.org/x/sys/unix" => crate::analysis::go::is_exported(name),
        "net" => name.starts_with("Listen") || name.starts_with("Lookup"),
        "net/http" => matches!(name, "ListenAndServe" | "ListenAndServeTLS" | "Serve"),
        "net/smtp" => matches!(name, "SendMail" | "Dial"),
        "crypto/tls" => matches!(name, "Dial" | "DialWithDialer" | "Listen"),
        "os" => matches!(
            name,
            "Stat" | "Lstat" | "Chdir" | "Chtimes" | "Lchown" | "ReadLink" | "DirFS"
        ),
        "os/exec" => name == "LookPath",
        "io/ioutil" => matches!(
            name,
            "ReadFile" | "WriteFile" | "ReadDir" | "TempFile" | "TempDir"
        ),
        _ => false,
    }
}

/// A method of a standard-library type that does I/O; `ty` is normalised (`*net/http.Client`).
pub fn method(ty: &str, name: &str) -> bool {
    if effects::method_effect(ty, name, &Catalog::default()) == Some(Effect::SideEffect) {
        return true;
    }
    let bare = ty.trim_start_matches('*');
    let rw = matches!(
        name,
        "Read" | "Write" | "ReadFrom" | "WriteTo" | "WriteString" | "Close"
    );
    match bare {
        "os.File" => {
            rw || matches!(
                name,
                "ReadAt"
                    | "WriteAt"
                    | "Seek"
                    | "Sync"
                    | "ReadDir"
                    | "Readdir"
                    | "Readdirnames"
                    | "Truncate"
                    | "Chmod"
                    | "Stat"
            )
        }
        "net.Conn" | "net.TCPConn" | "net.UDPConn" | "net.UnixConn" | "net.IPConn"
        | "net.PacketConn" | "crypto/tls.Conn" => {
            rw || matches!(
                name,
                "ReadFromUDP" | "WriteToUDP" | "Handshake" | "HandshakeContext"
            )
        }
        "net.Listener" | "net.TCPListener" | "net.UnixListener" => {
            matches!(name, "Accept" | "AcceptTCP")
        }
        "net.Dialer" => matches!(name, "Dial" | "DialContext"),
        "net.Resolver" => name.starts_with("Lookup"),
        "net/http.Transport" | "net/http.RoundTripper" => name == "RoundTrip",
        "net/http.Server" => matches!(name, "ListenAndServe" | "ListenAndServeTLS" | "Serve"),
        "net/smtp.Client" => crate::analysis::go::is_exported(name),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_and_the_additions() {
        assert!(function("net/http", "Get"));
        assert!(function("os", "ReadFile"));
        assert!(function("syscall", "Open"));
        assert!(!function("os", "Getenv"));
        assert!(!function("net/http", "NewRequest"));
        assert!(method("*net/http.Client", "Do"));
        assert!(method("*database/sql.DB", "QueryContext"));
        assert!(method("net.Conn", "Write"));
        assert!(method("*os.File", "Read"));
        assert!(!method("*strings.Builder", "Write"));
    }
}
