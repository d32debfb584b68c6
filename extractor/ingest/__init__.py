"""Readers that turn the bytes of one input file into `RawText`, one module per format.

Each reader owns the quirks of its format (encodings for text, layout for PDF) so that the
normaliser and everything after it see the same shape of input whatever the source was.
"""
