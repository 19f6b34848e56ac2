"""What a stack costs a month: the pack's own estimator (`policies/pricing`, the one the
`stack-monthly-cost` policy uses) run on a state, and the estimate rendered for a reader."""
