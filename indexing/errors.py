"""The small exception hierarchy every edge (CLI, slash command) translates into one clear message."""


class ThreadbotError(Exception):
    """Base class: the message is meant for the user, on one line."""


class ParseError(ThreadbotError):
    """A file could not be read as a thread. Nothing was written to the index."""

    def __init__(self, source: str, reason: str):
        self.source = source
        self.reason = " ".join(str(reason).split())  # one line, whatever a library's message held
        super().__init__(f"{source}: {self.reason}")


class InputTooLargeError(ParseError):
    """A file is over the configured size limit."""


class StoreError(ThreadbotError):
    """The database cannot be used as asked."""


class ModelMismatchError(StoreError):
    """The database was built with another embedding model."""


class MigrationError(StoreError):
    """The schema could not be brought up to date."""


class NotFoundError(ThreadbotError):
    """A thread (or other record) that was asked for does not exist in this scope."""


class ConfigError(ThreadbotError):
    """The configuration file or environment is invalid."""


class EmbedderError(ThreadbotError):
    """The embedding model could not be loaded or run."""


class DatabaseUnavailableError(StoreError):
    """The database cannot be written now (a full disk, a read-only file, another writer): nothing
    was written, and every later write would fail the same way, so a batch stops at the first."""


class DiskFullError(DatabaseUnavailableError):
    """The disk holding the database is full."""


class ReadOnlyDatabaseError(DatabaseUnavailableError):
    """The database file, or the file system under it, is read-only."""


class DatabaseBusyError(DatabaseUnavailableError):
    """Another process held the database's write lock for longer than the wait allowed."""
