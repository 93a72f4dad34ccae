"""Pure model code: the hip-overuse risk model and its recommendations (risk-model issue)."""
