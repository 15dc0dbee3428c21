"""Shared plumbing: database set-up, htmx rendering, Markdown, security headers, errors, formats."""
