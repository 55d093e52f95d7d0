"""Errors of the task-queue commands."""


class QueueError(Exception):
    """Base class for every error the queue code raises on purpose."""


class BrokerNotConfiguredError(QueueError):
    """A queue command ran without TIDINGS_BROKER_URL."""


class BrokerUnavailableError(QueueError):
    """The broker named by TIDINGS_BROKER_URL does not answer."""
