"""The county description (county.toml) and every user table, read strictly."""
