#!/usr/bin/env python3
"""Generate a Go module cache of many modules and a workspace importing them, for the dependency
summary measurements in docs/performance.md (`restate-lsp bench deps --corpus OUT`).

Usage: scripts/gen-modcache.py OUT_DIR [MODULES] [SEED]

OUT_DIR/gopath/pkg/mod holds MODULES (default 200) client libraries as module@version
directories, the way `go mod download` leaves them (one in eight has upper-case letters in its
path, stored with Go's `!` case-encoding). Each module has a root package with a Client whose
methods take a context and send requests through an internal transport package, a types
package, sometimes an extra package, 6 to 30 files per package of 120-250 lines (structs,
methods, helpers, interfaces, generics). OUT_DIR/ws is one Go module that requires every module
and has 50 files of Restate handlers calling the clients; it imports each module's root package
and a third of the types packages, so the internal packages are reached only through calls.
Deterministic for a given seed.
"""

import os
import random
import sys

NOUNS = ["order", "invoice", "account", "ledger", "payment", "shipment", "profile", "session",
         "report", "bucket", "message", "ticket", "device", "metric", "policy", "quota"]


def escape(path):
    return "".join("!" + c.lower() if c.isupper() else c for c in path)


def module_path(i, rng):
    owner = f"vendor{i:03d}"
    if i % 8 == 3:
        owner = f"Vendor{i:03d}Labs"
    name = rng.choice(["client-go", "sdk-go", "go-api", "api"])
    path = f"github.com/{owner}/{name}"
    if i % 5 == 0:
        path += "/v2"
    return path


def pkg_name(path):
    parts = path.split("/")
    if parts[-1].startswith("v") and parts[-1][1:].isdigit():
        parts = parts[:-1]
    last = parts[-1]
    for affix in ("go-", "-go", "-sdk"):
        last = last.replace(affix, "")
    return last.replace("-", "")


TRANSPORT = '''package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// Config of the transport.
type Config struct {{
	BaseURL    string
	APIKey     string
	Timeout    time.Duration
	HTTPClient *http.Client
	Retries    int
}}

// Transport sends requests.
type Transport struct {{
	cfg Config
}}

// New returns a transport.
func New(cfg Config) *Transport {{
	if cfg.HTTPClient == nil {{
		cfg.HTTPClient = &http.Client{{Timeout: cfg.Timeout}}
	}}
	return &Transport{{cfg: cfg}}
}}

// Do sends a request and decodes the response into out.
func (t *Transport) Do(ctx context.Context, method, path string, in, out any) error {{
	body, err := json.Marshal(in)
	if err != nil {{
		return err
	}}
	var last error
	for attempt := 0; attempt <= t.cfg.Retries; attempt++ {{
		req, err := http.NewRequestWithContext(ctx, method, t.cfg.BaseURL+path, bytes.NewReader(body))
		if err != nil {{
			return err
		}}
		req.Header.Set("Authorization", "Bearer "+t.cfg.APIKey)
		resp, err := t.cfg.HTTPClient.Do(req)
		if err != nil {{
			last = err
			continue
		}}
		defer resp.Body.Close()
		return json.NewDecoder(resp.Body).Decode(out)
	}}
	return last
}}
'''


