"""`preview --base`: the steps a `pulumi preview` would take from a base export to the program's
state, rendered as `pulumi preview --diff` and `--json` render them; the stateful-change gate."""
