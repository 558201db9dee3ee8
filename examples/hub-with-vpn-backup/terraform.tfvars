# Placeholder so that the example plans out of the box. Never commit a real pre-shared key: set
# TF_VAR_ipsec_shared_key in the environment, or keep the value in a file git ignores.
ipsec_shared_key = "replace-me-with-a-32-char-secret"
