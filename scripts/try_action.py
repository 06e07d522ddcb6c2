#!/usr/bin/env python3
"""Runs the shell steps of action.yml here, against local cargo-dist archives instead of GitHub.

    python3 scripts/try_action.py target/distrib [--paths examples/shop] [--annotations]

The composite action cannot run outside GitHub Actions (no runner, and the network here is
closed), but its own steps are plain bash. This script runs the "Install restate-lsp" and "Check"
steps exactly as written in action.yml, with the runner's environment variables set for a Linux
x64 runner and a stand-in `curl` on PATH that serves the requested release file from the given
directory (and logs each URL). It prints the URLs, the outputs the steps set and the SARIF
summary. It needs `dist build` to have produced the archive for x86_64-unknown-linux-musl; the
upload-sarif step (a GitHub-hosted action) is not run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

FAKE_CURL = """#!/usr/bin/env bash
# Stand-in for curl: `curl [flags] -o FILE URL` copies $DIST_DIR/<last part of URL> to FILE.
out="" url=""
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out=$2; shift 2 ;;
    --proto | --retry) shift 2 ;;
    -*) shift ;;
    *) url=$1; shift ;;
  esac
done
echo "$url" >> "$CURL_LOG"
src="$DIST_DIR/${url##*/}"
[ -f "$src" ] || { echo "curl: (22) The requested URL returned error: 404 ($url)" >&2; exit 22; }
cp "$src" "$out"
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dist_dir", type=Path)
    ap.add_argument("--paths", default="examples/shop")
    ap.add_argument("--annotations", action="store_true")
    ap.add_argument("--version", default="", help="the action's version input (default: empty)")
    ap.add_argument("--action-ref", default="", help="GITHUB_ACTION_REF, the ref the action is used at")
    args = ap.parse_args()

    action = yaml.safe_load((ROOT / "action.yml").read_text())
    steps = {s["name"]: s for s in action["runs"]["steps"]}
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        (t / "fakebin").mkdir()
        curl = t / "fakebin/curl"
        curl.write_text(FAKE_CURL)
        curl.chmod(0o755)
        for f in ("path", "output", "curl.log"):
            (t / f).touch()
        env = {
            **os.environ,
            "PATH": f"{t / 'fakebin'}:{os.environ['PATH']}",
            "RUNNER_OS": "Linux",
            "RUNNER_ARCH": "X64",
            "RUNNER_TEMP": str(t / "runner"),
            "GITHUB_PATH": str(t / "path"),
            "GITHUB_OUTPUT": str(t / "output"),
            "DIST_DIR": str(args.dist_dir.resolve()),
            "CURL_LOG": str(t / "curl.log"),
        }
        (t / "runner").mkdir()

        def run(name: str, step_env: dict[str, str]) -> int:
            step = steps[name]
            print(f"== step: {name}")
            return subprocess.run(["bash", "-e", "-c", step["run"]], cwd=ROOT, env={**env, **step_env}).returncode

        install = steps["Install restate-lsp"]["env"]
        rc = run("Install restate-lsp", {"VERSION": args.version, "REPO": install["REPO"],
                                         "GITHUB_ACTION_REF": args.action_ref})
        print("urls fetched:", *(t / "curl.log").read_text().split(), sep="\n  ")
        if rc != 0:
            print(f"install step failed with {rc}")
            return 1
        added = (t / "path").read_text().split()
        print("added to PATH:", added)
        env["PATH"] = ":".join(added + [env["PATH"]])
        sarif_file = t / "restate-lsp.sarif"
        rc = run("Check", {
            "PATHS": args.paths,
            "CONFIG": "",
            "SARIF": "true",
            "SARIF_FILE": str(sarif_file),
            "ANNOTATIONS": "true" if args.annotations else "false",
        })
        print(f"check step exit {rc}; outputs: {(t / 'output').read_text().split()}")
        sarif = json.loads(sarif_file.read_text())
        results = sarif["runs"][0]["results"]
        first = results[0]["locations"][0]["physicalLocation"] if results else None
        print(f"SARIF {sarif['version']}: {len(results)} results, first at {json.dumps(first)}")
        return rc


if __name__ == "__main__":
    sys.exit(main())
