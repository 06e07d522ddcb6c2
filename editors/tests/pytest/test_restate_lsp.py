"""restate-lsp under pytest-lsp, with the client capabilities recorded from real editors.

Run:  RESTATE_LSP=/path/to/restate-lsp pytest -q editors/tests/pytest
      (editors/tests/run.sh does this with its own venv: pytest-lsp 1.0.1 / pygls 2.1.1)

Each test runs once per client profile that pytest-lsp ships (VS Code 1.65.2, Neovim 0.7.0 and
0.11.0, Emacs 29.1), so the server sees the initialize params those editors send.
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import shutil

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

HERE = pathlib.Path(__file__).resolve().parent
SERVER = os.environ.get("RESTATE_LSP") or shutil.which("restate-lsp") or str(
    HERE.parents[2] / "target" / "release" / "restate-lsp"
)
FIXTURE = pathlib.Path(os.environ.get("FIXTURE_DIR") or HERE.parent / "fixtures" / "shop").resolve()
HANDLER = FIXTURE / "handler.go"
HANDLER_URI = HANDLER.as_uri()
HANDLER_TEXT = HANDLER.read_text()
PROFILES = ["visual-studio-code", "neovim@v0.7.0", "neovim@v0.11.0", "emacs"]

SLEEP_LINE = 13  # 0-based: `\trestate.Sleep(ctx, time.Second)` (RS3004)
TIME_SLEEP_LINE = 12  # `\ttime.Sleep(time.Second)` (RS1002)
FIXED = "if err := restate.Sleep(ctx, time.Second); err != nil {"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[SERVER]), params=PROFILES)
async def client(lsp_client: LanguageClient, request):
    # The server registers file watchers when the client supports dynamic registration.
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def _register(params: types.RegistrationParams):
        lsp_client.registrations = [r.method for r in params.registrations]
        return None

    lsp_client.registrations = []
    lsp_client.profile = request.param
    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            root_uri=FIXTURE.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=FIXTURE.as_uri(), name="shop")],
        )
    )
    lsp_client.init_result = result
    yield
    await lsp_client.shutdown_session()


def open_handler(client: LanguageClient, text: str = HANDLER_TEXT, version: int = 0) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=HANDLER_URI, language_id="go", version=version, text=text)
        )
    )


async def wait_for_codes(client: LanguageClient, uri: str, codes: set[str], timeout: float = 10.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        got = {str(d.code) for d in client.diagnostics.get(uri, [])}
        if codes <= got:
            return list(client.diagnostics[uri])
        await asyncio.sleep(0.05)
    got = [(d.code, d.message) for d in client.diagnostics.get(uri, [])]
    raise AssertionError(f"no {sorted(codes)} for {uri} within {timeout}s; got {got}")


def offers_utf8(client: LanguageClient) -> bool:
    general = client.capabilities.general if client.capabilities else None
    encs = (general.position_encodings if general else None) or []
    return types.PositionEncodingKind.Utf8 in encs


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP edits (ASCII text, so UTF-8 and UTF-16 columns agree) from the bottom up."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)

    def off(p: types.Position) -> int:
        return min(offsets[p.line] + p.character, len(text)) if p.line < len(lines) else len(text)

    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: off(e.range.start)] + e.new_text + text[off(e.range.end) :]
    return text


@pytest.mark.asyncio
async def test_initialize(client: LanguageClient):
    res = client.init_result
    caps = res.capabilities
    assert res.server_info and res.server_info.name == "restate-lsp"
    assert caps.text_document_sync is not None
    assert caps.document_symbol_provider
    assert caps.workspace_symbol_provider
    assert caps.hover_provider and caps.code_action_provider and caps.completion_provider
    # UTF-8 only when the client offers it (Neovim 0.11 does), else UTF-16, the LSP default
    if offers_utf8(client):
        assert caps.position_encoding == types.PositionEncodingKind.Utf8
    else:
        assert caps.position_encoding in (types.PositionEncodingKind.Utf16, None)


@pytest.mark.asyncio
async def test_diagnostics(client: LanguageClient):
    open_handler(client)
    diags = await wait_for_codes(client, HANDLER_URI, {"RS1002", "RS3004"})
    by_code = {str(d.code): d for d in diags}
    for d in diags:
        assert d.source == "restate", d
    assert by_code["RS1002"].range.start.line == TIME_SLEEP_LINE
    assert by_code["RS1002"].severity == types.DiagnosticSeverity.Warning
    assert "time.Sleep" in by_code["RS1002"].message
    assert by_code["RS3004"].range.start.line == SLEEP_LINE
    pd = client.capabilities.text_document.publish_diagnostics if client.capabilities.text_document else None
    if pd is not None and pd.code_description_support:
        href = by_code["RS1002"].code_description.href
        assert "RS1002" in href, href
    # main.go is clean: nothing for it even after the workspace index is built
    await asyncio.sleep(0.3)
    assert not client.diagnostics.get((FIXTURE / "main.go").as_uri())


@pytest.mark.asyncio
async def test_diagnostics_follow_edits(client: LanguageClient):
    open_handler(client)
    await wait_for_codes(client, HANDLER_URI, {"RS1002"})
    fixed = HANDLER_TEXT.replace("\ttime.Sleep(time.Second)\n", "")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=HANDLER_URI, version=1),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)],
        )
    )
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while loop.time() < deadline:
        codes = {str(d.code) for d in client.diagnostics.get(HANDLER_URI, [])}
        if "RS1002" not in codes and "RS3004" in codes:
            break
        await asyncio.sleep(0.05)
    assert codes == {"RS3004"}


@pytest.mark.asyncio
async def test_document_symbols(client: LanguageClient):
    open_handler(client)
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=HANDLER_URI))
    )
    assert symbols, "no document symbols"
    names = []
    for s in symbols:
        names.append(s.name)
        for c in getattr(s, "children", None) or []:
            names.append(c.name)
    assert any("Svc" in n for n in names), names
    assert any("Pay" in n for n in names), names


@pytest.mark.asyncio
async def test_workspace_symbols(client: LanguageClient):
    open_handler(client)
    await wait_for_codes(client, HANDLER_URI, {"RS1002"})
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    found = []
    while loop.time() < deadline and not found:
        found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="Pay")) or []
        if not found:
            await asyncio.sleep(0.1)
    assert any("Pay" in s.name for s in found), found


@pytest.mark.asyncio
async def test_hover(client: LanguageClient):
    assert client.init_result.capabilities.hover_provider, "server does not announce hoverProvider"
    open_handler(client)
    await wait_for_codes(client, HANDLER_URI, {"RS3004"})
    col = HANDLER_TEXT.split("\n")[SLEEP_LINE].index("Sleep")
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=HANDLER_URI),
            position=types.Position(line=SLEEP_LINE, character=col),
        )
    )
    assert hover is not None, "hover on restate.Sleep returned null"
    assert isinstance(hover.contents, types.MarkupContent), hover.contents
    assert "Sleep" in hover.contents.value


@pytest.mark.asyncio
async def test_code_action_check_the_error(client: LanguageClient):
    assert client.init_result.capabilities.code_action_provider, "server does not announce codeActionProvider"
    open_handler(client)
    diags = await wait_for_codes(client, HANDLER_URI, {"RS3004"})
    rs3004 = [d for d in diags if str(d.code) == "RS3004"]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=HANDLER_URI),
            range=rs3004[0].range,
            context=types.CodeActionContext(diagnostics=rs3004),
        )
    )
    titles = [a.title for a in actions or []]
    fix = next((a for a in actions or [] if a.title == "Check the error"), None)
    assert fix is not None, titles
    assert isinstance(fix, types.CodeAction)
    if fix.edit is None and client.init_result.capabilities.code_action_provider is not True:
        fix = await client.code_action_resolve_async(fix)
    assert fix.edit is not None, fix
    edits = []
    if fix.edit.changes:
        edits = list(fix.edit.changes.get(HANDLER_URI, []))
    for dc in fix.edit.document_changes or []:
        if isinstance(dc, types.TextDocumentEdit) and dc.text_document.uri == HANDLER_URI:
            edits.extend(e for e in dc.edits if isinstance(e, types.TextEdit))
    assert edits, fix.edit
    assert FIXED in apply_edits(HANDLER_TEXT, edits)


@pytest.mark.asyncio
async def test_survives_malformed_input(client: LanguageClient):
    stdin = client._server.stdin  # the server process's stdin (pygls keeps the subprocess here)
    def frame(body: bytes) -> bytes:
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    for raw in [
        frame(b"not json!"),
        frame(b"[]"),  # JSON, not an object
        b"Content-Lnegth: 3\r\n\r\n",  # no usable Content-Length header
        frame(b'{"jsonrpc":"2.0","method":42}'),  # not JSON-RPC
        frame(b'{"jsonrpc":"2.0","id":"raw-1","method":"textDocument/hover","params":{"textDocument":7}}'),
        frame(b'{"jsonrpc":"2.0","method":"initialized","params":{"bad":"\xff\xfe"}}'),  # invalid UTF-8
        # a document that is not Go at all, with a lone surrogate escape and an emoji
        frame(b'{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///x/y.go",'
              b'"languageId":"go","version":0,"text":"package x\\nfunc (\\ud83d\\ude00 \\ud800 {{{"}}}'),
    ]:
        stdin.write(raw)
    await stdin.drain()
    # an unknown request is answered with an error, not a crash
    with pytest.raises(Exception):
        await asyncio.wait_for(client.protocol.send_request_async("restate/noSuchMethod", {}), 5)
    # and the session goes on
    open_handler(client)
    await wait_for_codes(client, HANDLER_URI, {"RS1002", "RS3004"})
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=HANDLER_URI))
    )
    assert symbols
    assert client._server.returncode is None


@pytest.mark.asyncio
async def test_completion_snippets(client: LanguageClient):
    """Pattern snippets come as completion items; snippet syntax only for clients that support it."""
    text = HANDLER_TEXT.replace('\treturn "", nil\n', '\trsru\n\treturn "", nil\n')
    open_handler(client, text)
    await wait_for_codes(client, HANDLER_URI, {"RS1002"})
    line = text.split("\n").index("\trsru")
    res = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=HANDLER_URI),
            position=types.Position(line=line, character=len("\trsru")),
        )
    )
    items = res.items if isinstance(res, types.CompletionList) else list(res or [])
    rsrun = next((i for i in items if i.label == "rsrun"), None)
    assert rsrun is not None, [i.label for i in items]
    body = rsrun.text_edit.new_text if rsrun.text_edit else (rsrun.insert_text or "")
    assert "restate.Run(" in body, body
    td = client.capabilities.text_document
    snippets = bool(td and td.completion and td.completion.completion_item and td.completion.completion_item.snippet_support)
    if snippets:
        assert rsrun.insert_text_format == types.InsertTextFormat.Snippet
        assert "${" in body
    else:
        assert rsrun.insert_text_format in (None, types.InsertTextFormat.PlainText)
        assert "${" not in body


@pytest.mark.asyncio
async def test_code_lens_copy_curl(client: LanguageClient):
    """The handler gets a `POST /Svc/Pay` lens running the client-side restate.copyIngressCurl."""
    open_handler(client)
    await wait_for_codes(client, HANDLER_URI, {"RS1002"})
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    lens = None
    while loop.time() < deadline and lens is None:
        lenses = await client.text_document_code_lens_async(
            types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=HANDLER_URI))
        )
        lens = next((lz for lz in lenses or [] if lz.command and lz.command.command == "restate.copyIngressCurl"), None)
        if lens is None:
            await asyncio.sleep(0.1)
    assert lens is not None, "no restate.copyIngressCurl code lens"
    assert "/Svc/Pay" in lens.command.title
    assert lens.range.start.line == 11  # func (Svc) Pay(...)
    args = lens.command.arguments or []
    assert args and isinstance(args[0], str) and args[0].startswith("curl ") and "/Svc/Pay" in args[0], args
