"""The one user-facing error type: raised anywhere, printed once as one line by the CLI or the plugin."""


class UserError(Exception):
    """A problem the user can fix (bad input, bad option); its message is the whole story, no traceback."""


class ResultFileError(UserError):
    """A result file that cannot be used; the message names the file and the field."""

    def __init__(self, path, field, message):
        self.path = str(path)
        self.field = field
        self.message = message
        self.problems = [self]
        super().__init__(f"{self.path}: {field}: {message}" if field else f"{self.path}: {message}")

    @classmethod
    def group(cls, problems):
        """One error standing for several problems of one file (all are reported, the first is the message)."""
        first = problems[0]
        error = cls(first.path, first.field, first.message)
        error.problems = list(problems)
        return error
