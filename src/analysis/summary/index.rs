//! `DepIndex`: the summaries of the dependency packages the workspace imports, linked across
//! packages, and the lookups the rules make (`Workspace::deps`).
//!
//! Types are named by their normalised spelling, `<import path>.<Name>` with an optional leading
//! `*` and type arguments (`*github.com/jackc/pgx/v5/pgxpool.Pool`): what `semantic::types` gives
//! for a workspace expression whose type comes from a dependency.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::analysis::summary::{
    ExtCall, FuncSummary, Interner, PkgSummary, Ty, TypeKind, TypeSummary, split_type_path,
};

/// Embedded types and aliases followed on lookup.
const MAX_DEPTH: u32 = 4;
/// Rounds of cross-package propagation (each round follows one more package boundary).
const MAX_ROUNDS: usize = 8;
/// Calls named in an I/O chain before the middle is elided.
const MAX_CHAIN: usize = 5;

#[derive(Clone, Debug, Default)]
pub struct DepIndex {
    packages: HashMap<String, Arc<PkgSummary>>,
    /// Every import path the loader looked for, found or not: a file that imports anything else
    /// makes the server load again.
    covered: HashSet<String>,
}

impl DepIndex {
    /// Index these packages and decide, across them, which functions reach I/O through calls
    /// into one another (stripe's `customer.New` reaches `net/http` through the root package's
    /// `Backend`). `covered` lists the import paths that were looked for.
    pub fn new(
        packages: impl IntoIterator<Item = Arc<PkgSummary>>,
        covered: impl IntoIterator<Item = String>,
    ) -> DepIndex {
        let mut index = DepIndex {
            packages: packages.into_iter().map(|p| (p.path.clone(), p)).collect(),
            covered: covered.into_iter().collect(),
        };
        index.link();
        index
    }

    pub fn is_empty(&self) -> bool {
        self.packages.is_empty()
    }

    /// The number of packages summarised.
    pub fn len(&self) -> usize {
        self.packages.len()
    }

    pub fn packages(&self) -> impl Iterator<Item = &Arc<PkgSummary>> {
        self.packages.values()
    }

    /// Whether the loader has looked for this import path (whether or not it found it).
    pub fn covers(&self, import_path: &str) -> bool {
        self.covered.contains(import_path) || self.packages.contains_key(import_path)
    }

    pub fn package(&self, import_path: &str) -> Option<&PkgSummary> {
        self.packages.get(import_path).map(|p| &**p)
    }

    /// The package clause's name (what an unaliased import binds).
    pub fn package_name(&self, import_path: &str) -> Option<&str> {
        self.package(import_path).map(|p| p.name.as_str())
    }

    /// An exported package function: `function("github.com/stripe/stripe-go/v82/customer", "New")`.
    pub fn function(&self, import_path: &str, name: &str) -> Option<&FuncSummary> {
        self.package(import_path)?.function(name)
    }

    /// An exported type by its normalised name (`*` and type arguments ignored), aliases followed.
    pub fn type_info(&self, type_path: &str) -> Option<&TypeSummary> {
        self.type_at(type_path, 0)
    }

    fn type_at(&self, type_path: &str, depth: u32) -> Option<&TypeSummary> {
        let (path, name) = split_type_path(type_path)?;
        let t = self.package(path)?.type_named(name)?;
        if t.alias
            && depth < MAX_DEPTH
            && let Some(u) = t.underlying.as_deref()
            && let Some(target) = self.type_at(u, depth + 1)
        {
            return Some(target);
        }
        Some(t)
    }

    /// A method of a type, declared or promoted through embedded fields:
    /// `method("*github.com/jackc/pgx/v5/pgxpool.Pool", "Exec")`. For an interface type, the
    /// interface's method.
    pub fn method(&self, type_path: &str, name: &str) -> Option<&FuncSummary> {
        self.through_embeds(type_path, 0, &|t| t.method(name))
    }

    /// The type of an exported field, promoted fields included:
    /// `field_type("github.com/openai/openai-go.Client", "Chat")` ->
    /// `github.com/openai/openai-go.ChatService`.
    pub fn field_type(&self, type_path: &str, field: &str) -> Option<&str> {
        self.through_embeds(type_path, 0, &|t| t.field(field))
    }

