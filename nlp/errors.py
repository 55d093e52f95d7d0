"""Errors raised by the NLP package."""


class NlpError(Exception):
    """Base class for every error nlp raises on purpose."""


class ModelNotInstalledError(NlpError):
    """A configured model package is missing; the message names what to install."""


class KnowledgeBaseError(NlpError):
    """The knowledge base (built-in or user file) is malformed."""


class TextTooLongError(NlpError):
    """A text exceeds the analysis size limit (TIDINGS_NLP_MAX_TEXT_CHARS)."""


class TimeBudgetError(NlpError):
    """An article whose analysis ran past TIDINGS_NLP_ARTICLE_TIME_BUDGET_S."""
