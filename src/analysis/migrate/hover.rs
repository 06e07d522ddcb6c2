//! What hover shows for SDK identifiers on a module that pins the 0.x API: the declaration as that
//! API had it, for the identifiers whose declaration 1.0 changed or removed (read from sdk-go
//! v0.24.0; v0.23.0 declares the same), with what 1.0 has instead.

use tree_sitter::{Node, Tree};

use crate::analysis::go::{field, text};
use crate::analysis::model::{FileModel, PkgRef};
use crate::analysis::semantic::Semantic;

/// (package, name, 0.x declaration, 1.0).
const OLD: &[(&str, &str, &str, &str)] = &[
    (
        "restate",
        "TerminalError",
        "func TerminalError(err error, code ...Code) error",
        "a type (interface); build one with ToTerminalError(err, WithErrorCode(code)), which keeps only err's message",
    ),
    (
        "restate",
        "TerminalErrorf",
        "func TerminalErrorf(format string, a ...any) error",
        "returns TerminalError and does not wrap (`%w` prints `%!w`)",
    ),
    (
        "restate",
        "WithErrorCode",
        "func WithErrorCode(err error, code Code) error",
        "an option: WithErrorCode(code Code) ErrorCodeOption, for ToTerminalError and ToRetryableError",
    ),
    (
        "restate",
        "ErrorCode",
        "func ErrorCode(err error) Code",
        "removed: AsTerminalError(err).Code() or AsRetryableError(err).Code() after a nil check",
    ),
    (
        "restate",
        "Rand",
        "func Rand(ctx Context) rand.Rand // UUID(), Float64(), Uint64(), Source()",
        "returns *math/rand/v2.Rand; UUID(ctx) and RandSource(ctx) replace its UUID() and Source()",
    ),
    (
        "restate",
        "Get",
        "func Get[T any](ctx ObjectSharedContext, key string, options ...GetOption) (output T, err error)",
        "the error is a TerminalError",
    ),
    (
        "restate",
        "Keys",
        "func Keys(ctx ObjectSharedContext) ([]string, error)",
        "the error is a TerminalError",
    ),
    (
        "restate",
        "Run",
        "func Run[T any](ctx Context, fn func(ctx RunContext) (T, error), options ...RunOption) (output T, err error)",
        "the error is a TerminalError",
    ),
    (
        "restate",
        "RunVoid",
        "func RunVoid(ctx Context, fn func(ctx RunContext) error, options ...RunOption) error",
        "returns a TerminalError",
    ),
    (
        "restate",
        "Sleep",
        "func Sleep(ctx Context, d time.Duration, opts ...SleepOption) error",
        "returns a TerminalError",
    ),
    (
        "restate",
        "WaitFirst",
        "func WaitFirst(ctx Context, futs ...Future) (resultFut Future, cancellationError error)",
        "the error is a TerminalError",
    ),
    (
        "restate",
        "Wait",
        "func Wait(ctx Context, futs ...Future) iter.Seq2[Future, error]",
        "yields TerminalError",
    ),
    (
        "restate",
        "Select",
        "func Select(ctx Context, futs ...Selectable) Selector // deprecated since v0.21",
        "removed: WaitFirst, Wait or WaitIter",
    ),
    (
        "restate",
        "Selectable",
        "type Selectable = Future // deprecated",
        "removed: Future",
    ),
    (
        "restate",
        "Selector",
        "type Selector interface { Remaining() bool; Select() Selectable }",
        "removed: WaitIterator (Next, Value, Err)",
    ),
    (
        "restate",
        "WithMaxAttempts",
        "func WithMaxAttempts(n int) InvocationRetryPolicyOption",
        "WithMaxRetryAttempts(maxAttempts uint)",
    ),
    (
        "restate",
        "WithInitialInterval",
        "func WithInitialInterval(d time.Duration) InvocationRetryPolicyOption",
        "WithInitialRetryInterval(d time.Duration)",
    ),
    (
        "restate",
        "WithMaxInterval",
        "func WithMaxInterval(d time.Duration) InvocationRetryPolicyOption",
        "WithMaxRetryInterval(d time.Duration)",
    ),
    (
        "restate",
        "WithExponentiationFactor",
        "func WithExponentiationFactor(f float64) InvocationRetryPolicyOption",
        "WithRetryIntervalFactor(f float32)",
    ),
    (
        "restate",
        "WithPayloadCodec",
        "func WithPayloadCodec(codec encoding.PayloadCodec) withPayloadCodec",
        "WithCodec(codec encoding.Codec)",
    ),
    (
        "restate",
        "WithHttpClient",
        "func WithHttpClient(c *http.Client) withHttpClient",
        "ingress.WithHttpClient",
    ),
    (
        "restate",
        "WithAuthKey",
        "func WithAuthKey(authKey string) withAuthKey",
        "ingress.WithAuthKey",
    ),
    (
        "restate",
        "IngressClientOption",
        "type IngressClientOption = options.IngressClientOption",
        "ingress.ClientOption",
    ),
    (
        "restate",
        "IngressRequestOption",
        "type IngressRequestOption = options.IngressRequestOption",
        "ingress.RequestOption",
    ),
    (
        "restate",
        "IngressSendOption",
        "type IngressSendOption = options.IngressSendOption",
        "ingress.SendOption",
    ),
    (
        "ingress",
        "AttachInvocation",
        "func AttachInvocation[O any](c *Client, invocationID string) InvocationHandle[O] // deprecated",
        "InvocationById",
    ),
    (
        "ingress",
        "AttachService",
        "func AttachService[O any](c *Client, serviceName, handlerName, idempotencyKey string) InvocationHandle[O] // deprecated",
        "ServiceInvocationByIdempotencyKey",
    ),
    (
        "ingress",
        "AttachObject",
        "func AttachObject[O any](c *Client, serviceName, objectKey, handlerName, idempotencyKey string) InvocationHandle[O] // deprecated",
        "ObjectInvocationByIdempotencyKey",
    ),
    (
        "ingress",
        "AttachWorkflow",
        "func AttachWorkflow[O any](c *Client, serviceName, workflowID string) InvocationHandle[O] // deprecated",
        "WorkflowHandle",
    ),
];

