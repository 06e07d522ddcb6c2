use super::*;

fn sum(path: &str, files: &[&str]) -> PkgSummary {
    let files: Vec<(String, String)> = files
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("f{i}.go"), s.to_string()))
        .collect();
    summarize(path, &files)
}

const POOL: &str = r#"package pgxpool

import (
	"context"
	"net"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

type Pool struct {
	conn net.Conn
	Config *Config
}

type Config struct {
	ConnString string
	MaxConns   int32
}

func New(ctx context.Context, connString string) (*Pool, error) {
	c, err := net.Dial("tcp", connString)
	if err != nil {
		return nil, err
	}
	return &Pool{conn: c}, nil
}

func (p *Pool) Exec(ctx context.Context, sql string, arguments ...any) (pgconn.CommandTag, error) {
	return p.send(sql)
}

func (p *Pool) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	_, err := p.send(sql)
	return nil, err
}

func (p *Pool) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return nil
}

func (p *Pool) Stat() *Stat { return &Stat{} }

func (p *Pool) send(sql string) (pgconn.CommandTag, error) {
	_, err := p.conn.Write([]byte(sql))
	return pgconn.CommandTag{}, err
}

type Stat struct{ total int }
"#;

#[test]
fn signatures_context_parameters_and_results() {
    let s = sum("github.com/jackc/pgx/v5/pgxpool", &[POOL]);
    assert_eq!(s.name, "pgxpool");
    let new = s.function("New").expect("New");
    assert_eq!(new.ctx, Some(0));
    assert_eq!(
        &*new.results,
        &[
            "*github.com/jackc/pgx/v5/pgxpool.Pool".into(),
            "error".into()
        ]
    );
    assert_eq!(new.io.as_deref(), Some("net.Dial"));
    let pool = s.type_named("Pool").expect("Pool");
    assert_eq!(pool.kind, TypeKind::Struct);
    // Only exported fields are kept.
    assert_eq!(
        pool.fields,
        vec![(
            "Config".into(),
            "*github.com/jackc/pgx/v5/pgxpool.Config".into()
        )]
    );
    let exec = pool.method("Exec").expect("Exec");
    assert_eq!(exec.ctx, Some(0));
    assert_eq!(
        exec.recv,
        Some(Recv {
            type_name: "Pool".into(),
            pointer: true
        })
    );
    assert_eq!(
        &*exec.params,
        &["context.Context".into(), "string".into(), "...any".into()]
    );
    assert_eq!(
        &*exec.results,
        &[
            "github.com/jackc/pgx/v5/pgconn.CommandTag".into(),
            "error".into()
        ]
    );
    // Through the unexported `send`, on a field typed `net.Conn`.
    assert_eq!(exec.io.as_deref(), Some("(Pool).send -> (net.Conn).Write"));
    assert_eq!(
        pool.method("QueryRow").map(|m| &*m.results[0]),
        Some("github.com/jackc/pgx/v5.Row")
    );
    assert!(pool.method("QueryRow").is_some_and(|m| m.io.is_none()));
    assert!(pool.method("Stat").is_some_and(|m| m.ctx.is_none()));
    assert!(
        pool.method("send").is_none(),
        "unexported methods are dropped"
    );
    assert!(s.type_named("Stat").is_some_and(|t| t.fields.is_empty()));
}

#[test]
fn io_is_transitive_within_the_package() {
    let s = sum(
        "example.com/lib",
        &[
            r#"package lib

import (
	"net/http"
	"os/exec"
)

type Client struct{ hc *http.Client }

func NewClient() *Client { return &Client{hc: http.DefaultClient} }

func (c *Client) Fetch(url string) error { return c.get(url) }

func (c *Client) get(url string) error {
	req, _ := http.NewRequest("GET", url, nil)
	_, err := c.hc.Do(req)
	return err
}

func Pure(a, b int) int { return helper(a) + b }

func helper(a int) int { return a * 2 }

func Deploy() error { return exec.Command("make").Run() }

func Top() error { return level1() }
func level1() error { return level2() }
func level2() error { return level3() }
func level3() error { return NewClient().Fetch("x") }
"#,
            // A second file of the package: functions and types are joined across files.
            r#"package lib

import "os"

func ReadConfig(path string) ([]byte, error) { return readAll(path) }

func readAll(path string) ([]byte, error) { return os.ReadFile(path) }

func ViaOtherFile() (*Client, error) {
	c := NewClient()
	return c, c.Fetch("y")
}
"#,
        ],
    );
    let io = |n: &str| {
        s.function(n)
            .and_then(|f| f.io.as_deref().map(str::to_string))
    };
    assert_eq!(io("Pure"), None);
    assert_eq!(io("NewClient"), None);
    assert_eq!(io("Deploy").as_deref(), Some("(*os/exec.Cmd).Run"));
    assert_eq!(io("ReadConfig").as_deref(), Some("readAll -> os.ReadFile"));
    assert_eq!(
        io("ViaOtherFile").as_deref(),
        Some("(Client).Fetch -> (Client).get -> (*net/http.Client).Do")
    );
    // Long chains keep their ends.
    assert_eq!(
        io("Top").as_deref(),
        Some("level1 -> ... -> (Client).Fetch -> (Client).get -> (*net/http.Client).Do")
    );
    let fetch = s
        .type_named("Client")
        .and_then(|t| t.method("Fetch"))
        .expect("Fetch");
    assert_eq!(
        fetch.io.as_deref(),
        Some("(Client).get -> (*net/http.Client).Do")
    );
    assert!(fetch.ctx.is_none());
}

