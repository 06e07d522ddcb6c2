#!/usr/bin/env python3
"""Checks that the files which download release assets name assets cargo-dist really produces.

action.yml, .pre-commit-hooks.yaml, the mason package definition, the cargo-binstall metadata in
Cargo.toml, the Zed extension's asset table and the VS Code packaging script each spell out
archive names and where the binary sits inside them. A renamed target, a changed archive format
(cargo-dist's default is .tar.xz, which Zed cannot unpack) or a typo would only show when a user
downloads. This script parses each file and compares it with `dist plan --output-format=json`,
the list of artifacts a release would have.

    python3 scripts/check_dist_files.py [--plan plan.json]   # without --plan it runs `dist plan`
    python3 scripts/check_dist_files.py --self-test          # the checks catch broken files

Exit status 0 when everything matches, 1 with one line per problem otherwise.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

try:
    import yaml
except ImportError:  # pragma: no cover - reported, never skipped
    sys.exit("check_dist_files: PyYAML is missing: pip install pyyaml")

ROOT = Path(__file__).resolve().parent.parent
MASON = ROOT / "editors/neovim/mason/restate-lsp/package.yaml"

# Platforms every installer must cover: the targets in dist-workspace.toml.
RUNNERS = {"Linux/X64", "Linux/ARM64", "macOS/X64", "macOS/ARM64", "Windows/X64"}
MASON_REQUIRED = {"darwin_arm64", "darwin_x64", "linux_arm64", "linux_x64", "win_x64"}
# mason-registry's platform names (its schema's enum, plus the musl variants packages use).
MASON_PLATFORMS = MASON_REQUIRED | {
    "linux_arm64_gnu", "linux_x64_gnu", "linux_arm64_musl", "linux_x64_musl", "win_arm64", "win_x86",
    "linux_x86", "linux_arm", "linux_armv7l", "linux_armv6l",
}
MASON_CATEGORIES = {"Compiler", "DAP", "Formatter", "LSP", "Linter", "Runtime"}
VSIX_TARGETS = {"linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64", "win32-x64"}


@dataclass(frozen=True)
class Archive:
    name: str  # restate-lsp-<triple>.tar.gz
    triple: str
    binary_inside: str  # path of the binary once unpacked
    checksum: str | None


def archives_from_plan(plan: dict) -> dict[str, Archive]:
    """The executable archives of the plan by target triple. cargo-dist puts tarballs' files under
    a directory named like the archive (without extension) and zips' files at the top."""
    out = {}
    for name, art in plan["artifacts"].items():
        if art.get("kind") != "executable-zip":
            continue
        exes = [a for a in art.get("assets", []) if a.get("kind") == "executable"]
        if len(exes) != 1 or len(art.get("target_triples", [])) != 1:
            raise SystemExit(f"check_dist_files: unexpected artifact shape for {name}: {art}")
        triple = art["target_triples"][0]
        exe = exes[0]["path"]
        if name.endswith(".zip"):
            inside = exe
        else:
            stem = re.sub(r"\.tar\.(gz|xz|zst)$", "", name)
            inside = f"{stem}/{exe}"
        out[triple] = Archive(name, triple, inside, art.get("checksum"))
    return out


def check_plan(plan: dict) -> list[str]:
    errors = []
    archives = archives_from_plan(plan)
    for a in archives.values():
        if not (a.name.endswith(".tar.gz") or a.name.endswith(".zip")):
            errors.append(f"dist: {a.name}: Zed's download_file unpacks .tar.gz and .zip only (set unix-archive)")
        if not a.checksum or a.checksum not in plan["artifacts"]:
            errors.append(f"dist: {a.name} has no checksum artifact")
    return errors


