"""Presentation: report sections, charts, formatting, Excel, methodology, templates, notebooks."""
