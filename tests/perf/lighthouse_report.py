"""Lighthouse's JSON reports read into scores, and the scores written into docs/performance.md.

Plain functions on plain data, so that they are tested without Node, Chromium or a server.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

START = "<!-- lighthouse:results:start -->"
END = "<!-- lighthouse:results:end -->"

# Lighthouse's own category ids, in the order its report shows them.
CATEGORIES = [
    ("performance", "Performance"),
    ("accessibility", "Accessibility"),
    ("best-practices", "Best practices"),
    ("seo", "SEO"),
]
TARGET = 95


@dataclass
class PageScores:
    name: str
    path: str
    scores: dict[str, int | None]
    # "category: audit title (score)" for every weighted audit that did not fully pass.
    failing: list[str] = field(default_factory=list)
    # The performance score of every run, in order, when the page was measured more than once.
    runs: list[int] = field(default_factory=list)

    @property
    def below_target(self) -> list[str]:
        return [
            title
            for key, title in CATEGORIES
            if self.scores.get(key) is None or self.scores[key] < TARGET
        ]


def median_report(reports: list[dict]) -> dict:
    """The run whose performance score is the median: the other categories do not vary
    between runs, performance does (Lighthouse's own advice is the median of several)."""
    ranked = sorted(reports, key=lambda r: r["categories"]["performance"]["score"] or 0)
    return ranked[(len(ranked) - 1) // 2]


def performance(report: dict) -> int | None:
    score = report.get("categories", {}).get("performance", {}).get("score")
    return None if score is None else round(score * 100)


def page_scores(name: str, path: str, report: dict, runs: list[dict] = ()) -> PageScores:
    """The four category scores (0–100) of `report` and the weighted audits that cost
    points; `runs` are all the page's reports, `report` among them."""
    categories = report.get("categories", {})
    audits = report.get("audits", {})
    scores: dict[str, int | None] = {}
    failing: list[str] = []
    for key, title in CATEGORIES:
        category = categories.get(key)
        score = None if category is None else category.get("score")
        scores[key] = None if score is None else round(score * 100)
        for ref in (category or {}).get("auditRefs", []):
            audit = audits.get(ref["id"], {})
            if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
                failing.append(f"{title}: {audit.get('title', ref['id'])} ({audit['score']:.2f})")
    return PageScores(
        name=name,
        path=path,
        scores=scores,
        failing=failing,
        runs=[performance(run) for run in runs] if len(runs) > 1 else [],
    )


def _cell(score: int | None) -> str:
    if score is None:
        return "–"
    return str(score) if score >= TARGET else f"**{score}**"


def results_markdown(pages: list[PageScores], *, header_lines: list[str]) -> str:
    headers = ["page", "address", *(title for _, title in CATEGORIES), "performance, each run"]
    rows = [
        [
            page.name,
            f"`{page.path}`",
            *(_cell(page.scores.get(key)) for key, _ in CATEGORIES),
            ", ".join("–" if run is None else str(run) for run in page.runs) or "–",
        ]
        for page in pages
    ]
    table = [
        "| " + " | ".join(headers) + " |",
        "| --- | --- | " + " | ".join("---:" for _ in CATEGORIES) + " | ---: |",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]
    lines = [*header_lines, "", *table, ""]
    failing = [page for page in pages if page.failing]
    if failing:
        lines.append("Weighted audits that did not fully pass:")
        lines.append("")
        lines += [f"- {page.name}: {'; '.join(page.failing)}" for page in failing]
    else:
        lines.append("Every weighted audit passed on every page.")
    below = [page for page in pages if page.below_target]
    lines.append("")
    if below:
        lines.append(
            f"Below {TARGET}: "
            + "; ".join(f"{page.name} ({', '.join(page.below_target)})" for page in below)
        )
    else:
        lines.append(f"Every page scores at least {TARGET} in all four categories.")
    return "\n".join(lines)


def replace_results(text: str, block: str) -> str:
    """The text with what stands between the markers replaced; markers added at the end
    when the document has none yet."""
    if START not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n{START}\n{END}\n"
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)
    return pattern.sub(lambda _: f"{START}\n{block}\n{END}", text, count=1)


def write_results(doc: Path, block: str) -> None:
    doc.write_text(replace_results(doc.read_text(), block))
