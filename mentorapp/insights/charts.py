"""A `Chart` drawn as SVG by pygal, on the server, without JavaScript.

pygal takes some tens of milliseconds per chart, so each drawing is kept per process
for as long as its data stays the same: a chart is redrawn only when what it shows
changed. The SVG is served on its own (an <img>), where its inline styles are allowed
without loosening the pages' Content-Security-Policy."""

from __future__ import annotations

import re
import sys
from functools import lru_cache

import pygal
from pygal.style import Style

from mentorapp.insights.figures import Chart

# pygal puts an old-style import hook (for its map plugins, unused here) first on
# sys.meta_path; it has no find_spec, so every later importlib.util.find_spec warns
# (and moto's S3, with warnings as errors, fails to import). Take it off again.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]


FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
# The site's colours (app.css), distinct enough side by side, each dark enough on white.
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1d1733",
    foreground_strong="#1d1733",
    foreground_subtle="#dcd7ea",
    opacity=".9",
    opacity_hover="1",
    colors=("#4b32c3", "#c2410c", "#17663a", "#7a4b00", "#0e7490", "#b42318"),
    font_family=FONT,
    label_font_family=FONT,
    major_label_font_family=FONT,
    value_font_family=FONT,
    title_font_family=FONT,
    legend_font_family=FONT,
    label_font_size=16,
    major_label_font_size=16,
    legend_font_size=16,
)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
KINDS = {
    "bar": pygal.Bar,
    "stacked": pygal.StackedBar,
    "line": pygal.Line,
    "hbar": pygal.HorizontalBar,
}


def _legend_columns(chart: Chart) -> int:
    """Side by side when the names are short, else one per line (they would overlap)."""
    longest = max((len(name) for name, _ in chart.series), default=0)
    return 1 if longest > 16 else max(1, min(3, len(chart.series)))


def _whole_steps(chart: Chart) -> list[int]:
    """Counts go up in whole, round steps: 1, 2, 5, 10, 20, 50..."""
    if chart.kind == "stacked":
        top = max(
            (
                sum(v or 0 for v in column)
                for column in zip(*(s for _, s in chart.series), strict=True)
            ),
            default=0,
        )
    else:
        top = max((v or 0 for _, values in chart.series for v in values), default=0)
    step = 1
    while top / step > 6:
        step *= 5 if str(step)[0] == "2" else 2
    return list(range(0, int(top) + step, step))


@lru_cache(maxsize=128)
def draw(chart: Chart) -> str:
    """The chart's SVG document (kept: Chart is frozen, its data part of its identity)."""
    kind = KINDS[chart.kind]
    many = len(chart.labels) > 12
    graph = kind(
        style=STYLE,
        js=[],  # no script: nothing loads from elsewhere, nothing runs
        width=640,
        height=380 if chart.kind != "hbar" else max(260, 90 + 40 * len(chart.labels)),
        legend_at_bottom=True,
        legend_at_bottom_columns=_legend_columns(chart),
        show_legend=len(chart.series) > 1,
        x_label_rotation=40 if many and chart.kind != "hbar" else 0,
        show_minor_x_labels=not many,
        x_labels_major_every=6 if many else None,
        y_labels_major_every=None,
        show_minor_y_labels=True,
        truncate_label=-1,
        truncate_legend=-1,
        print_values=False,
        margin=16,
        no_data_text="Nothing to show yet",
        dots_size=3,
    )
    # pygal draws a horizontal chart's first label at the bottom: the page reads top down.
    order = slice(None, None, -1) if chart.kind == "hbar" else slice(None)
    graph.x_labels = list(chart.labels)[order]
    if chart.unit != "days":
        graph.y_labels = _whole_steps(chart)
    for name, values in chart.series:
        graph.add(name, list(values)[order])
    # pygal writes its settings for its tooltips' script even without the script: gone.
    return _SCRIPT.sub("", graph.render(is_unicode=True))
