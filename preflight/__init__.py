"""preflight: the webmodel program and its policy pack, run offline under Pulumi's own machinery.

Rooms, each a sub-package named for its job (arrows point one way, top to bottom):

- `commands/`: the work behind `preview` and `analyze`; `cli.py` parses and dispatches.
- `render/`: the preview tree, outputs and policy report as text, terminal view and Markdown.
- `plan/`: `preview --base`: steps against a base export, the CLI's renderings, the gate.
- `pack/`: the policy pack loaded, configured and evaluated as the Pulumi CLI does it.
- `simulate/`: the program under Pulumi's mocks against a simulated AWS account.
- `export/`: the `pulumi stack export` format, written and read.
- `stackfiles/`: `Pulumi.yaml` and `Pulumi.<stack>.yaml`, read as the CLI reads them.
- `inputs/`: bounded YAML and JSON, stack names, and `InputError` (exit 2).

Entry points: `python -m preflight` (`__main__.py`, `cli.py`), `python -m preflight.gate`,
`python -m preflight.bench`.
"""
