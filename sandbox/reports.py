"""Machine-readable reports of a run: JUnit XML (for CI) and JSON.

Both take the same list of ``Case``: one test case per check of ``check``, or per delivery of
``replay``. A case has a verdict (passed or not), a one-line message and optional details.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Case:
    """One verdict of a run."""

    name: str
    classname: str
    passed: bool
    message: str = ""
    seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)


def junit_xml(suite: str, cases: list[Case]) -> str:
    """Render ``cases`` as one JUnit ``<testsuite>`` inside ``<testsuites>``."""
    failures = sum(1 for c in cases if not c.passed)
    total = sum(c.seconds for c in cases)
    root = ET.Element("testsuites", name=suite, tests=str(len(cases)), failures=str(failures),
                      errors="0", time=f"{total:.3f}")
    element = ET.SubElement(root, "testsuite", name=suite, tests=str(len(cases)),
                            failures=str(failures), errors="0", skipped="0", time=f"{total:.3f}")
    for case in cases:
        node = ET.SubElement(element, "testcase", name=case.name, classname=case.classname,
                             time=f"{case.seconds:.3f}")
        if not case.passed:
            failure = ET.SubElement(node, "failure", message=case.message, type="AssertionError")
            failure.text = _details_text(case)
        elif case.details:
            ET.SubElement(node, "system-out").text = _details_text(case)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _details_text(case: Case) -> str:
    lines = [case.message] if case.message else []
    lines += [f"{key}: {value}" for key, value in case.details.items() if value not in (None, "")]
    return "\n".join(lines)


def write_junit(path: str | Path, suite: str, cases: list[Case]) -> None:
    """Write the JUnit XML report to ``path``."""
    Path(path).write_text(junit_xml(suite, cases), "utf-8")


def as_json(suite: str, cases: list[Case], **extra: Any) -> str:
    """Render ``cases`` as one JSON document: ``{suite, passed, failed, cases[], ...extra}``."""
    failed = sum(1 for c in cases if not c.passed)
    document = {"suite": suite, "ok": failed == 0, "passed": len(cases) - failed, "failed": failed,
                **extra, "cases": [asdict(c) for c in cases]}
    return json.dumps(document, indent=2, ensure_ascii=False)
