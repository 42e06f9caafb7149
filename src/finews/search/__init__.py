"""Chinese full-text search over the store: segment, index, parse, rank.

``segment`` turns text into index tokens, ``index`` keeps the FTS5 table in
step with the articles, ``query`` turns what a user typed into a safe FTS5
expression, ``engine`` runs it, ``api`` speaks JSON to the web layer.
"""
