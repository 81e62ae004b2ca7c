"""Reading inputs into the workbench's own terms (geography: placing LSOA codes in districts)."""
