"""Errors raised by the survey store; views and CLI commands turn them into responses at the edge."""


class RapportError(Exception):
    """Root of every error the survey package raises on purpose."""


class ConfigurationError(RapportError, RuntimeError):
    """The app is configured in a way that is unsafe or cannot work (for example no SECRET_KEY)."""


class NotFound(RapportError, LookupError):
    """A survey, wave, question, user or theme does not exist."""


class InvalidInput(RapportError, ValueError):
    """Input was understood but breaks a rule; the message is shown to the user as is."""


class Conflict(InvalidInput):
    """The input is well formed but clashes with what exists (a wave label already in use)."""


class WaveClosed(InvalidInput):
    """The wave is not accepting responses (closed, or not yet open)."""


class InvitationCodeRejected(InvalidInput):
    """An invitation code is unknown, already used, or malformed."""


class DuplicateSubmission(InvalidInput):
    """The same form was submitted twice; the first response was kept."""


class Throttled(InvalidInput):
    """Too many submissions from one client for now; the response was not stored."""


class SurveyLocked(InvalidInput):
    """The survey's questions cannot change because responses already exist."""


class AnalysisAlreadyRunning(InvalidInput):
    """An analysis of the survey is already running; only one runs at a time per survey."""


class SubmissionNotSaved(RapportError):
    """The database could not store a submission now (busy for too long, or it refused a row);
    nothing of it was stored, and sending it again is safe."""
