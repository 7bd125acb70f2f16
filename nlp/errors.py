"""Errors raised by the analysis library; the web app and CLI turn them into responses at the edge."""


class NLPError(Exception):
    """Root of every error the analysis library raises on purpose."""


class ModelNotInstalled(NLPError, ImportError):
    """A spaCy pipeline or embedding model that the analysis needs is not installed."""


class LexiconError(NLPError, ValueError):
    """A silo-language lexicon entry or file is malformed."""


class TaxonomyError(NLPError, ValueError):
    """A theme taxonomy is malformed or a curation operation is invalid."""


class SentimentModelError(NLPError, ValueError):
    """A sentiment model is missing, not fitted, or given inputs it cannot use."""


class StatisticsError(NLPError, ValueError):
    """A trend or suppression statistic was asked of invalid input (negative counts, no values...)."""
