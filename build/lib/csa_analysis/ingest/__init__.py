"""Raw police.uk files to counts: discover, parse, de-duplicate, cache, place, count."""
