---@brief
---
--- https://github.com/restate-lsp/restate-lsp
---
--- restate-lsp: diagnostics, quick fixes, hovers and snippets for Go code that uses the Restate SDK
--- (github.com/restatedev/sdk-go). It runs next to gopls; enable both.
---
--- Install the server with `:MasonInstall restate-lsp`, or put `restate-lsp` on your PATH:
--- ```sh
--- # macOS and Linux
--- curl --proto '=https' --tlsv1.2 -LsSf https://github.com/restate-lsp/restate-lsp/releases/latest/download/restate-lsp-installer.sh | sh
--- # Homebrew
--- brew install restate-lsp/tap/restate-lsp
--- # with a Rust toolchain
--- cargo install --locked restate-lsp
--- ```
---
--- Settings use the keys of `restate-lsp.toml` and win over that file:
--- ```lua
--- vim.lsp.config('restate_lsp', {
---   init_options = {
---     rules = { RS1007 = 'off', RS1001 = 'error' },
---     ['side-effects'] = { functions = { 'github.com/acme/payments.Charge' } },
---     ['blocked-key'] = { threshold = '1m' },
---   },
--- })
--- ```

---@type vim.lsp.Config
return {
  cmd = { 'restate-lsp' },
  -- gomod: go.mod carries the notice and the migration of a module that pins sdk-go 0.x
  filetypes = { 'go', 'gomod' },
  root_markers = { 'go.work', 'go.mod', '.git' },
}
