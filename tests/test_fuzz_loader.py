"""Fuzzing the police.uk parser: any text either loads with the right row count or is refused clearly."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csa_analysis.domain.issues import ISSUES
from csa_analysis.errors import InputError
from csa_analysis.ingest.parse import STREET_COLUMNS, parse_street_file

from datafactory import HEADER, sample_lines

REAL = sample_lines("2018-10")[:400]

cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
real_line = st.sampled_from(REAL)


@st.composite
def mutated_line(draw) -> str:
    """A real row with one field replaced, a character inserted, or cut short."""
    line = draw(real_line)
    how = draw(st.sampled_from(["field", "insert", "cut", "same"]))
    if how == "field":
        fields = next(csv.reader([line]))
        fields[draw(st.integers(0, len(fields) - 1))] = draw(cell)
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(fields)
        return buf.getvalue()
    if how == "insert":
        i = draw(st.integers(0, len(line)))
        return line[:i] + draw(st.sampled_from([",", '"', "\r", "\x00", "é", ";"])) + line[i:]
    if how == "cut":
        return line[: draw(st.integers(0, len(line)))]
    return line


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(mutated_line(), min_size=0, max_size=8),
       header=st.sampled_from([HEADER, HEADER, HEADER.replace("Crime type", "Type"), ""]))
def test_mutated_files_load_correctly_or_raise_input_error(lines, header):
    text = "\n".join([header, *lines]) + "\n"
    data = text.encode("utf-8", errors="surrogatepass")
    try:
        df = parse_street_file(data, "fuzz.csv", "2018-10")
    except InputError as exc:
        assert "fuzz.csv" in str(exc)
        return
    # Loaded: it must hold exactly the rows the csv module sees, each valid.
    rows = [r for r in csv.reader(io.StringIO(text, newline=""))][1:]
    rows = [r for r in rows if r]
    assert len(df) == len(rows)
    assert all(len(r) == len(STREET_COLUMNS) for r in rows)
    assert set(df["issue"].astype(str)) <= set(ISSUES)
    assert (df["month"].astype(str) == "2018-10").all()


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_never_escape_as_an_unexpected_exception(data):
    try:
        parse_street_file(HEADER.encode() + b"\n" + data, "bytes.csv", "2018-10")
    except InputError as exc:
        assert "bytes.csv" in str(exc)
