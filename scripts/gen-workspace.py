#!/usr/bin/env python3
"""Generate a large synthetic Go workspace for the indexing measurements in docs/performance.md.

Usage: scripts/gen-workspace.py OUT_DIR [FILES] [SEED]

One module (go.mod requiring sdk-go), 100 files per package directory, about 100 lines per file.
About 5% of the files are Restate services (Reflect-style handlers with Run, state, calls to other
services, timers); the rest is plain Go (types, methods, loops, string and error handling).
Deterministic for a given seed.
"""

import os
import random
import sys

SERVICE = '''package {pkg}

import (
	"fmt"
	"time"

	restate "github.com/restatedev/sdk-go"
)

// {name} handles {noun} requests.
type {name} struct{{}}

type {name}Request struct {{
	ID     string `json:"id"`
	Amount int    `json:"amount"`
	Note   string `json:"note"`
}}

type {name}Result struct {{
	ID    string `json:"id"`
	Total int    `json:"total"`
}}

func (s {name}) Create(ctx restate.ObjectContext, req {name}Request) ({name}Result, error) {{
	total, err := restate.Get[int](ctx, "total")
	if err != nil {{
		return {name}Result{{}}, err
	}}
	total += req.Amount
	restate.Set(ctx, "total", total)
	receipt, err := restate.Run(ctx, func(ctx restate.RunContext) (string, error) {{
		return fmt.Sprintf("%s-%d", req.ID, total), nil
	}}, restate.WithName("receipt"))
	if err != nil {{
		return {name}Result{{}}, err
	}}
	restate.ServiceSend(ctx, "{other}", "Notify").Send(receipt)
	return {name}Result{{ID: receipt, Total: total}}, nil
}}

func (s {name}) Settle(ctx restate.ObjectContext, id string) (bool, error) {{
	if err := restate.Sleep(ctx, {minutes}*time.Minute); err != nil {{
		return false, err
	}}
	ok, err := restate.Object[bool](ctx, "{other}", id, "Confirm").Request(id)
	if err != nil {{
		return false, err
	}}
	if !ok {{
		return false, restate.TerminalError(fmt.Errorf("{noun} %s was refused", id), 409)
	}}
	restate.Clear(ctx, "total")
	return true, nil
}}

func (s {name}) Total(ctx restate.ObjectSharedContext) (int, error) {{
	return restate.Get[int](ctx, "total")
}}

func (s {name}) Audit(ctx restate.ObjectContext, entries []string) (int, error) {{
	count := 0
	for _, e := range entries {{
		if e == "" {{
			continue
		}}
		_, err := restate.Run(ctx, func(ctx restate.RunContext) (bool, error) {{
			return len(e) > {threshold}, nil
		}})
		if err != nil {{
			return count, err
		}}
		count++
	}}
	restate.Set(ctx, "audited", count)
	return count, nil
}}

func (s {name}) Cancel(ctx restate.ObjectContext, reason string) error {{
	if reason == "" {{
		return restate.TerminalError(fmt.Errorf("no reason"), 400)
	}}
	restate.Set(ctx, "cancelled", reason)
	return nil
}}

var _ = restate.Reflect({name}{{}})
'''

PLAIN_HEAD = '''package {pkg}

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// {name} keeps {noun} records.
type {name} struct {{
	items map[string]int
	order []string
	limit int
}}

// New{name} returns an empty {name}.
func New{name}(limit int) *{name} {{
	return &{name}{{items: map[string]int{{}}, limit: limit}}
}}
'''

PLAIN_FUNCS = [
    '''
func (r *{name}) Add{i}(key string, n int) error {{
	if len(r.order) >= r.limit {{
		return errors.New("{noun} full")
	}}
	if _, ok := r.items[key]; !ok {{
		r.order = append(r.order, key)
	}}
	r.items[key] += n
	return nil
}}
''',
    '''
func (r *{name}) Sorted{i}() []string {{
	keys := make([]string, 0, len(r.items))
	for k := range r.items {{
		keys = append(keys, k)
	}}
	sort.Strings(keys)
	return keys
}}
''',
    '''
func (r *{name}) Describe{i}(sep string) string {{
	var b strings.Builder
	for i, k := range r.order {{
		if i > 0 {{
			b.WriteString(sep)
		}}
		fmt.Fprintf(&b, "%s=%d", k, r.items[k])
	}}
	return b.String()
}}
''',
    '''
func parse{name}{i}(line string) (string, int, error) {{
	parts := strings.SplitN(line, ":", 2)
	if len(parts) != 2 {{
		return "", 0, fmt.Errorf("bad {noun} line %q", line)
	}}
	var n int
	if _, err := fmt.Sscanf(parts[1], "%d", &n); err != nil {{
		return "", 0, err
	}}
	return strings.TrimSpace(parts[0]), n, nil
}}
''',
    '''
func sum{name}{i}(xs []int) (total int) {{
	for _, x := range xs {{
		switch {{
		case x < 0:
			total -= x
		case x > {threshold}:
			total += {threshold}
		default:
			total += x
		}}
	}}
	return total
}}
''',
]

NOUNS = ["order", "invoice", "ticket", "account", "shipment", "booking", "payment", "user"]


def plain(rng, pkg, name, noun):
    out = PLAIN_HEAD.format(pkg=pkg, name=name, noun=noun)
    i = 0
    while out.count("\n") < 95:
        f = PLAIN_FUNCS[rng.randrange(len(PLAIN_FUNCS))]
        out += f.format(name=name, noun=noun, i=i, threshold=rng.randrange(10, 1000))
        i += 1
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    files = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "go.mod"), "w") as f:
        f.write("module example.com/big\n\ngo 1.22\n\nrequire github.com/restatedev/sdk-go v1.0.2\n")
    per_pkg = 100
    services = 0
    for n in range(files):
        pkg = f"p{n // per_pkg:04d}"
        d = os.path.join(out, pkg)
        if n % per_pkg == 0:
            os.makedirs(d, exist_ok=True)
        noun = NOUNS[rng.randrange(len(NOUNS))]
        name = f"{noun.capitalize()}{n}"
        if rng.random() < 0.05:
            services += 1
            other = f"{NOUNS[rng.randrange(len(NOUNS))].capitalize()}{rng.randrange(files)}"
            text = SERVICE.format(
                pkg=pkg, name=name, noun=noun, other=other,
                minutes=rng.randrange(1, 60), threshold=rng.randrange(3, 30),
            )
        else:
            text = plain(rng, pkg, name, noun)
        with open(os.path.join(d, f"f{n % per_pkg:03d}.go"), "w") as f:
            f.write(text)
    print(f"{files} files ({services} Restate services) in {out}")


if __name__ == "__main__":
    main()