def types_file(rng, pkg, idx, lines):
    out = [f"package {pkg}\n", "import (\n\t\"fmt\"\n\t\"strings\"\n\t\"time\"\n)\n"]
    n = 0
    k = 0
    while len("".join(out).splitlines()) < lines:
        noun = rng.choice(NOUNS).capitalize() + str(idx * 100 + k)
        k += 1
        fields = "\n".join(
            f"\t{f.capitalize()}{j} {t}" for j, (f, t) in enumerate(
                rng.sample([("id", "string"), ("name", "string"), ("amount", "int64"),
                            ("created", "time.Time"), ("tags", "[]string"),
                            ("labels", "map[string]string"), ("count", "int"),
                            ("ratio", "float64"), ("enabled", "bool")], 5)))
        out.append(f'''
// {noun} is a resource.
type {noun} struct {{
{fields}
	parent *{noun}
}}

// String describes the {noun}.
func (x *{noun}) String() string {{
	var b strings.Builder
	fmt.Fprintf(&b, "{noun}(%v)", x.parent != nil)
	return b.String()
}}

// Validate checks the {noun}.
func (x {noun}) Validate() error {{
	if x.parent == nil {{
		return nil
	}}
	for i := 0; i < 3; i++ {{
		if i > 2 {{
			return fmt.Errorf("invalid {noun} %d", i)
		}}
	}}
	return nil
}}
''')
        n += 1
    return "".join(out)


def client_file(rng, mod, pkg, idx, lines, has_types):
    imports = ["\t\"context\"", "\t\"fmt\"", "", f"\t\"{mod}/internal/transport\""]
    if has_types:
        imports.append(f"\t\"{mod}/types\"")
    out = [f"package {pkg}\n\nimport (\n" + "\n".join(imports) + "\n)\n"]
    if idx == 0:
        out.append('''
// Client talks to the service.
type Client struct {
	t       *transport.Transport
	Options Options
}

// Options of the client.
type Options struct {
	BaseURL string
	APIKey  string
	Retries int
}

// NewClient returns a client.
func NewClient(opts Options) *Client {
	return &Client{t: transport.New(transport.Config{BaseURL: opts.BaseURL, APIKey: opts.APIKey}), Options: opts}
}

// Service is what the client offers.
type Service interface {
	Ping(ctx context.Context) error
}

func (c *Client) Ping(ctx context.Context) error {
	return c.t.Do(ctx, "GET", "/ping", nil, nil)
}
''')
    k = 0
    while len("".join(out).splitlines()) < lines:
        noun = rng.choice(NOUNS).capitalize()
        name = f"{noun}{idx * 100 + k}"
        k += 1
        res = f"*types.{rng.choice(NOUNS).capitalize()}{rng.randrange(0, 3) * 100}" if has_types else "map[string]any"
        out.append(f'''
// {name}Params are the parameters of {name}.
type {name}Params struct {{
	ID    string
	Limit int
	Page  int
}}

// Get{name} fetches a {noun}.
func (c *Client) Get{name}(ctx context.Context, p {name}Params) ({res}, error) {{
	var out {res}
	if err := c.t.Do(ctx, "GET", fmt.Sprintf("/{noun}/%s", p.ID), p, &out); err != nil {{
		return out, err
	}}
	return out, nil
}}

// Create{name} creates a {noun}.
func (c *Client) Create{name}(ctx context.Context, p {name}Params) error {{
	return c.send(ctx, "POST", "/{noun}", p)
}}

// {name}Path builds the path of a {noun} (no I/O).
func {name}Path(id string, page int) string {{
	if page > 0 {{
		return fmt.Sprintf("/{noun}/%s?page=%d", id, page)
	}}
	return "/{noun}/" + id
}}
''')
    if idx == 0:
        out.append('''
func (c *Client) send(ctx context.Context, method, path string, in any) error {
	return c.t.Do(ctx, method, path, in, nil)
}
''')
    return "".join(out)