def check_action(action: dict, archives: dict[str, Archive]) -> list[str]:
    errors = []
    where = "action.yml"
    if action.get("runs", {}).get("using") != "composite":
        errors.append(f"{where}: runs.using must be composite")
    for key in ("version", "paths", "sarif", "annotations", "fail-on-findings"):
        if key not in action.get("inputs", {}):
            errors.append(f"{where}: input {key} is missing")
    steps = action.get("runs", {}).get("steps", [])
    uses = [s.get("uses", "") for s in steps]
    if not any(u.startswith("github/codeql-action/upload-sarif@") for u in uses):
        errors.append(f"{where}: no github/codeql-action/upload-sarif step")
    runs = "\n".join(s.get("run", "") for s in steps)
    for needle in ("restate-lsp check", "--format sarif", "--format github"):
        if needle not in runs:
            errors.append(f"{where}: no `{needle}` in the steps")
    # `Linux/X64) target=x86_64-unknown-linux-musl ;;` (several runners may share one line)
    covered = set()
    for runners, triple in re.findall(r"^\s*([\w/ |]+)\)\s*target=([\w.-]+)\s*;;", runs, re.M):
        for runner in (r.strip() for r in runners.split("|")):
            covered.add(runner)
            archive = archives.get(triple)
            if archive is None:
                errors.append(f"{where}: {runner} downloads {triple}, which dist does not build")
                continue
            ext = ".zip" if runner.startswith("Windows/") else ".tar.gz"
            if f"restate-lsp-{triple}{ext}" != archive.name:
                errors.append(f"{where}: {runner} expects restate-lsp-{triple}{ext}, dist builds {archive.name}")
    for missing in sorted(RUNNERS - covered):
        errors.append(f"{where}: no archive for runner {missing}")
    if '"${archive}.sha256"' not in runs:
        errors.append(f"{where}: the archive's .sha256 is not verified")
    # Tarballs hold one directory (stripped), zips are flat.
    if "--strip-components=1" not in runs:
        errors.append(f"{where}: tarballs hold restate-lsp-<triple>/; extract with --strip-components=1")
    return errors


def check_pre_commit(hooks: object, exe: str) -> list[str]:
    where = ".pre-commit-hooks.yaml"
    if not isinstance(hooks, list) or not hooks:
        return [f"{where}: must be a non-empty list of hooks"]
    errors = []
    for h in hooks:
        if not isinstance(h, dict):
            errors.append(f"{where}: {h!r} is not a hook")
            continue
        hid = h.get("id", "?")
        for key in ("id", "name", "entry", "language"):
            if not isinstance(h.get(key), str) or not h.get(key):
                errors.append(f"{where}: hook {hid} lacks {key}")
        entry = str(h.get("entry", "")).split()
        if entry[:2] != [exe, "check"]:
            errors.append(f"{where}: hook {hid} runs {' '.join(entry)!r}, not `{exe} check`")
        if h.get("language") not in ("rust", "system", "unsupported"):
            errors.append(f"{where}: hook {hid}: language {h.get('language')!r} cannot provide {exe}")
        if "go" not in h.get("types", []):
            errors.append(f"{where}: hook {hid} should run for Go files (types: [go])")
        # Workspace rules need every file, so the hook checks the repository, not the staged files.
        if h.get("pass_filenames") is not False:
            errors.append(f"{where}: hook {hid} must set pass_filenames: false")
    return errors


def check_mason(text: str, pkg: dict, archives: dict[str, Archive], cargo: dict) -> list[str]:
    where = MASON.relative_to(ROOT).as_posix()
    errors = []
    if not text.startswith("---\n"):
        errors.append(f"{where}: mason-registry requires the YAML header `---`")
    for key in ("name", "description", "homepage", "licenses", "languages", "categories", "source"):
        if key not in pkg:
            errors.append(f"{where}: {key} is missing")
    for c in pkg.get("categories", []):
        if c not in MASON_CATEGORIES:
            errors.append(f"{where}: category {c!r} is not one of {sorted(MASON_CATEGORIES)}")
    package = cargo["package"]
    repo = package["repository"].removeprefix("https://github.com/").rstrip("/")
    want_id = f"pkg:github/{repo}@v{package['version']}"
    source = pkg.get("source", {})
    if source.get("id") != want_id:
        errors.append(f"{where}: source.id is {source.get('id')!r}, the release is {want_id}")
    by_name = {a.name: a for a in archives.values()}
    seen = set()
    for asset in source.get("asset", []):
        target, file, bin_ = asset.get("target"), asset.get("file"), asset.get("bin")
        if target not in MASON_PLATFORMS:
            errors.append(f"{where}: target {target!r} is not a mason platform")
        seen.add(target)
        archive = by_name.get(file)
        if archive is None:
            errors.append(f"{where}: {target}: {file!r} is not an archive dist builds")
        elif bin_ != archive.binary_inside:
            errors.append(f"{where}: {target}: bin {bin_!r}, but {file} holds {archive.binary_inside}")
    for missing in sorted(MASON_REQUIRED - seen):
        errors.append(f"{where}: no asset for {missing}")
    if pkg.get("bin", {}).get("restate-lsp") != "{{source.asset.bin}}":
        errors.append(f"{where}: bin.restate-lsp must be \"{{{{source.asset.bin}}}}\"")
    lspconfig = pkg.get("neovim", {}).get("lspconfig")
    if not (ROOT / f"editors/neovim/lsp/{lspconfig}.lua").is_file():
        errors.append(f"{where}: neovim.lspconfig {lspconfig!r} has no editors/neovim/lsp/{lspconfig}.lua")
    return errors