    /// `find` on the type, else on the types it embeds (what Go promotes), depth first.
    fn through_embeds<'a, T: ?Sized>(
        &'a self,
        type_path: &str,
        depth: u32,
        find: &dyn Fn(&'a TypeSummary) -> Option<&'a T>,
    ) -> Option<&'a T> {
        if depth > MAX_DEPTH {
            return None;
        }
        let t = self.type_at(type_path, 0)?;
        find(t).or_else(|| {
            t.embeds
                .iter()
                .find_map(|e| self.through_embeds(e, depth + 1, find))
        })
    }

    /// The methods of an interface type (its own and those of same-package interfaces it
    /// embeds; `type_info(..).embeds` names the others). None when the type is not an interface.
    pub fn interface_methods(&self, type_path: &str) -> Option<&[FuncSummary]> {
        let t = self.type_info(type_path)?;
        (t.kind == TypeKind::Interface).then_some(t.methods.as_slice())
    }

    /// The type of an exported package-level variable.
    pub fn var_type(&self, import_path: &str, name: &str) -> Option<&str> {
        self.package(import_path)?.var_type(name)
    }

    /// The summaries' own heap (see `PkgSummary::heap`, shared strings once) plus the tables.
    pub fn heap_bytes(&self) -> usize {
        let mut h = crate::analysis::summary::Heap::default();
        for (k, p) in &self.packages {
            h.bytes += k.len() + std::mem::size_of::<PkgSummary>();
            p.heap(&mut h);
        }
        h.bytes + self.covered.iter().map(|c| c.len() + 24).sum::<usize>()
    }

    /// What an I/O-reaching callee in another package does, when known.
    fn ext_io(&self, c: &ExtCall) -> Option<String> {
        let pkg = self.package(&c.path)?;
        match c.name.split_once('.') {
            None => {
                let io = pkg.function(&c.name)?.io.as_deref()?;
                Some(format!("{}.{} -> {io}", c.path, c.name))
            }
            Some((t, m)) => {
                let ty = format!("{}.{t}", c.path);
                let shown = format!("({ty}).{m}");
                if let Some(io) = self.method(&ty, m).and_then(|f| f.io.as_deref()) {
                    return Some(format!("{shown} -> {io}"));
                }
                // Through an interface: its package's own implementations stand for it (as
                // within a package, see `summarize`).
                if self.type_info(&ty)?.kind != TypeKind::Interface {
                    return None;
                }
                pkg.types
                    .iter()
                    .filter(|x| x.kind != TypeKind::Interface)
                    .find_map(|x| {
                        let io = x.method(m)?.io.as_deref()?;
                        Some(format!("{shown} -> ({}.{}).{m} -> {io}", c.path, x.name))
                    })
            }
        }
    }

    /// Propagate "reaches I/O" over calls between packages until nothing changes.
    fn link(&mut self) {
        #[derive(Clone, Copy)]
        enum At {
            Func(usize),
            Method(usize, usize),
        }
        let mut interner = Interner::default();
        for _ in 0..MAX_ROUNDS {
            let mut updates: Vec<(String, At, String)> = vec![];
            for (path, p) in &self.packages {
                let mut check = |f: &FuncSummary, at: At| {
                    if f.io.is_some() {
                        return;
                    }
                    if let Some(io) = f.calls.iter().find_map(|c| self.ext_io(c)) {
                        updates.push((path.clone(), at, shorten(&io)));
                    }
                };
                for (i, f) in p.funcs.iter().enumerate() {
                    check(f, At::Func(i));
                }
                for (ti, t) in p.types.iter().enumerate() {
                    for (mi, m) in t.methods.iter().enumerate() {
                        check(m, At::Method(ti, mi));
                    }
                }
            }
            if updates.is_empty() {
                return;
            }
            for (path, at, io) in updates {
                let Some(p) = self.packages.get_mut(&path) else {
                    continue;
                };
                // Copy-on-write: a snapshot holding the previous index keeps its own.
                let p = Arc::make_mut(p);
                let f = match at {
                    At::Func(i) => p.funcs.get_mut(i),
                    At::Method(t, m) => p.types.get_mut(t).and_then(|t| t.methods.get_mut(m)),
                };
                if let Some(f) = f {
                    let mut io: Ty = io.into();
                    interner.intern(&mut io);
                    f.io = Some(io);
                    f.calls = Box::new([]);
                }
            }
        }
    }
}

