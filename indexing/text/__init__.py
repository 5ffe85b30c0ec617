"""The text wing: pure functions over strings that every other wing shares.

Sentence boundaries (sentences.py), the one lexical module with the one stemmer, stopwords and
query terms (lexical.py), the one set of shorteners (shorten.py), quotation regions
(quotation.py), what a commenter wrote themselves (comment_text.py) and the split of a thread into
passages sized for the model (chunking.py). Imports only the records.
"""