def check_binstall(cargo: dict, archives: dict[str, Archive]) -> list[str]:
    where = "Cargo.toml [package.metadata.binstall]"
    package = cargo["package"]
    meta = package.get("metadata", {}).get("binstall")
    if not meta:
        return [f"{where}: missing"]
    errors = []
    suffixes = {"tgz": ".tar.gz", "txz": ".tar.xz", "zip": ".zip", "tar": ".tar"}
    for triple, archive in archives.items():
        m = {**meta, **meta.get("overrides", {}).get(triple, {})}
        vars_ = {
            "repo": package["repository"],
            "name": package["name"],
            "version": package["version"],
            "target": triple,
            "archive-suffix": suffixes.get(m.get("pkg-fmt", ""), "?"),
            "bin": package["name"],
            "binary-ext": ".exe" if "windows" in triple else "",
        }

        def render(template: str) -> str:
            return re.sub(r"\{ *([\w-]+) *\}", lambda g: vars_.get(g.group(1), "{?}"), template)

        url = render(m.get("pkg-url", ""))
        want = f"{package['repository']}/releases/download/v{package['version']}/{archive.name}"
        if url != want:
            errors.append(f"{where}: {triple}: pkg-url gives {url}, the asset is {want}")
        if render(m.get("bin-dir", "")) != archive.binary_inside:
            errors.append(f"{where}: {triple}: bin-dir gives {render(m.get('bin-dir', ''))}, the archive holds {archive.binary_inside}")
    return errors


def check_zed(source: str, archives: dict[str, Archive]) -> list[str]:
    where = "editors/zed/src/install.rs"
    triples = re.findall(r'\(Os::\w+, [^)]*\) => Ok\("([\w-]+)"\)', source)
    errors = [f"{where}: {t} is not a target dist builds" for t in triples if t not in archives]
    if set(triples) != set(archives):
        errors.append(f"{where}: its targets {sorted(set(triples))} differ from dist's {sorted(archives)}")
    return errors


def check_vscode(script: str, archives: dict[str, Archive]) -> list[str]:
    where = "editors/vscode/scripts/target.sh"
    errors = []
    mapped = {}
    for targets, triple in re.findall(r"^\s*([\w| -]+)\) echo ([\w-]+) ;;", script, re.M):
        for t in targets.split("|"):
            mapped[t.strip()] = triple
    for t in sorted(VSIX_TARGETS):
        if t not in mapped:
            errors.append(f"{where}: no archive for VSIX target {t}")
        elif mapped[t] not in archives:
            errors.append(f"{where}: {t} takes {mapped[t]}, which dist does not build")
    return errors


@dataclass
class Inputs:
    plan: dict
    cargo: dict
    action_text: str
    pre_commit: object
    mason_text: str
    zed: str
    vscode: str


