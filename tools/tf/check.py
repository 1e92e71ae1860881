"""`make tf-check`: the offline checks of infra/terraform, with one summary line at the end.

terraform fmt -check; checkov (0 failed checks; a skip needs a written reason beside it); the provider
schema check (tools/tf/schema.py); the wiring checks (tools/tf/wiring.py), which count the README's
too (tools/tf/docs.py: the generated tables are up to date, no `-replace` advice). Every module and
example under --dir is checked.
Last line: tf-check fmt=ok checkov_failed=N schema_errors=N wiring_errors=N (exit 1 unless all pass).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tools.tf import docs, schema, wiring
from tools.tf.hcl import module_dirs

# A checkov skip comment, and the reason it must carry after the second colon.
_SKIP = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+)(?::(.*))?")


def unexplained_skips(tf_dir: Path) -> list[str]:
    found = []
    for directory in module_dirs(tf_dir):
        for path in sorted(directory.glob("*.tf")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                match = _SKIP.search(line)
                if match and len((match.group(2) or "").strip()) < 10:
                    where = path.relative_to(tf_dir).as_posix()
                    found.append(f"{where}:{number}: checkov skip {match.group(1)} without a reason")
    return found


def checkov_failures(process: subprocess.Popen[str]) -> list[str]:
    out, err = process.communicate(timeout=300)
    try:
        report = json.loads(out)
    except json.JSONDecodeError:
        return [f"checkov did not run: {err.strip()[-1000:]}"]
    reports = report if isinstance(report, list) else [report]
    if not any(item.get("summary", {}).get("passed", 0) for item in reports):
        return ["checkov passed no check: did it read the module?"]
    failures = []
    for item in reports:
        if item.get("summary", {}).get("parsing_errors"):
            failures.append(f"checkov: {item['summary']['parsing_errors']} file(s) it could not parse")
        for check in item.get("results", {}).get("failed_checks", []):
            where = f"{check['resource']} ({check['file_path']})"
            failures.append(f"checkov {check['check_id']} {where}: {check['check_name']}")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path("infra/terraform"))
    parser.add_argument("--checkov", default="checkov", help="the checkov executable")
    args = parser.parse_args()

    if shutil.which("terraform") is None:
        print("terraform is not installed (https://developer.hashicorp.com/terraform/install)")
        print("tf-check fmt=missing checkov_failed=? schema_errors=? wiring_errors=?")
        return 1
    checkov = subprocess.Popen(  # the slowest step runs meanwhile
        [
            args.checkov,
            "-d",
            str(args.dir),
            "--framework",
            "terraform",
            "--skip-download",
            "--quiet",
            "-o",
            "json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    fmt = subprocess.run(
        ["terraform", "fmt", "-check", "-recursive", "-diff", str(args.dir)], capture_output=True, text=True
    )
    if fmt.returncode != 0:
        print(fmt.stdout + fmt.stderr)
    schema_errors = schema.check_dir(args.dir, schema.ProviderSchema.load())
    wiring_errors = wiring.check_dir(args.dir) + docs.check_dir(args.dir)
    checkov_failed = checkov_failures(checkov) + unexplained_skips(args.dir)

    for error in checkov_failed + schema_errors + wiring_errors:
        print(error)
    print(
        f"tf-check fmt={'ok' if fmt.returncode == 0 else 'failed'} checkov_failed={len(checkov_failed)} "
        f"schema_errors={len(schema_errors)} wiring_errors={len(wiring_errors)}"
    )
    return 0 if fmt.returncode == 0 and not (checkov_failed or schema_errors or wiring_errors) else 1


if __name__ == "__main__":
    sys.exit(main())
