"""Analysis methods on placed records: where, when and what happens to reported crime."""
