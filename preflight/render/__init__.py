"""What a user reads: the preview tree, outputs and policy report as plain text, a terminal view
and GitHub Markdown with the architecture drawing."""
