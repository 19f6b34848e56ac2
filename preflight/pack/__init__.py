"""The policy pack as the Pulumi CLI loads, configures and runs it, through pulumi-policy's own
analyzer machinery."""
