"""Lighthouse's reports read into scores and written into the docs, without Node or a browser."""

from tests.perf.lighthouse_report import (
    END,
    START,
    median_report,
    page_scores,
    replace_results,
    results_markdown,
)


def report(performance=0.99, seo=1.0, *, meta_description=1.0) -> dict:
    """A Lighthouse JSON report cut down to what the scores are read from."""
    return {
        "categories": {
            "performance": {
                "score": performance,
                "auditRefs": [{"id": "total-blocking-time", "weight": 30}],
            },
            "accessibility": {"score": 1.0, "auditRefs": [{"id": "color-contrast", "weight": 7}]},
            "best-practices": {"score": 1.0, "auditRefs": []},
            "seo": {
                "score": seo,
                "auditRefs": [
                    {"id": "meta-description", "weight": 1},
                    {"id": "structured-data", "weight": 0},
                ],
            },
        },
        "audits": {
            "total-blocking-time": {"title": "Total Blocking Time", "score": performance},
            "color-contrast": {"title": "Contrast", "score": 1},
            "meta-description": {
                "title": "Document has a meta description",
                "score": meta_description,
            },
            "structured-data": {"title": "Structured data is valid", "score": None},
        },
    }


def test_scores_are_whole_percentages_per_category():
    scores = page_scores("Home", "/", report(performance=0.987, seo=0.91))

    assert scores.scores == {
        "performance": 99,
        "accessibility": 100,
        "best-practices": 100,
        "seo": 91,
    }


def test_weighted_audits_that_did_not_pass_are_named_with_their_category():
    scores = page_scores("Home", "/", report(performance=0.8, seo=0.91, meta_description=0))

    assert scores.failing == [
        "Performance: Total Blocking Time (0.80)",
        "SEO: Document has a meta description (0.00)",
    ]


def test_a_page_is_below_target_in_each_category_under_95():
    scores = page_scores("Cart", "/cart/", report(performance=0.94, seo=0.91))

    assert scores.below_target == ["Performance", "SEO"]


def test_a_page_at_95_everywhere_meets_the_target():
    assert page_scores("Cart", "/cart/", report(performance=0.95, seo=0.95)).below_target == []


def test_each_runs_performance_is_shown_beside_the_median():
    runs = [report(performance=0.99), report(performance=0.70), report(performance=0.96)]
    scores = page_scores("Home", "/", median_report(runs), runs)

    block = results_markdown([scores], header_lines=[])

    assert "| Home | `/` | 96 | 100 | 100 | 100 | 99, 70, 96 |" in block


def test_the_median_run_by_performance_counts():
    runs = [report(performance=0.99), report(performance=0.70), report(performance=0.96)]

    assert median_report(runs) is runs[2]


def test_the_docs_table_marks_scores_below_target_and_lists_what_failed():
    pages = [
        page_scores("Home", "/", report()),
        page_scores("Cart", "/cart/", report(seo=0.91, meta_description=0)),
    ]

    block = results_markdown(pages, header_lines=["Measured today."])

    assert "| page | address | Performance | Accessibility | Best practices | SEO |" in block
    assert "| Home | `/` | 99 | 100 | 100 | 100 | – |" in block
    assert "| Cart | `/cart/` | 99 | 100 | 100 | **91** | – |" in block
    assert "- Cart: Performance: Total Blocking Time (0.99); SEO: Document has a meta" in block
    assert "Below 95: Cart (SEO)" in block


def test_the_docs_table_says_when_every_page_meets_the_target():
    block = results_markdown([page_scores("Home", "/", report())], header_lines=[])

    assert "Every page scores at least 95 in all four categories." in block


def test_new_results_replace_the_previous_table_between_the_markers():
    doc = f"# Performance\n\nBefore.\n\n{START}\nold table\n{END}\n\nAfter.\n"

    updated = replace_results(doc, "new table")

    assert updated == f"# Performance\n\nBefore.\n\n{START}\nnew table\n{END}\n\nAfter.\n"


def test_a_document_without_markers_gets_them_at_the_end():
    updated = replace_results("# Performance\n", "table")

    assert updated == f"# Performance\n\n{START}\ntable\n{END}\n"
