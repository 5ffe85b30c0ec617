"""The whosaid wing: who said what in a thread, found at index time.

Owns the spaCy pipeline (nlp.py, loaded once and lazily), the attribution finder over parsed
paragraphs (attribution.py), speaker resolution within a thread (speakers.py: aliases, pronouns,
roles), the statements stored with a thread (statements.py) and the lookups asks make in the
stored names (directory.py). Imports only the records and text wings.
"""

from .directory import SpeakerDirectories, SpeakerDirectory
from .statements import StatementExtractor, extract_statements, speakers_named, statements_of

__all__ = ["SpeakerDirectories", "SpeakerDirectory", "StatementExtractor", "extract_statements", "speakers_named",
           "statements_of"]
