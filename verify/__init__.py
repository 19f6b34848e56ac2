"""Post-deploy verification: check a deployed stack's live AWS resources against the
guarantees the policy pack enforces before deployment (private subnets, no public IPs,
the EB 4 KB environment-property limit, an internal model load balancer, a private,
encrypted and, in prod, multi-AZ database).

`python -m verify --stack NAME [--outputs FILE] [--region R]`; exit 0 when every check
passes, 1 when a guarantee is broken, 2 on bad input.
"""
