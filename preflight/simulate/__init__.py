"""The program run under Pulumi's own SDK mocks against a simulated AWS account: what a
`pulumi up` would record (resources, their relations and outputs)."""