def _load_or_none(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        print(f"{path.relative_to(ROOT)}: does not parse as YAML: {e}", file=sys.stderr)
        return None


def load(plan: dict) -> Inputs:
    return Inputs(
        plan=plan,
        cargo=tomllib.loads((ROOT / "Cargo.toml").read_text()),
        action_text=(ROOT / "action.yml").read_text(),
        # A file that does not parse is reported by check_pre_commit as "not a list of hooks".
        pre_commit=_load_or_none(ROOT / ".pre-commit-hooks.yaml"),
        mason_text=MASON.read_text(),
        zed=(ROOT / "editors/zed/src/install.rs").read_text(),
        vscode=(ROOT / "editors/vscode/scripts/target.sh").read_text(),
    )


def parse_yaml(where: str, text: str, errors: list[str]) -> dict:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        errors.append(f"{where}: does not parse as YAML: {e}")
        return {}
    if not isinstance(doc, dict):
        errors.append(f"{where}: is not a YAML mapping")
        return {}
    return doc


def check(i: Inputs) -> list[str]:
    errors = check_plan(i.plan)
    archives = archives_from_plan(i.plan)
    exe = i.cargo["package"]["name"]
    errors += check_action(parse_yaml("action.yml", i.action_text, errors), archives)
    errors += check_pre_commit(i.pre_commit, exe)
    errors += check_mason(i.mason_text, parse_yaml("mason package.yaml", i.mason_text, errors), archives, i.cargo)
    errors += check_binstall(i.cargo, archives)
    errors += check_zed(i.zed, archives)
    errors += check_vscode(i.vscode, archives)
    return errors


def self_test(good: Inputs) -> tuple[int, list[str]]:
    """Each broken variant must be caught, and the real files must pass: (cases run, failures)."""
    failures = []
    cases = 1
    if errs := check(good):
        failures.append(f"the real files do not pass: {errs}")

    def broken(what: str, mutate) -> None:
        nonlocal cases
        cases += 1
        i = copy.deepcopy(good)
        mutate(i)
        if i == good:
            failures.append(f"the mutation for {what!r} changed nothing (the file changed shape?)")
        elif not check(i):
            failures.append(f"not caught: {what}")

    def xz(i: Inputs) -> None:
        for name in [n for n in i.plan["artifacts"] if n.endswith(".tar.gz")]:
            art = i.plan["artifacts"].pop(name)
            art["name"] = name.replace(".tar.gz", ".tar.xz")
            i.plan["artifacts"][art["name"]] = art

    broken("dist switching to .tar.xz", xz)
    broken("mason naming a .tar.xz", lambda i: setattr(i, "mason_text", i.mason_text.replace(".tar.gz", ".tar.xz", 1)))
    broken("mason bin path without the archive's directory",
           lambda i: setattr(i, "mason_text", re.sub(r"bin: restate-lsp-[\w-]+/", "bin: ", i.mason_text, count=1)))
    broken("mason without its YAML header", lambda i: setattr(i, "mason_text", i.mason_text.removeprefix("---\n")))
    broken("action.yml losing the Linux ARM64 runner",
           lambda i: setattr(i, "action_text", re.sub(r"^\s*Linux/ARM64\).*\n", "", i.action_text, flags=re.M)))
    broken("action.yml downloading a gnu build",
           lambda i: setattr(i, "action_text", i.action_text.replace("x86_64-unknown-linux-musl", "x86_64-unknown-linux-gnu")))
    broken("action.yml that is not valid YAML",
           lambda i: setattr(i, "action_text", i.action_text.replace("description: \"Write SARIF", "description: Write: SARIF: x: \"", 1)))
    broken("action.yml without the SARIF upload",
           lambda i: setattr(i, "action_text", i.action_text.replace("github/codeql-action/upload-sarif@", "example/upload@")))
    broken("a pre-commit hook running another command",
           lambda i: i.pre_commit[0].__setitem__("entry", "restate-lsp explain"))
    broken("a pre-commit hook passing file names", lambda i: i.pre_commit[0].pop("pass_filenames"))
    broken("binstall metadata with the wrong archive format",
           lambda i: i.cargo["package"]["metadata"]["binstall"].__setitem__("pkg-fmt", "txz"))
    broken("binstall metadata without the archive's directory",
           lambda i: i.cargo["package"]["metadata"]["binstall"].__setitem__("bin-dir", "{ bin }{ binary-ext }"))
    broken("the Zed extension naming a gnu target",
           lambda i: setattr(i, "zed", i.zed.replace('Ok("x86_64-unknown-linux-musl")', 'Ok("x86_64-unknown-linux-gnu")')))
    broken("the VS Code script missing darwin-arm64",
           lambda i: setattr(i, "vscode", re.sub(r"^\s*darwin-arm64\).*\n", "", i.vscode, flags=re.M)))
    return cases, failures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plan", type=Path, help="output of `dist plan --output-format=json` (default: run it)")
    ap.add_argument("--self-test", action="store_true", help="check that broken files are caught")
    args = ap.parse_args()
    if args.plan:
        plan = json.loads(args.plan.read_text())
    else:
        try:
            out = subprocess.run(["dist", "plan", "--output-format=json"], cwd=ROOT, check=True,
                                 capture_output=True, text=True).stdout
        except FileNotFoundError:
            print("check_dist_files: `dist` is missing: cargo install cargo-dist --locked", file=sys.stderr)
            return 1
        except subprocess.CalledProcessError as e:
            print(f"check_dist_files: dist plan failed:\n{e.stderr}", file=sys.stderr)
            return 1
        plan = json.loads(out)
    inputs = load(plan)
    if args.self_test:
        cases, failures = self_test(inputs)
        for f in failures:
            print(f"check_dist_files self-test: {f}", file=sys.stderr)
        print(f"check_dist_files self-test: {cases - len(failures)} passed, {len(failures)} failed")
        return 1 if failures else 0
    errors = check(inputs)
    for e in errors:
        print(e, file=sys.stderr)
    archives = archives_from_plan(plan)
    if not errors:
        print(f"check_dist_files: action.yml, .pre-commit-hooks.yaml, the mason package, binstall, Zed and "
              f"VS Code agree with dist's {len(archives)} archives: {', '.join(sorted(a.name for a in archives.values()))}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
