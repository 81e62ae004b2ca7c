"""The scored tables as CSV files for people and for stable diffs: ``OUT/tables/<name>.csv``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def _for_csv(df: pd.DataFrame) -> pd.DataFrame:
    """Round for people and for stable diffs: pounds to 2 decimals, other decimals to 6 places, p-values kept at
    full precision (3.2e-09 is not 0); list-like cells (tuples of names) written "; "-separated."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object and out[col].map(lambda v: isinstance(v, tuple)).any():
            out[col] = out[col].map(lambda v: "; ".join(v) if isinstance(v, tuple) else v).astype("str")
        elif pd.api.types.is_float_dtype(out[col]) and not col.startswith("p_value"):
            out[col] = out[col].round(2) if col.endswith("_gbp") else out[col].round(6)
        elif isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype("str")
    return out


def write_tables(tables: dict[str, pd.DataFrame], out_dir: str | Path) -> list[Path]:
    """Write each table as ``out_dir/tables/<name>.csv`` (UTF-8, no index, blanks as empty cells).

    Returns
    -------
    list of Path
        The files written.
    """
    folder = Path(out_dir) / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in tables.items():
        path = folder / f"{name}.csv"
        _for_csv(table).to_csv(path, index=False, lineterminator="\n")
        written.append(path)
    return written
