"""Culture-lead pages: the silo-language dashboard, the lexicon editor and "check my text"."""
