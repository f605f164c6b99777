"""YAML documents read with line and column, checked against cerberus schemas, problems reported in both languages.

The bottom layer: the catalog and the model both read their files through it.
"""
