"""checkov's JSON report read the same way by every flavor's validation: what fails, and the counts.

A skip without a reason counts as a failure: every exemption must say why it is safe.
"""

from __future__ import annotations

import json
from typing import Any


def checkov_report(output: str) -> tuple[list[str], str]:
    """Failed checks, parse errors and skips without a reason from checkov's JSON report, and its counts."""
    try:
        parsed: Any = json.loads(output)
    except json.JSONDecodeError:
        return [f"checkov printed no JSON report:\n{output[-3000:]}"], ""
    reports = parsed if isinstance(parsed, list) else [parsed]
    problems = []
    counts = dict.fromkeys(("passed", "failed", "skipped", "parsing_errors"), 0)
    for report in reports:
        for key in counts:
            counts[key] += int(report.get("summary", {}).get(key, 0))
        results = report.get("results", {})
        for check in results.get("failed_checks", []):
            location = f"{check['file_path'].lstrip('/')}:{check['file_line_range'][0]}"
            problems.append(f"{location}: {check['check_id']} {check['resource']}: {check['check_name']}")
        for check in results.get("skipped_checks", []):
            if not (check.get("check_result", {}).get("suppress_comment") or "").strip():
                problems.append(f"{check['file_path'].lstrip('/')}: skip of {check['check_id']} gives no reason")
    if counts["parsing_errors"]:
        problems.append(f"checkov could not parse {counts['parsing_errors']} file(s)")
    if not counts["passed"] + counts["failed"]:
        problems.append("checkov ran no check: were the files found?")
    return problems, ", ".join(f"{count} {key.replace('_', ' ')}" for key, count in counts.items())
