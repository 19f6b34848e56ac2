"""The `pulumi stack export` format (version 3): written from a simulated deployment, read from
anyone's export, every value checked and its envelopes (secrets, assets) decoded."""
