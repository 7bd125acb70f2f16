"""BRM pages: the survey builder, overview, themes and curation, responses, segments, analysis runs,
actions and report downloads."""
