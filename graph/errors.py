"""The one error type the pipeline raises for bad input."""

from __future__ import annotations

from treatygraph.model import Problem, Severity


class TreatygraphError(Exception):
    """Bad input or configuration; the message names the place (file, line, paragraph)."""

    def __init__(self, message: str, *, problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


class ParseError(TreatygraphError):
    """A resolution text that cannot be read."""


def fatal(message: str, *, file: str | None = None, line: int | None = None) -> ParseError:
    problem = Problem(Severity.ERROR, message, file=file, line=line)
    return ParseError(str(problem), problems=(problem,))
