//! Dependency summaries from a module cache: the fixture workspace `tests/fixtures/workspaces/deps`
//! imports stand-ins for eight widely used clients from the fake module cache
//! `tests/fixtures/modcache` (a GOPATH), and what handler code calls on them must be known: which
//! calls take the handler context, which reach I/O of the standard library, and their result types.

use std::path::{Path, PathBuf};

use restate_lsp::analysis::gomod;
use restate_lsp::analysis::model;
use restate_lsp::analysis::summary::DepIndex;
use restate_lsp::analysis::workspace::Workspace;
use restate_lsp::deps::cache::DiskCache;
use restate_lsp::deps::{self, Options, locate};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn modcache() -> PathBuf {
    let env = locate::Env {
        gopath: Some(fixtures().join("modcache").into_os_string()),
        home: Some(PathBuf::from("/nonexistent")),
        ..Default::default()
    };
    locate::module_cache(&env).expect("GOPATH gives the module cache")
}

fn workspace() -> Workspace {
    let root = fixtures().join("workspaces/deps");
    let found = restate_lsp::scan::scan(std::slice::from_ref(&root));
    let mut ws = Workspace::new();
    for m in &found.go_mods {
        let text = std::fs::read_to_string(m).expect("go.mod");
        ws.set_gomod(m.parent().expect("dir").to_path_buf(), gomod::parse(&text));
    }
    for f in &found.go_files {
        let src = std::fs::read_to_string(f).expect("source");
        let tree = restate_lsp::analysis::go::parse_str(&src);
        ws.upsert(f.clone(), model::extract(&src, &tree), 1);
    }
    ws
}

