"""Running it: the scoring pipeline, the board pack, report kernels, atomic output."""

from csa_analysis.run.startup import import_jsonschema

import_jsonschema()  # before papermill, nbconvert or nbformat import it (see csa_analysis.run.startup)
