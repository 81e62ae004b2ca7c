"""Charts of the partnership landscape (see :mod:`csa_analysis.partnerships`).

House style of :mod:`csa_analysis.report.charts`: an object-oriented ``Figure`` (never pyplot, so nothing to close
and safe in threads), its fixed resolution, colour-blind-safe colours (``cividis``, which also reads in
greyscale).
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure

from csa_analysis.report.charts import DPI

#: Sequential, colour-blind-safe and legible in greyscale.
CMAP = "cividis"
#: Cells of pairs that were not compared (geographies neither the same nor nested).
NOT_COMPARED = "#e6e6e6"
COLOURBAR_LABEL = "Remit overlap (Jaccard, 0-1)"


def _wrap(label: object, width: int = 34) -> str:
    return "\n".join(textwrap.wrap(str(label), width)) or str(label)


def overlap_matrix_figure(matrix: pd.DataFrame, title: str, *, annotate: bool | None = None) -> Figure:
    """Heat map of the remit overlap between every pair of partnerships.

    Parameters
    ----------
    matrix : DataFrame
        Square, from :func:`csa_analysis.partnerships.analysis.overlap_matrix` (Jaccard 0-1; NaN for pairs not
        compared, drawn light grey and explained under the chart).
    title : str
        The chart title; name the county, e.g. ``"Remit overlap between partnerships, Leicestershire"``.
    annotate : bool or None, default None
        Write each value (2 decimals) in its cell; None: only when there are at most 20 partnerships.

    Returns
    -------
    Figure
        Built with the object-oriented API: not registered with pyplot, so there is nothing to close.
    """
    n = len(matrix)
    side = max(5.0, 0.45 * n + 3.0)
    fig = Figure(figsize=(side + 1.8, side), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    ax.set_title("\n".join(textwrap.wrap(title, 80)), loc="left", fontsize=11)
    if n == 0:
        ax.set_axis_off()
        ax.text(0.5, 0.5, "No partnerships to show", transform=ax.transAxes, ha="center", va="center",
                color="#555555")
        return fig
    values = matrix.to_numpy(dtype=float)
    cmap = colormaps[CMAP].with_extremes(bad=NOT_COMPARED)
    im = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=0, vmax=1, aspect="equal")
    ax.set_xticks(range(n), [_wrap(x) for x in matrix.columns], rotation=90, fontsize=7)
    ax.set_yticks(range(n), [_wrap(x) for x in matrix.index], fontsize=7)
    ax.set_xticks(np.arange(n + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(n + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=0.8)
    ax.tick_params(which="minor", length=0)
    if annotate is None:
        annotate = n <= 20
    if annotate:
        for i, j in zip(*np.nonzero(~np.isnan(values)), strict=True):
            v = values[i, j]
            # cividis runs from dark blue to light yellow: dark text on the light half
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=6,
                    color="#111111" if v >= 0.55 else "white")
    fig.colorbar(im, ax=ax, label=COLOURBAR_LABEL, shrink=0.8)
    if np.isnan(values).any():
        ax.set_xlabel("Grey cells: not compared (the two geographies are neither the same nor nested)",
                      fontsize=8, color="#555555")
    return fig


__all__ = ["CMAP", "COLOURBAR_LABEL", "overlap_matrix_figure"]
