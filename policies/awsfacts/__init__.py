"""Facts about AWS that the policy pack, the program's components and verify share.

Standard library only and no rules of ours: type tokens, option namespaces, limits and how
AWS counts them. The pack imports them as `awsfacts.*` (the CLI runs it with `policies/` on
`sys.path`); `components` and `verify` put `policies/` on `sys.path` to read the same objects,
so a fact has one home and the pack stays publishable on its own. The pack's price estimator
(`pricing`) reads them too, without pulumi-policy.
"""