fn temp_cache(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("restate-lsp-deps-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn options(cache: &Path) -> Options {
    Options {
        modcache: Some(modcache()),
        cache: Some(DiskCache::new(cache.to_path_buf())),
        write_cache: true,
        threads: 2,
    }
}

const PGXPOOL: &str = "github.com/jackc/pgx/v5/pgxpool";
const S3: &str = "github.com/aws/aws-sdk-go-v2/service/s3";
const OPENAI: &str = "github.com/openai/openai-go";
const ANTHROPIC: &str = "github.com/anthropics/anthropic-sdk-go";
const REDIS: &str = "github.com/redis/go-redis/v9";
const KAFKA: &str = "github.com/segmentio/kafka-go";
const STRIPE: &str = "github.com/stripe/stripe-go/v82";
const GRPC: &str = "google.golang.org/grpc";

/// What each client call of the fixture's handler resolves to.
fn check_clients(index: &DepIndex) {
    // pgx: methods of *pgxpool.Pool take the context and reach the network through pgconn.
    let pool = format!("*{PGXPOOL}.Pool");
    for m in ["Exec", "Query", "QueryRow", "Begin", "Ping"] {
        let f = index.method(&pool, m).unwrap_or_else(|| panic!("Pool.{m}"));
        assert_eq!(f.ctx, Some(0), "Pool.{m} takes a context first");
    }
    let exec = index.method(&pool, "Exec").expect("Exec");
    assert_eq!(
        &*exec.results,
        &[
            "github.com/jackc/pgx/v5/pgconn.CommandTag".into(),
            "error".into()
        ]
    );
    assert!(
        exec.io
            .as_deref()
            .is_some_and(|io| io.ends_with("net.Dialer).DialContext")),
        "{:?}",
        exec.io
    );
    let row = &index.method(&pool, "QueryRow").expect("QueryRow").results[0];
    assert_eq!(&**row, "github.com/jackc/pgx/v5.Row");
    // The result's package is summarised too (it is named by a signature).
    assert!(
        index
            .method(row, "Scan")
            .is_some_and(|s| s.params.first().map(|p| &**p) == Some("...any"))
    );
    assert!(
        index
            .function(PGXPOOL, "New")
            .is_some_and(|f| f.ctx == Some(0))
    );

    // S3: PutObject(ctx, *PutObjectInput, ...func(*Options)).
    let put = index
        .method(&format!("*{S3}.Client"), "PutObject")
        .expect("PutObject");
    assert_eq!(put.ctx, Some(0));
    assert_eq!(
        &*put.params,
        &[
            "context.Context".into(),
            format!("*{S3}.PutObjectInput").into(),
            format!("...func(*{S3}.Options)").into()
        ]
    );
    assert_eq!(&*put.results[0], format!("*{S3}.PutObjectOutput"));
    assert!(
        index
            .function(S3, "NewFromConfig")
            .is_some_and(|f| f.ctx.is_none())
    );
    assert!(index.function(S3, "WindowsOnly").is_none() || cfg!(windows));

    // OpenAI: client.Chat.Completions.New through struct fields; I/O in another package.
    let chat = index
        .field_type(&format!("{OPENAI}.Client"), "Chat")
        .expect("Client.Chat");
    let completions = index.field_type(chat, "Completions").expect("Completions");
    let new = index.method(completions, "New").expect("Completions.New");
    assert_eq!(new.ctx, Some(0));
    assert_eq!(
        &*new.results,
        &[format!("*{OPENAI}.ChatCompletion").into(), "error".into()]
    );
    assert!(
        new.io.as_deref().is_some_and(|io| io
            .contains("github.com/openai/openai-go/internal/requestconfig.ExecuteNewRequest")
            && io.ends_with("(*net/http.Client).Do")),
        "{:?}",
        new.io
    );
    assert_eq!(index.package_name(OPENAI), Some("openai"));

    // Anthropic: client.Messages.New.
    let messages = index
        .field_type(&format!("{ANTHROPIC}.Client"), "Messages")
        .expect("Client.Messages");
    let new = index.method(messages, "New").expect("Messages.New");
    assert_eq!(new.ctx, Some(0));
    assert_eq!(&*new.results[0], format!("*{ANTHROPIC}.Message"));
    assert!(new.io.is_some());
    assert_eq!(index.package_name(ANTHROPIC), Some("anthropic"));

    // go-redis: Get/Set promoted from the unexported `cmdable`, returning command values.
    let client = format!("*{REDIS}.Client");
    let get = index.method(&client, "Get").expect("Client.Get");
    assert_eq!(get.ctx, Some(0));
    assert_eq!(&*get.results, &[format!("*{REDIS}.StringCmd").into()]);
    let set = index.method(&client, "Set").expect("Client.Set");
    assert_eq!(&*set.results, &[format!("*{REDIS}.StatusCmd").into()]);
    assert_eq!(
        index
            .method(&get.results[0], "Result")
            .map(|r| r.results.to_vec()),
        Some(vec!["string".into(), "error".into()])
    );
    // Ping reaches the network through the pool package's interface and its implementation.
    let ping = index.method(&client, "Ping").expect("Ping");
    assert!(
        ping.io
            .as_deref()
            .is_some_and(|io| io.contains("internal/pool.Pooler).Get")),
        "{:?}",
        ping.io
    );
    assert_eq!(
        index
            .interface_methods(&format!("{REDIS}.UniversalClient"))
            .map(|m| m.len()),
        Some(5)
    );

    // kafka-go (the version go.mod's replace names): Writer.WriteMessages(ctx, ...Message).
    let write = index
        .method(&format!("*{KAFKA}.Writer"), "WriteMessages")
        .expect("WriteMessages");
    assert_eq!(write.ctx, Some(0));
    assert_eq!(&*write.params[1], format!("...{KAFKA}.Message"));
    assert!(write.io.is_some());
    assert_eq!(index.package_name(KAFKA), Some("kafka"));

    // Stripe: customer.New has no context, and reaches HTTP through the root package's Backend.
    let cnew = index
        .function(&format!("{STRIPE}/customer"), "New")
        .expect("customer.New");
    assert_eq!(cnew.ctx, None);
    assert_eq!(&*cnew.results[0], format!("*{STRIPE}.Customer"));
    assert!(
        cnew.io
            .as_deref()
            .is_some_and(|io| io.ends_with("(*net/http.Client).Do")),
        "{:?}",
        cnew.io
    );
    let pnew = index
        .function(&format!("{STRIPE}/paymentintent"), "New")
        .expect("paymentintent.New");
    assert!(pnew.io.is_some() && pnew.ctx.is_none());
    assert_eq!(index.var_type(STRIPE, "Key"), Some("string"));
    assert!(
        index
            .function(STRIPE, "String")
            .is_some_and(|f| f.io.is_none())
    );

    // gRPC: ClientConn.Invoke(ctx, ...); NewClient does no I/O.
    let invoke = index
        .method(&format!("*{GRPC}.ClientConn"), "Invoke")
        .expect("Invoke");
    assert_eq!(invoke.ctx, Some(0));
    assert!(invoke.io.is_some());
    assert!(
        index
            .function(GRPC, "NewClient")
            .is_some_and(|f| f.io.is_none() && f.ctx.is_none())
    );
    assert!(
        index
            .interface_methods(&format!("{GRPC}.ClientConnInterface"))
            .is_some_and(|m| m.iter().all(|m| m.ctx == Some(0)))
    );

    // BurntSushi/toml, stored under Go's case-encoding (`!burnt!sushi`): file I/O without a
    // context. A local replacement: example.com/billing.
    let decode = index
        .function("github.com/BurntSushi/toml", "DecodeFile")
        .expect("DecodeFile");
    assert_eq!(decode.io.as_deref(), Some("os.ReadFile"));
    let archive = index
        .function("example.com/billing/invoice", "Archive")
        .expect("local replacement");
    assert_eq!(archive.io.as_deref(), Some("os.WriteFile"));
    assert!(
        index
            .function("example.com/billing/invoice", "Total")
            .is_some_and(|f| f.io.is_none())
    );
}

#[test]
fn client_calls_of_the_fixture_are_known() {
    let ws = workspace();
    let cache = temp_cache("clients");
    let loaded = deps::load(&ws, &options(&cache));
    check_clients(&loaded.index);
    let s = &loaded.stats;
    // Imported: 14 dependency paths (the SDK is not one); otel is required but not on disk.
    assert_eq!(s.imports, 14, "{s:?}");
    assert_eq!(s.not_found, 1, "{s:?}");
    assert_eq!(s.unresolved, 0, "{s:?}");
    assert_eq!(s.from_disk, 0);
    assert!(s.parsed >= 18, "{s:?}");
    assert!(s.problems.is_empty(), "{:?}", s.problems);
    // Only module-cache modules are written (not the local replacement).
    assert_eq!(s.written, 10, "{s:?}");
    assert!(loaded.index.covers("go.opentelemetry.io/otel"));
    assert!(loaded.index.package("go.opentelemetry.io/otel").is_none());
    let _ = std::fs::remove_dir_all(&cache);
}

#[test]
fn a_second_start_reads_the_cache_instead_of_parsing() {
    let ws = workspace();
    let cache = temp_cache("warm");
    let cold = deps::load(&ws, &options(&cache));
    // A new process (or the server's reload): everything but the local replacement from disk.
    let warm = deps::load(&ws, &options(&cache));
    check_clients(&warm.index);
    assert_eq!(warm.stats.packages, cold.stats.packages);
    assert_eq!(
        warm.stats.parsed, 1,
        "only the local replacement: {:?}",
        warm.stats
    );
    assert_eq!(warm.stats.from_disk, cold.stats.packages - 1);
    assert_eq!(warm.stats.written, 0);

    // A corrupt file is discarded, that module parsed again and its file rewritten.
    let c = DiskCache::new(cache.clone());
    let pgx = c.path("github.com/jackc/pgx/v5", "v5.7.2");
    std::fs::write(&pgx, b"{\"format\":1,\"module\":").expect("corrupt it");
    let repaired = deps::load(&ws, &options(&cache));
    check_clients(&repaired.index);
    assert!(
        repaired
            .stats
            .problems
            .iter()
            .any(|p| p.contains("corrupt")),
        "{:?}",
        repaired.stats.problems
    );
    assert_eq!(repaired.stats.written, 1);
    assert!(repaired.stats.parsed > 1);
    let after = deps::load(&ws, &options(&cache));
    assert_eq!(after.stats.parsed, 1, "{:?}", after.stats);
    let _ = std::fs::remove_dir_all(&cache);
}

#[test]
fn no_module_cache_and_no_summary_cache_are_not_errors() {
    let ws = workspace();
    let opts = Options {
        modcache: None,
        cache: None,
        write_cache: true,
        threads: 1,
    };
    let loaded = deps::load(&ws, &opts);
    // Only the local replacement can be read.
    assert_eq!(loaded.stats.packages, 1, "{:?}", loaded.stats);
    assert!(loaded.stats.problems.is_empty());
    let opts = Options {
        modcache: Some(PathBuf::from("/nonexistent/pkg/mod")),
        cache: Some(DiskCache::new(PathBuf::from("/proc/not-writable"))),
        write_cache: true,
        threads: 1,
    };
    let loaded = deps::load(&ws, &opts);
    assert_eq!(loaded.stats.packages, 1);
    assert!(loaded.stats.not_found > 10);
}

#[test]
fn imports_that_cannot_be_resolved_still_count_as_looked_for() {
    // A go.mod the index knows (an unsaved editor buffer) but the disk does not have: nothing can
    // be loaded, and the server must not keep loading again for it.
    let mut ws = Workspace::new();
    let dir = PathBuf::from("/nonexistent/restate-lsp/x");
    ws.set_gomod(dir.clone(), gomod::parse("module example.com/x\n"));
    let src = "package x\nimport \"github.com/acme/thing\"\nvar _ = thing.New\n";
    let tree = restate_lsp::analysis::go::parse_str(src);
    ws.upsert(dir.join("x.go"), model::extract(src, &tree), 3);
    let loaded = deps::load(&ws, &options(&temp_cache("unresolvable")));
    assert_eq!(loaded.stats.packages, 0);
    assert!(loaded.index.covers("github.com/acme/thing"));
    assert!(!deps::uncovered(
        &ws,
        ["github.com/acme/thing"],
        &loaded.index
    ));
    assert!(deps::uncovered(
        &ws,
        ["github.com/acme/other"],
        &loaded.index
    ));
    assert!(!deps::uncovered(
        &ws,
        ["net/http", "example.com/x/sub"],
        &loaded.index
    ));
}

/// The fixture handler with the dependency summaries loaded into its workspace.
struct Agent {
    ws: Workspace,
    cache: PathBuf,
    path: PathBuf,
    src: String,
    tree: tree_sitter::Tree,
    model: model::FileModel,
}

fn agent_with_summaries(name: &str) -> Agent {
    let mut ws = workspace();
    let cache = temp_cache(name);
    let loaded = deps::load(&ws, &options(&cache));
    ws.set_deps(std::sync::Arc::new(loaded.index));
    let path = fixtures().join("workspaces/deps/agent.go");
    let src = std::fs::read_to_string(&path).expect("source");
    let tree = restate_lsp::analysis::go::parse_str(&src);
    let model = model::extract(&src, &tree);
    Agent {
        ws,
        cache,
        path,
        src,
        tree,
        model,
    }
}

/// RS1006 with the summaries loaded: a context call whose dependency code is known to reach I/O
/// says which I/O; a dependency's package function without a context is reported when its code
/// reaches I/O (a file read of configuration is info); a call written in place that only starts a
/// span is quiet.
#[test]
fn summaries_name_the_io_a_handler_call_reaches() {
    use restate_lsp::analysis::config::Config;
    use restate_lsp::analysis::findings::Severity;
    use restate_lsp::analysis::rules::{self, FileInput};

    let Agent {
        ws,
        cache,
        path,
        src,
        tree,
        model: m,
    } = agent_with_summaries("rules");
    let config = Config::default();
    let found = rules::check_file(&FileInput {
        path: &path,
        src: &src,
        tree: &tree,
        model: &m,
        ws: &ws,
        config: &config,
        gomod: None,
    });
    let at = |what: &str| {
        found
            .iter()
            .find(|f| f.code == "RS1006" && f.message.starts_with(&format!("`{what}`")))
            .unwrap_or_else(|| panic!("no RS1006 on {what}: {found:#?}"))
    };
    assert!(
        at("a.db.QueryRow")
            .message
            .contains("reaches `(net.Dialer).DialContext` through `pgconn.Connect`"),
        "{}",
        at("a.db.QueryRow").message
    );
    assert!(
        at("a.inv.Invoke")
            .message
            .contains("reaches `(net.Conn).Write`")
    );
    let archive = at("invoice.Archive");
    assert!(
        archive.message.contains("`os.WriteFile`"),
        "{}",
        archive.message
    );
    assert_eq!(archive.severity, Severity::Warning);
    let decode = at("toml.DecodeFile");
    assert_eq!(decode.severity, Severity::Info, "{}", decode.message);
    // Without a summary that reaches I/O, the convention still reports the context call.
    assert!(at("a.s3.PutObject").message.contains("by Go convention"));
    assert!(
        !found.iter().any(|f| f.message.contains("Tracer")),
        "{found:#?}"
    );
    let _ = std::fs::remove_dir_all(&cache);
}

/// "Wrap in restate.Run" on client calls of the fixture handler takes the step's result types from
/// the dependency summaries (`(*openai.ChatCompletion, error)`, stripe's `(*stripe.Customer,
/// error)`); the outputs are kept as a golden (`UPDATE_GOLDENS=1` rewrites it).
#[test]
fn wrap_in_run_takes_result_types_from_dependency_signatures() {
    use restate_lsp::analysis::wrap_run::{self, Input, Outcome};

    let Agent {
        ws,
        cache,
        path,
        src,
        tree,
        model: m,
    } = agent_with_summaries("wrap");
    let mut golden = String::new();
    for call in [
        "a.llm.Chat.Completions.New(",
        "a.claude.Messages.New(",
        "customer.New(",
        "a.cache.Get(",
    ] {
        let start = src
            .find(call)
            .unwrap_or_else(|| panic!("{call} in agent.go"));
        let end = start + call.len() - 1;
        let out = wrap_run::wrap(&Input {
            path: &path,
            src: &src,
            tree: &tree,
            model: &m,
            ws: &ws,
            start,
            end,
            around: true,
        });
        golden.push_str(&format!("=== {call}\n"));
        match out {
            Outcome::Wrapped(fixes) => {
                let fix = fixes.first().expect("a fix");
                for e in &fix.edits {
                    golden.push_str(&e.text);
                    golden.push('\n');
                }
            }
            other => golden.push_str(&format!("{other:?}\n")),
        }
    }
    let golden_path = fixtures().join("workspaces/deps-agent.wrap.golden");
    if std::env::var_os("UPDATE_GOLDENS").is_some() {
        std::fs::write(&golden_path, &golden).expect("write golden");
    }
    let want = std::fs::read_to_string(&golden_path).unwrap_or_default();
    assert_eq!(golden, want, "golden differs (UPDATE_GOLDENS=1 to accept)");
    assert!(
        golden.contains("(*openai.ChatCompletion, error)"),
        "{golden}"
    );
    assert!(golden.contains("(*stripe.Customer, error)"), "{golden}");
    let _ = std::fs::remove_dir_all(&cache);
}
