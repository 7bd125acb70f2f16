"""The demo organisation: a realistic, seeded partner-feedback corpus and ``rapport demo``.

:func:`generate_feedback` is pure and fast, so benchmarks reuse it; :func:`survey.demo.seed.seed_demo`
stores a corpus through the survey store (so redaction runs) and :mod:`survey.cli.demo` is the CLI.
"""

from survey.demo.corpus import DEFAULT_DEPARTMENTS, DEFAULT_WAVES, DemoResponse, generate_feedback

__all__ = ["DEFAULT_DEPARTMENTS", "DEFAULT_WAVES", "DemoResponse", "generate_feedback"]