/// The 0.x entry of `pkg.name`, if its declaration changed in 1.0.
pub fn old_declaration(pkg: &str, name: &str) -> Option<(&'static str, &'static str)> {
    OLD.iter()
        .find(|(p, n, _, _)| *p == pkg && *n == name)
        .map(|(_, _, decl, now)| (*decl, *now))
}

/// The package (`restate` or `ingress`) and identifier an SDK reference at `node` names.
fn sdk_name<'t>(
    node: Node<'t>,
    sem: &Semantic<'t>,
    model: &FileModel,
) -> Option<(&'static str, &'t str)> {
    let src = sem.src();
    let parent = sem.parent(node)?;
    let pkg_of = |alias: &str| -> Option<&'static str> {
        let named = |p: &Option<PkgRef>| matches!(p, Some(PkgRef::Named(a)) if a == alias);
        if named(&model.restate) {
            Some("restate")
        } else if named(&model.ingress) {
            Some("ingress")
        } else {
            None
        }
    };
    match (node.kind(), parent.kind()) {
        ("field_identifier", "selector_expression") => {
            let op = field(parent, "operand")?;
            if op.kind() != "identifier" || sem.resolve(op).is_some() {
                return None;
            }
            Some((pkg_of(text(op, src))?, text(node, src)))
        }
        ("type_identifier", "qualified_type") => Some((
            pkg_of(text(field(parent, "package")?, src))?,
            text(node, src),
        )),
        ("identifier" | "type_identifier", _) if model.restate == Some(PkgRef::Dot) => {
            (sem.resolve(node).is_none()).then(|| ("restate", text(node, src)))
        }
        _ => None,
    }
}

/// Markdown for the identifier at `byte` when the module pins `version` (a 0.x release) and the
/// identifier's declaration differs there.
pub fn pinned(
    src: &str,
    tree: &Tree,
    model: &FileModel,
    byte: usize,
    version: &str,
) -> Option<String> {
    let node = tree
        .root_node()
        .named_descendant_for_byte_range(byte, byte)?;
    let sem = Semantic::build_at(src, tree, byte);
    let (pkg, name) = sdk_name(node, &sem, model)?;
    let (decl, now) = old_declaration(pkg, name)?;
    Some(format!(
        "**sdk-go {version}** (the version go.mod requires):\n\n```go\n{decl}\n```\n\nIn sdk-go 1.0: {now}."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::go::parse_str;
    use crate::analysis::model::extract;

    #[test]
    fn the_pinned_declaration_of_a_changed_identifier() {
        let src = "package p\n\nimport restate \"github.com/restatedev/sdk-go\"\n\nfunc f(ctx restate.Context) error {\n\treturn restate.TerminalError(nil, 409)\n}\n";
        let tree = parse_str(src);
        let model = extract(src, &tree);
        let at = src.find("TerminalError(").unwrap_or(0) + 2;
        let md = pinned(src, &tree, &model, at, "v0.24.0").expect("hover");
        assert!(
            md.contains("func TerminalError(err error, code ...Code) error"),
            "{md}"
        );
        assert!(md.contains("sdk-go v0.24.0"), "{md}");
        let at = src.find("Context)").unwrap_or(0);
        assert!(
            pinned(src, &tree, &model, at, "v0.24.0").is_none(),
            "unchanged in 1.0"
        );
    }
}