#[test]
fn promoted_methods_interfaces_calls_out_and_variables() {
    let s = sum(
        "github.com/redis/go-redis/v9",
        &[r#"package redis

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9/internal/pool"
)

type Cmder interface {
	Name() string
	Err() error
}

type UniversalClient interface {
	Cmdable
	Close() error
}

type Cmdable interface {
	Get(ctx context.Context, key string) *StringCmd
}

type cmdable func(ctx context.Context, cmd Cmder) error

type baseClient struct {
	connPool pool.Pooler
	Addr     string
}

type Client struct {
	*baseClient
	cmdable
}

type StringCmd struct{ val string }

func (cmd *StringCmd) Result() (string, error) { return cmd.val, nil }

func NewClient(opt *Options) *Client {
	c := Client{baseClient: &baseClient{}}
	c.cmdable = c.process
	return &c
}

func (c *baseClient) process(ctx context.Context, cmd Cmder) error {
	cn, err := c.connPool.Get(ctx)
	_ = cn
	return err
}

func (c cmdable) Get(ctx context.Context, key string) *StringCmd {
	cmd := &StringCmd{}
	_ = c(ctx, cmd)
	return cmd
}

func (c cmdable) Set(ctx context.Context, key string, value interface{}, expiration time.Duration) *StatusCmd {
	return &StatusCmd{}
}

func (c *baseClient) Ping(ctx context.Context) error { return c.process(ctx, nil) }

type Options struct{ Addr string }
type StatusCmd struct{}

var Nil = RedisError("redis: nil")

type RedisError string
"#],
    );
    let client = s.type_named("Client").expect("Client");
    // Promoted from the unexported embedded `cmdable` and `*baseClient`.
    let get = client.method("Get").expect("Get promoted");
    assert_eq!(get.ctx, Some(0));
    assert_eq!(
        &*get.results,
        &["*github.com/redis/go-redis/v9.StringCmd".into()]
    );
    assert_eq!(get.recv.as_ref().map(|r| &*r.type_name), Some("cmdable"));
    assert!(client.method("Set").is_some());
    assert_eq!(client.field("Addr"), Some("string"));
    let ping = client.method("Ping").expect("Ping promoted");
    // The pool is another package: the call is kept for the index to follow.
    assert!(ping.io.is_none());
    assert_eq!(
        &*ping.calls,
        &[ExtCall {
            path: "github.com/redis/go-redis/v9/internal/pool".into(),
            name: "Pooler.Get".into()
        }]
    );
    let uc = s.type_named("UniversalClient").expect("interface");
    assert_eq!(uc.kind, TypeKind::Interface);
    let names: Vec<&str> = uc.methods.iter().map(|m| &*m.name).collect();
    assert_eq!(names, vec!["Close", "Get"]);
    assert_eq!(uc.method("Get").and_then(|m| m.ctx), Some(0));
    assert!(s.type_named("cmdable").is_none());
    assert_eq!(
        s.var_type("Nil"),
        Some("github.com/redis/go-redis/v9.RedisError")
    );
    let rerr = s.type_named("RedisError").expect("RedisError");
    assert_eq!(rerr.kind, TypeKind::Other);
    assert_eq!(rerr.underlying.as_deref(), Some("string"));
}

#[test]
fn files_of_another_package_clause_are_left_out() {
    let s = sum(
        "example.com/lib",
        &[
            "package lib\nfunc A() {}\n",
            "package lib\nfunc B() {}\n",
            "//go:build ignore\n\npackage main\nfunc C() {}\n",
        ],
    );
    assert_eq!(s.name, "lib");
    assert!(s.function("A").is_some() && s.function("C").is_none());
}

#[test]
fn generic_receivers_and_broken_code_do_not_panic() {
    let s = sum(
        "example.com/lib",
        &[
            "package lib\ntype List[T any] struct{ items []T }\nfunc (l *List[T]) Push(v T) { l.items = append(l.items, v) }\nfunc Map[K comparable, V any](m map[K]V) []K { return nil }\n",
            "package lib\nfunc Broken( { x := \n",
        ],
    );
    let push = s
        .type_named("List")
        .and_then(|t| t.method("Push"))
        .expect("Push");
    assert_eq!(&*push.params, &["T".into()]);
    assert_eq!(
        s.function("Map").map(|f| f.results[0].to_string()),
        Some("[]K".to_string())
    );
}
