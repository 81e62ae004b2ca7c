"""Start-up of the run's processes: jsonschema without the IRI grammar it would build at import.

papermill and nbconvert import nbformat, which imports jsonschema. When the optional ``rfc3987-syntax`` package
is installed (JupyterLab brings it, through ``jupyter-events``' ``jsonschema[format-nongpl]``), jsonschema
imports it to check the ``iri`` and ``iri-reference`` formats, and importing it builds an Earley parser for
RFC 3987: 1.0 to 1.3 CPU-seconds in every process that imports nbformat (the ``csa assess`` runner and the
report kernels' template), before any work. Neither nbformat's notebook schema nor anything this package
validates uses those formats, and nbformat validates with ``fastjsonschema`` where it is installed.

:func:`import_jsonschema` imports jsonschema with ``rfc3987_syntax`` hidden for the length of that import, so
jsonschema's format checker has no ``iri`` checks in this process; every other format check is unchanged, and
``import rfc3987_syntax`` still works afterwards for any code that wants it. It is called just before nbformat is
first imported: by the runner (:func:`~csa_analysis.run.kernels.preload_runner`,
:func:`~csa_analysis.run.kernels.run_report`) and by the kernels' template (:func:`~csa_analysis.run.warm.serve`),
whose forked kernels inherit it. Processes that never import nbformat (``csa score``, a kernel started the ordinary
way) do not pay for jsonschema at all.
"""

from __future__ import annotations

import sys

#: The optional package whose import builds the grammar.
IRI_GRAMMAR = "rfc3987_syntax"


def import_jsonschema() -> bool:
    """Import jsonschema (and its format checks) without building the IRI grammar, if it is not imported yet.

    Returns
    -------
    bool
        True when this call imported jsonschema without the IRI checks; False when jsonschema or the grammar
        were already imported (nothing changed) or jsonschema is not installed.

    Examples
    --------
    Once jsonschema is imported, a second call changes nothing:

    >>> import sys
    >>> _ = import_jsonschema()
    >>> "jsonschema" in sys.modules, import_jsonschema()
    (True, False)
    """
    if "jsonschema" in sys.modules or IRI_GRAMMAR in sys.modules:
        return False
    sys.modules[IRI_GRAMMAR] = None  # type: ignore[assignment]  # "import rfc3987_syntax" raises ImportError
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        return False
    finally:
        if sys.modules.get(IRI_GRAMMAR, ...) is None:
            del sys.modules[IRI_GRAMMAR]
    return True
