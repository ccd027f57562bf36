"""The autograder's report card: pass, fail or skip per check, and a failure's likely mistake."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

EXIT_CAP = 100  # the exit code is the number of failed checks, at most this


@dataclass
class Result:
    name: str
    title: str
    status: str  # "pass", "fail" or "skip"
    details: str = ""
    mistake: str = ""  # the likely cause, in plain words
    seconds: float = 0.0


@dataclass
class Report:
    engine: str
    results: list[Result] = field(default_factory=list)

    @property
    def failed(self) -> list[Result]:
        return [r for r in self.results if r.status == "fail"]

    @property
    def passed(self) -> bool:
        """True when no check failed (skipped checks, for methods the class lacks, do not count)."""
        return not self.failed

    def __getitem__(self, name: str) -> Result:
        for result in self.results:
            if result.name == name:
                return result
        raise KeyError(f"no check named {name!r} in this report")

    def exit_code(self) -> int:
        return min(len(self.failed), EXIT_CAP)

    def to_json(self) -> str:
        counts = {s: sum(r.status == s for r in self.results) for s in ("pass", "fail", "skip")}
        return json.dumps(
            {"engine": self.engine, **counts, "results": [asdict(r) for r in self.results]},
            indent=2,
        )

    def text(self) -> str:
        mark = {"pass": "PASS", "fail": "FAIL", "skip": "skip"}
        lines = [f"Report card for {self.engine}"]
        for r in self.results:
            lines.append(f"  {mark[r.status]}  {r.name:<18} {r.title}")
            if r.status == "skip":
                lines[-1] += f"  ({r.details})"
            if r.status == "fail":
                lines.append(f"        got: {r.details}")
                if r.mistake:
                    lines.append(f"        likely mistake: {r.mistake}")
        counts = [sum(r.status == s for r in self.results) for s in ("pass", "fail", "skip")]
        lines.append("{} passed, {} failed, {} skipped".format(*counts))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def _repr_pretty_(
        self, printer, cycle: bool
    ) -> None:  # IPython shows the card, not the dataclass
        printer.text(self.text())
