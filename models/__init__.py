"""Pure model code: the hip-overuse risk model and its recommendations (see the risk-model issue)."""
