"""AWS facts the pack relies on, importable without pulumi-policy (standard library only).

`eb`: Elastic Beanstalk type tokens, option namespaces, the environment-property limit and the
values EB uses for options nobody sets. The pack's rules (`guardrails`) and its price estimator
(`pricing`) both read them from here, so each fact has one home.
"""
