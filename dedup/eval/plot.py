"""Plots of a threshold sweep: precision, recall and F1 against the threshold (matplotlib).

matplotlib is an optional extra (``dedup[plot]``), imported only here and only when a plot is
drawn. No pyplot: figures are drawn on their own Agg canvas, so nothing global changes.
Output is deterministic (no dates, fixed SVG ids).

>>> panel = Panel.scores("demo", [0.5, 0.7, 0.9], [0.8, 0.95, 1.0], [1.0, 0.9, 0.5], chosen=0.7)
>>> svg([panel]).startswith("<svg")  # doctest: +SKIP
True
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import MissingDependency

__all__ = ["Panel", "png", "require_matplotlib", "svg"]

_COLORS = {"precision": "#1f77b4", "recall": "#d62728", "F1": "#2ca02c"}
_RC = {"svg.hashsalt": "dedup", "svg.fonttype": "none", "font.size": 9}


@dataclass(frozen=True)
class Panel:
    """One plot panel: named series of scores over the same thresholds, and the threshold in use.

    :meth:`scores` makes the usual precision, recall and F1 panel.
    """

    title: str
    thresholds: Sequence[float]
    series: Sequence[tuple[str, Sequence[float]]]
    chosen: float | None = None

    @classmethod
    def scores(
        cls,
        title: str,
        thresholds: Sequence[float],
        precision: Sequence[float],
        recall: Sequence[float],
        chosen: float | None = None,
    ) -> Panel:
        """Precision, recall and F1 against the threshold."""
        f1 = [2 * p * r / (p + r) if p + r else 0.0 for p, r in zip(precision, recall, strict=True)]
        series = (("precision", precision), ("recall", recall), ("F1", f1))
        return cls(title, thresholds, series, chosen)


def require_matplotlib() -> Any:
    """The ``matplotlib`` module, or :class:`MissingDependency` naming the extra to install."""
    try:
        import matplotlib
    except ImportError:
        raise MissingDependency("matplotlib", "plot") from None
    return matplotlib


def _figure(panels: Sequence[Panel]) -> Any:
    require_matplotlib()
    from matplotlib.figure import Figure

    cols = 2 if len(panels) == 4 else min(len(panels), 3)
    rows = -(-len(panels) // cols)
    fig = Figure(figsize=(4.2 * cols, 3.2 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax in axes.flat[len(panels) :]:
        ax.set_visible(False)
    for ax, panel in zip(axes.flat, panels, strict=False):
        for n, (name, values) in enumerate(panel.series):
            color = _COLORS.get(name, f"C{n}")
            ax.plot(panel.thresholds, values, marker=".", label=name, color=color)
        if panel.chosen is not None:
            ax.axvline(panel.chosen, color="0.3", linestyle="--", linewidth=1)
            ax.annotate(
                f"chosen {panel.chosen:g}",
                xy=(panel.chosen, 0.02),
                xycoords=("data", "axes fraction"),
                xytext=(3, 0),
                textcoords="offset points",
                color="0.3",
            )
        ax.set_title(panel.title)
        ax.set_xlabel("Jaccard threshold")
        ax.set_ylim(-0.02, 1.02)
        ax.grid(True, color="0.9")
        ax.legend(loc="best", frameon=False)
    return fig


def png(panels: Sequence[Panel], path: Path) -> None:
    """Draw the sweep panels into a PNG file at ``path``."""
    matplotlib = require_matplotlib()
    with matplotlib.rc_context(_RC):
        fig = _figure(panels)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png", dpi=110, metadata={"Software": None})


def svg(panels: Sequence[Panel]) -> str:
    """The sweep panels as an SVG document (text, for inlining into HTML)."""
    matplotlib = require_matplotlib()
    with matplotlib.rc_context(_RC):
        fig = _figure(panels)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]
