"""TOOLS › HULP: the administrators' manual, a Markdown file shipped with the package."""
