"""Charts drawn on the server as inline SVG.

No script, no outside host, and no `style` attributes (the content security
policy refuses inline styles): colours are presentation attributes, sizes come
from the viewBox, so the chart scales to the width of a phone.
"""

from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 360
ROW = 44
LABEL_SIZE = 14
BAR_HEIGHT = 16
# Room on the right of the longest bar for its value.
VALUE_ROOM = 96
BAR_FILL = "#1f5f3a"
TEXT_FILL = "#1d1d1b"
TENTH = Decimal("0.1")
MAX_LABEL = 44


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def horizontal_bar_chart(
    *,
    title: str,
    bars: Sequence[tuple[str, Decimal]],
    value_label: Callable[[Decimal], str] = str,
    chart_id: str = "chart",
) -> SafeString:
    """One labelled bar per (label, value), longest value full width. Empty string if no bars.

    Labels sit above their bars rather than beside them so that long co-op names
    stay readable on a narrow screen. Every piece of text is escaped.
    """
    if not bars:
        return mark_safe("")
    largest = max((value for _, value in bars), default=Decimal("0"))
    room = Decimal(WIDTH - VALUE_ROOM)
    rows = []
    for index, (label, value) in enumerate(bars):
        top = index * ROW
        length = (
            (Decimal(value) / largest * room).quantize(TENTH, rounding=ROUND_HALF_UP)
            if largest > 0 and value > 0
            else Decimal("0")
        )
        shown = value_label(value)
        rows.append(
            (
                f"{label}: {shown}",
                top + LABEL_SIZE,
                _shorten(label),
                top + LABEL_SIZE + 6,
                length,
                BAR_HEIGHT,
                length + 6,
                top + LABEL_SIZE + 6 + BAR_HEIGHT - 3,
                shown,
            )
        )
    body = format_html_join(
        "\n",
        '<g class="wb-chart-row"><title>{}</title>'
        '<text x="0" y="{}" font-size="14" fill="' + TEXT_FILL + '">{}</text>'
        '<rect class="wb-chart-bar" x="0" y="{}" width="{}" height="{}" '
        'fill="' + BAR_FILL + '" rx="2"></rect>'
        '<text x="{}" y="{}" font-size="13" fill="' + TEXT_FILL + '">{}</text></g>',
        rows,
    )
    height = len(bars) * ROW
    title_id = f"{chart_id}-title"
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="wb-chart" role="img" '
        'aria-label="{}" viewBox="0 0 {} {}" '
        'preserveAspectRatio="xMinYMin meet" font-family="system-ui, sans-serif">'
        '<title id="{}">{}</title>\n{}\n</svg>',
        title,
        WIDTH,
        height,
        title_id,
        title,
        body,
    )


# --- Columns over time, stacked -------------------------------------------------------------

COLUMN_PLOT_HEIGHT = 160
COLUMN_TOP = 24  # room for the legend
COLUMN_LABEL_ROOM = 22
COLUMN_GAP = Decimal("0.25")  # of each slot, left empty between columns
SERIES_FILLS = ("#1f5f3a", "#c2703d", "#3b5b8c")


def stacked_column_chart(
    *,
    title: str,
    series: Sequence[str],
    columns: Sequence[tuple[str, Sequence[Decimal]]],
    value_label: Callable[[Decimal], str] = str,
    chart_id: str = "chart",
) -> SafeString:
    """One column per (label, values), its parts stacked in the order of `series`.

    Meant for months: short labels under the columns, a legend above, each part
    with a `<title>` that names its value. The figures themselves belong in a
    table beside the chart; the chart shows their shape. Empty string if no column
    has a value above zero.
    """
    totals = [sum((Decimal(v) for v in values), Decimal("0")) for _, values in columns]
    largest = max(totals, default=Decimal("0"))
    if not columns or largest <= 0:
        return mark_safe("")
    slot = Decimal(WIDTH) / len(columns)
    width = (slot * (1 - COLUMN_GAP)).quantize(TENTH, rounding=ROUND_HALF_UP)
    bottom = COLUMN_TOP + COLUMN_PLOT_HEIGHT
    scale = Decimal(COLUMN_PLOT_HEIGHT) / largest
    parts = []
    labels = []
    for index, (label, values) in enumerate(columns):
        x = (slot * index + (slot - width) / 2).quantize(TENTH, rounding=ROUND_HALF_UP)
        top = Decimal(bottom)
        for name, fill, value in zip(series, SERIES_FILLS, values, strict=False):
            height = (Decimal(value) * scale).quantize(TENTH, rounding=ROUND_HALF_UP)
            if value <= 0 or height <= 0:
                continue
            top -= height
            parts.append((f"{label}, {name}: {value_label(value)}", x, top, width, height, fill))
        labels.append((x + width / 2, bottom + 16, label))
    body = format_html_join(
        "\n",
        '<rect class="wb-chart-bar" x="{}" y="{}" width="{}" height="{}" fill="{}">'
        "<title>{}</title></rect>",
        ((x, y, w, h, fill, text) for text, x, y, w, h, fill in parts),
    )
    axis = format_html_join(
        "\n",
        '<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="'
        + TEXT_FILL
        + '">{}</text>',
        labels,
    )
    legend = format_html_join(
        "\n",
        '<rect x="{}" y="4" width="12" height="12" fill="{}"></rect>'
        '<text x="{}" y="15" font-size="12" fill="' + TEXT_FILL + '">{}</text>',
        (
            (index * 150, fill, index * 150 + 16, name)
            for index, (name, fill) in enumerate(zip(series, SERIES_FILLS, strict=False))
        ),
    )
    baseline = format_html(
        '<line x1="0" y1="{}" x2="{}" y2="{}" stroke="' + TEXT_FILL + '" stroke-width="1"></line>',
        bottom,
        WIDTH,
        bottom,
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="wb-chart" role="img" '
        'aria-label="{}" viewBox="0 0 {} {}" '
        'preserveAspectRatio="xMinYMin meet" font-family="system-ui, sans-serif">'
        '<title id="{}-title">{}</title>\n{}\n{}\n{}\n{}\n</svg>',
        title,
        WIDTH,
        bottom + COLUMN_LABEL_ROOM,
        chart_id,
        title,
        legend,
        body,
        baseline,
        axis,
    )
