"""Certificates of volunteer service as documents: the PDF a volunteer downloads."""
