"""Report files (XLSX, PDF) written from read-model data: adapters at the edge.

Each builder takes a plain data structure (for example ``projections.monthly_bulletin.
Bulletin``) and returns the file's bytes; no figure is computed here.
"""
