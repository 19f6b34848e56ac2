"""`Pulumi.yaml` and `Pulumi.<stack>.yaml`, read the way the Pulumi CLI reads them, into the flat
config map the language host hands the program."""