/// Cut the middle of a long chain (`a -> b -> ... -> y -> z`).
fn shorten(chain: &str) -> String {
    let parts: Vec<&str> = chain.split(" -> ").filter(|p| *p != "...").collect();
    if parts.len() <= MAX_CHAIN {
        return parts.join(" -> ");
    }
    let mut out = vec![parts[0], "..."];
    out.extend(&parts[parts.len() - (MAX_CHAIN - 2)..]);
    out.join(" -> ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::summary::summarize;

    fn pkg(path: &str, files: &[&str]) -> Arc<PkgSummary> {
        let files: Vec<(String, String)> = files
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("f{i}.go"), s.to_string()))
            .collect();
        Arc::new(summarize(path, &files))
    }

    #[test]
    fn io_is_followed_across_packages_and_through_interfaces() {
        let root = pkg(
            "github.com/stripe/stripe-go/v82",
            &[
                "package stripe\nimport \"net/http\"\ntype Backend interface { Call(method, path, key string, params, v any) error }\ntype BackendImplementation struct { HTTPClient *http.Client }\nfunc (s *BackendImplementation) Call(method, path, key string, params, v any) error { req, _ := http.NewRequest(method, path, nil); return s.Do(req, v) }\nfunc (s *BackendImplementation) Do(req *http.Request, v any) error { _, err := s.HTTPClient.Do(req); return err }\nvar Key string\nfunc GetBackend() Backend { return &BackendImplementation{} }\n",
            ],
        );
        let customer = pkg(
            "github.com/stripe/stripe-go/v82/customer",
            &[
                "package customer\nimport stripe \"github.com/stripe/stripe-go/v82\"\ntype Client struct { B stripe.Backend; Key string }\nfunc New(params *stripe.CustomerParams) (*stripe.Customer, error) { return getC().New(params) }\nfunc (c Client) New(params *stripe.CustomerParams) (*stripe.Customer, error) { cust := &stripe.Customer{}; err := c.B.Call(\"POST\", \"/v1/customers\", c.Key, params, cust); return cust, err }\nfunc getC() Client { return Client{stripe.GetBackend(), stripe.Key} }\n",
            ],
        );
        // Before linking, the customer package only knows it calls the root package.
        let f = customer.function("New").expect("New");
        assert!(f.io.is_none());
        assert!(f.calls.iter().any(|c| &*c.name == "Backend.Call"));
        let index = DepIndex::new([root, customer], []);
        let f = index
            .function("github.com/stripe/stripe-go/v82/customer", "New")
            .expect("New");
        assert_eq!(f.ctx, None);
        let io = f.io.as_deref().expect("customer.New reaches I/O");
        assert!(io.ends_with("(*net/http.Client).Do"), "{io}");
        assert!(
            io.contains("(github.com/stripe/stripe-go/v82.Backend).Call"),
            "{io}"
        );
        assert!(f.calls.is_empty());
    }

    #[test]
    fn lookups_follow_fields_embeds_and_aliases() {
        let openai = pkg(
            "github.com/openai/openai-go",
            &[
                "package openai\nimport (\n\t\"context\"\n\t\"github.com/openai/openai-go/option\"\n)\ntype Client struct { Options []option.RequestOption; Chat ChatService }\ntype ChatService struct { Completions ChatCompletionService }\ntype ChatCompletionService struct{}\nfunc (r *ChatCompletionService) New(ctx context.Context, body ChatCompletionNewParams, opts ...option.RequestOption) (res *ChatCompletion, err error) { return }\ntype ChatCompletion struct{ ID string }\ntype ChatCompletionNewParams struct{}\ntype Alias = ChatService\nvar Default = Client{}\n",
            ],
        );
        let index = DepIndex::new([openai], ["github.com/openai/openai-go".to_string()]);
        let p = "github.com/openai/openai-go";
        let chat = index
            .field_type(&format!("{p}.Client"), "Chat")
            .expect("Chat");
        let completions = index.field_type(chat, "Completions").expect("Completions");
        assert_eq!(
            completions,
            "github.com/openai/openai-go.ChatCompletionService"
        );
        let new = index
            .method(&format!("*{completions}"), "New")
            .expect("New");
        assert_eq!(new.ctx, Some(0));
        assert_eq!(
            &*new.results,
            &[
                "*github.com/openai/openai-go.ChatCompletion".into(),
                "error".into()
            ]
        );
        assert_eq!(
            new.params[2].as_ref(),
            "...github.com/openai/openai-go/option.RequestOption"
        );
        assert_eq!(
            index.field_type(&format!("{p}.Alias"), "Completions"),
            Some(completions)
        );
        assert_eq!(
            index.var_type(p, "Default"),
            Some("github.com/openai/openai-go.Client")
        );
        assert_eq!(index.package_name(p), Some("openai"));
        assert!(index.covers(p) && !index.covers("github.com/x/y"));
        assert!(index.interface_methods(&format!("{p}.Client")).is_none());
    }

    #[test]
    fn long_chains_are_shortened() {
        assert_eq!(shorten("a -> b -> c"), "a -> b -> c");
        assert_eq!(
            shorten("a -> b -> c -> d -> e -> f -> g"),
            "a -> ... -> e -> f -> g"
        );
    }
}
