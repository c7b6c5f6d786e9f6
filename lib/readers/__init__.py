"""One module per export format; `lib.readers.registry` lists them and picks one by content."""
