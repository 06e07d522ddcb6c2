---@brief
---
--- restate-lsp: diagnostics, quick fixes, hovers and snippets for Go code that uses the Restate SDK
--- (github.com/restatedev/sdk-go). It runs next to gopls; enable both.
---
--- Install the server (puts `restate-lsp` in ~/.cargo/bin):
--- ```sh
--- cargo install --locked --path .   # in a restate-lsp checkout
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