def extra_file(rng, pkg, idx, lines):
    out = [f"package {pkg}\n\nimport (\n\t\"os\"\n\t\"sort\"\n)\n"]
    k = 0
    while len("".join(out).splitlines()) < lines:
        name = f"Helper{idx * 100 + k}"
        k += 1
        out.append(f'''
// {name} sorts and filters values.
func {name}[T any](items []T, less func(a, b T) bool) []T {{
	out := make([]T, 0, len(items))
	out = append(out, items...)
	sort.Slice(out, func(i, j int) bool {{ return less(out[i], out[j]) }})
	return out
}}

// Load{name} reads a file.
func Load{name}(path string) ([]byte, error) {{
	return os.ReadFile(path)
}}

// Set{name} is a set.
type Set{name}[K comparable] map[K]struct{{}}

func (s Set{name}[K]) Add(k K) {{ s[k] = struct{{}}{{}} }}
''')
    return "".join(out)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    rng = random.Random(seed)
    modroot = os.path.join(out, "gopath", "pkg", "mod")
    modules = []
    total_files = total_lines = 0
    for i in range(count):
        mod = module_path(i, rng)
        version = f"v{2 if mod.endswith('/v2') else 1}.{rng.randrange(0, 20)}.{rng.randrange(0, 9)}"
        pkg = pkg_name(mod)
        base = os.path.join(modroot, escape(mod) + "@" + version)
        write(os.path.join(base, "go.mod"), f"module {mod}\n\ngo 1.21\n")
        write(os.path.join(base, "internal", "transport", "transport.go"), TRANSPORT.format())
        has_extra = rng.random() < 0.4
        files = {"": rng.randrange(6, 31), "types": rng.randrange(6, 31)}
        if has_extra:
            files["util"] = rng.randrange(6, 20)
        for sub, n in files.items():
            for f in range(n):
                lines = rng.randrange(120, 251)
                if sub == "":
                    text = client_file(rng, mod, pkg, f, lines, True)
                elif sub == "types":
                    text = types_file(rng, "types", f, lines)
                else:
                    text = extra_file(rng, "util", f, lines)
                name = f"{sub or pkg}_{f:02d}.go"
                write(os.path.join(base, sub, name), text)
                total_files += 1
                total_lines += text.count("\n")
        # Tests and other platforms are left out by the reader; a few of each, as real modules have.
        write(os.path.join(base, f"{pkg}_test.go"), f"package {pkg}\n\nfunc helperForTests() {{}}\n")
        write(os.path.join(base, "types", "types_windows.go"), "package types\n\nconst PathSep = '\\\\'\n")
        modules.append((mod, version, pkg, has_extra))
    ws = os.path.join(out, "ws")
    req = "\n".join(f"\t{m} {v}" for m, v, _, _ in modules)
    write(os.path.join(ws, "go.mod"),
          f"module example.com/shop\n\ngo 1.23\n\nrequire (\n\tgithub.com/restatedev/sdk-go v1.0.2\n{req}\n)\n")
    per_file = max(1, len(modules) // 50)
    for f in range(50):
        chosen = modules[f * per_file:(f + 1) * per_file] or [modules[f % len(modules)]]
        imports = ["\t\"context\"", "", "\trestate \"github.com/restatedev/sdk-go\""]
        fields, calls = [], []
        for j, (m, _, pkg, _) in enumerate(chosen):
            alias = f"c{j}"
            imports.append(f"\t{alias} \"{m}\"")
            if j % 3 == 0:
                imports.append(f"\t_ \"{m}/types\"")
            fields.append(f"\t{alias} *{alias}.Client")
            calls.append(f"\tif err := s.{alias}.Ping(ctx); err != nil {{\n\t\treturn \"\", err\n\t}}")
        text = (f"package svc\n\nimport (\n" + "\n".join(imports) + "\n)\n\n"
                f"type Svc{f} struct {{\n" + "\n".join(fields) + "\n}\n\n"
                f"func (s *Svc{f}) Handle(ctx restate.Context, id string) (string, error) {{\n"
                + "\n".join(calls) +
                "\n\tout, err := restate.Run(ctx, func(ctx restate.RunContext) (string, error) {\n"
                "\t\treturn id, nil\n\t})\n\treturn out, err\n}\n\n"
                f"func pure{f}(ctx context.Context) error {{ return ctx.Err() }}\n")
        write(os.path.join(ws, "svc", f"svc{f:02d}.go"), text)
    print(f"{count} modules, {total_files} package files, {total_lines} lines in {modroot}; workspace {ws}")


if __name__ == "__main__":
    main()
